"""The corpus of malformed and hostile workspaces: tests/cases/invalid/<case>/.

Each case folder holds:

- `workspace/`: the repository bakegen runs on (copied to a temporary folder first);
- `args` (optional): the command and its options, one line, `generate` when absent; the
  workspace path is inserted after the command word;
- `expected.txt`: the exact standard error, line for line (`{root}` stands for the
  workspace's temporary path);
- `exit_code`: the exit code.

What git cannot hold or should not (symlinks, an unreadable file, a 50 MB manifest, documents
nested 100,000 levels deep) is built here at run time by the function of the same name in
BUILDERS. Run with BAKEGEN_UPDATE_INVALID=1 to
rewrite `expected.txt` and `exit_code` from what bakegen does now (then review the diff).
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bakegen.cli import main
from tests.dockerlint import lint_generated

CASES = Path(__file__).parent / "cases" / "invalid"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "exit_code").is_file())
HUGE_BYTES = 50 * 1024 * 1024


def _symlink_loop(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (ws / "apps" / "self").symlink_to("self")
    (ws / "apps" / "ping").symlink_to("pong")
    (ws / "apps" / "pong").symlink_to("ping")


def _symlink_outside_root(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "package.json").write_text('{"name": "stolen", "version": "1.0.0"}\n')
    (outside / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    (ws / "apps" / "stolen").mkdir()
    (ws / "apps" / "stolen" / "package.json").symlink_to(outside / "package.json")
    (ws / "apps" / "etc").symlink_to(outside, target_is_directory=True)
    (ws / "apps" / "api" / "id_rsa").symlink_to(outside / "id_rsa")


def _output_dir_symlink_outside(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere").mkdir()
    (ws / "out").symlink_to(tmp_path / "elsewhere", target_is_directory=True)


def _unreadable_manifest(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = ws / "apps" / "api" / "package.json"
    manifest.chmod(0)
    if os.access(manifest, os.R_OK):  # root reads anything: make the open fail as it would
        real = os.open

        def os_open(path: str, flags: int, *args: int, **kwargs: int) -> int:
            if Path(path) == manifest:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", os_open)


def _huge_manifest(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = ws / "apps" / "api" / "package.json"
    head = b'{"name": "@acme/api", "version": "1.0.0", "description": "'
    tail = b'"}\n'
    with manifest.open("wb") as handle:
        handle.write(head)
        handle.write(b"x" * (HUGE_BYTES - len(head) - len(tail)))
        handle.write(tail)


def _nested(opening: str, closing: str, depth: int) -> str:
    return opening * depth + closing * depth


def _deeply_nested_json(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nested = _nested("[", "]", 100_000)
    (ws / "apps" / "api" / "package.json").write_text(f'{{"name": "api", "x": {nested}}}\n')


def _deeply_nested_toml(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nested = _nested("[", "]", 100_000)
    (ws / "crates" / "router" / "Cargo.toml").write_text(
        f'[package]\nname = "router"\nversion = "0.1.0"\nx = {nested}\n'
    )


def _deeply_nested_yaml(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (ws / "pnpm-workspace.yaml").write_text(f"packages: {_nested('[', ']', 50_000)}\n")


BUILDERS: dict[str, Callable[[Path, Path, pytest.MonkeyPatch], None]] = {
    "symlink-loop": _symlink_loop,
    "symlink-outside-root": _symlink_outside_root,
    "output-dir-symlink-outside": _output_dir_symlink_outside,
    "unreadable-manifest": _unreadable_manifest,
    "huge-manifest": _huge_manifest,
    "node-deeply-nested-json": _deeply_nested_json,
    "cargo-deeply-nested-toml": _deeply_nested_toml,
    "pnpm-deeply-nested-yaml": _deeply_nested_yaml,
}


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run bakegen's real entry point in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def prepare(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """Copy a case's workspace, build its run-time parts, and return it with its argv."""
    case = CASES / name
    ws = tmp_path / "ws"
    if (case / "workspace").is_dir():
        shutil.copytree(case / "workspace", ws, symlinks=True)
    else:
        ws.mkdir()
    builder = BUILDERS.get(name)
    if builder is not None:
        builder(ws, tmp_path, monkeypatch)
    args_file = case / "args"
    words = shlex.split(args_file.read_text(encoding="utf-8")) if args_file.is_file() else []
    words = words or ["generate"]
    return ws, [words[0], str(ws), *words[1:]]


def _snapshot(ws: Path) -> dict[Path, bytes]:
    """Every regular file below ws and its bytes (read with open: a case may patch Path)."""
    found = {}
    for path in ws.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as handle:
                found[path] = handle.read()
    return found


def test_the_corpus_is_big_enough() -> None:
    assert len(NAMES) >= 40
    assert set(BUILDERS) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_invalid_case(
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ws, argv = prepare(name, tmp_path, monkeypatch)
    code, _out, err = run_cli(argv, capsys)
    assert "Traceback" not in err
    assert "internal error" not in err
    shown = err.replace(str(ws), "{root}").replace(str(tmp_path), "{tmp}")
    case = CASES / name
    if os.environ.get("BAKEGEN_UPDATE_INVALID"):
        (case / "expected.txt").write_text(shown, encoding="utf-8")
        (case / "exit_code").write_text(f"{code}\n", encoding="utf-8")
    assert shown == (case / "expected.txt").read_text(encoding="utf-8")
    assert code == int((case / "exit_code").read_text(encoding="utf-8"))
    if code == 0 and argv[0] == "generate":
        assert lint_generated(ws) == []


@pytest.mark.parametrize("name", ["node-invalid-json", "config-image-newline"])
def test_debug_shows_a_traceback(
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _ws, argv = prepare(name, tmp_path, monkeypatch)
    with pytest.raises(SystemExit) as exited:
        main(["--debug", *argv])
    assert exited.value.code == 2  # --debug adds the traceback, keeps the exit code
    assert "Traceback (most recent call last)" in capsys.readouterr().err


FAILING = [n for n in NAMES if (CASES / n / "exit_code").read_text(encoding="utf-8") != "0\n"]


@pytest.mark.parametrize("name", FAILING)
def test_a_failing_case_writes_nothing(
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ws, argv = prepare(name, tmp_path, monkeypatch)
    before = _snapshot(ws)
    run_cli(argv, capsys)
    assert _snapshot(ws) == before
