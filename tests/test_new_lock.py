"""Lockfile updates after `bakegen new` adds a workspace member."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from bakegen.model import Workspace
from bakegen.onboarding import lock
from bakegen.onboarding.lock import LockStatus, LockStep, error_line, lock_step, run_lock


def workspace(manager: str, root: str = ".", lockfile: str | None = "x.lock") -> Workspace:
    return Workspace("node", root, manager, lockfile, ())


@pytest.mark.parametrize(
    ("manager", "command"),
    [
        ("uv", "uv lock"),
        ("cargo", "cargo update --workspace"),
        ("npm", "npm install --package-lock-only --ignore-scripts --no-audit --no-fund"),
        ("pnpm", "pnpm install --lockfile-only --ignore-scripts"),
        ("yarn-berry", "yarn install --mode=update-lockfile"),
        ("bun", "bun install --lockfile-only"),
    ],
)
def test_each_manager_has_a_lockfile_only_command(manager: str, command: str) -> None:
    step = lock_step(workspace(manager))
    assert step is not None and step.shown() == command


def test_no_step_without_a_lockfile_or_for_yarn_classic() -> None:
    assert lock_step(workspace("uv", lockfile=None)) is None
    assert lock_step(workspace("yarn-classic")) is None
    assert lock_step(workspace("pip")) is None


def test_shown_from_the_repository_root() -> None:
    step = LockStep(("pnpm", "install", "--lockfile-only"), "frontend", "frontend/pnpm-lock.yaml")
    assert step.shown() == "cd frontend && pnpm install --lockfile-only"


def test_error_line_skips_progress_output() -> None:
    assert error_line("    Updating crates.io index\nerror: failed to get `x`\n  caused by") == (
        "error: failed to get `x`"
    )
    assert error_line("Using CPython 3.12\nsomething broke\n") == "something broke"
    assert error_line("") == ""


def fake_tool(folder: Path, name: str, script: str) -> Path:
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_run_lock_reports_success_failure_and_absence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_tool(bin_dir, "oklock", "open('lock.txt', 'w').write('locked')")
    fake_tool(bin_dir, "badlock", "import sys; print('working'); sys.exit('error: no network')")
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ["PATH"])
    (tmp_path / "ws").mkdir()

    done = run_lock(tmp_path, LockStep(("oklock",), "ws", "ws/lock.txt"))
    assert done.status is LockStatus.REFRESHED
    assert (tmp_path / "ws/lock.txt").read_text() == "locked"
    failed = run_lock(tmp_path, LockStep(("badlock",), "ws", "ws/lock.txt"))
    assert (failed.status, failed.detail) == (LockStatus.FAILED, "error: no network")
    missing = run_lock(tmp_path, LockStep(("no-such-tool-here",), ".", "x"))
    assert (missing.status, missing.detail) == (LockStatus.NO_TOOL,
                                                "no-such-tool-here is not installed")


def test_run_lock_is_bounded_in_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_tool(bin_dir, "slowlock", "import time; time.sleep(30)")
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ["PATH"])
    slow = run_lock(tmp_path, LockStep(("slowlock",), ".", "x"), timeout=0.5)
    assert (slow.status, slow.detail) == (LockStatus.FAILED, "no answer after 0.5 s")


def test_the_tool_beside_bakegens_python_comes_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tool(tmp_path, "mytool", "")
    monkeypatch.setattr(lock.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", "")
    assert lock.find_tool("mytool") == str(tmp_path / "mytool")
