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
