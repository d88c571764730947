"""ruff and mypy are part of the test run, so style and types are checked wherever tests are."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.builders import REPO


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", "bakegen", "tests", "bench"],
        [sys.executable, "-m", "mypy"],
    ],
    ids=["ruff", "mypy"],
)
def test_tool_is_clean(command: list[str]) -> None:
    tool = command[2]
    if (
        shutil.which(tool) is None
        and subprocess.run(
            [sys.executable, "-m", tool, "--version"], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip(f"{tool} is not installed")
    if tool == "ruff":
        command = [c for c in command if c != "bench" or (REPO / "bench").is_dir()]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
