"""The console entry point: exits like the click group and tunes the garbage collector."""

from __future__ import annotations

import gc
import subprocess
import sys

from bakegen.cli import GC_THRESHOLDS, main


def test_main_sets_the_collector_thresholds(monkeypatch) -> None:
    before = gc.get_threshold()
    try:
        try:
            main(["--version"])
        except SystemExit as exc:
            assert exc.code == 0
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.set_threshold(*before)


def test_the_console_script_entry_runs() -> None:
    done = subprocess.run([sys.executable, "-c", "from bakegen.cli import main; main()",
                           "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("bakegen")


def _run(args: list[str]):
    from click.testing import CliRunner

    from bakegen.cli import cli

    return CliRunner().invoke(cli, args, prog_name="bakegen")


def test_a_usage_error_is_one_line_naming_the_option() -> None:
    result = _run(["generate", "--platfrm", "linux/amd64"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "bakegen generate: no such option '--platfrm'. Did you mean '--platform'? "
        "(see bakegen generate --help)"
    ]


def test_a_bad_choice_and_an_unknown_command_are_one_line_too() -> None:
    bad = _run(["generate", "--cache", "x"])
    assert bad.exit_code == 2 and len(bad.output.splitlines()) == 1
    assert "'--cache'" in bad.output
    unknown = _run(["frob"])
    assert unknown.exit_code == 2
    assert unknown.output == "bakegen: no such command 'frob'. (see bakegen --help)\n"


def test_help_and_version_still_exit_0() -> None:
    assert _run(["--version"]).exit_code == 0
    assert _run(["generate", "--help"]).exit_code == 0


def test_debug_keeps_the_exit_code_and_adds_a_traceback(tmp_path) -> None:
    (tmp_path / "bakegen.toml").write_text('cache = "x"\n')
    plain = _run(["scan", str(tmp_path)])
    debug = _run(["--debug", "scan", str(tmp_path)])
    assert plain.exit_code == debug.exit_code == 2
    assert "Traceback" in debug.output and "Traceback" not in plain.output
    assert debug.output.rstrip().endswith('"cache" must be one of registry, gha, none, got \'x\'')
