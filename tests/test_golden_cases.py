"""Golden cases: tests/cases/<name>/workspace is generated and compared with expected/.

Run with BAKEGEN_UPDATE_GOLDEN=1 to rewrite the expected files after an intended change.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli

CASES = Path(__file__).parent / "cases"
NAMES = (
    sorted(p.name for p in CASES.iterdir() if (p / "workspace").is_dir()) if CASES.is_dir() else []
)


def generated_files(root: Path, before: set[Path]) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and p not in before
    }


@pytest.mark.parametrize("name", NAMES)
def test_golden_case(name: str, tmp_path: Path) -> None:
    workspace = shutil.copytree(CASES / name / "workspace", tmp_path / "ws")
    before = {p for p in workspace.rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli, ["generate", str(workspace)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    produced = generated_files(workspace, before)
    expected_dir = CASES / name / "expected"
    if os.environ.get("BAKEGEN_UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for rel, text in produced.items():
            (expected_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / rel).write_text(text, encoding="utf-8")
    expected = {
        p.relative_to(expected_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(expected_dir.rglob("*"))
        if p.is_file()
    }
    assert produced == expected
