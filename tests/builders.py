"""Builders for throw-away workspaces on disk (used with pytest's tmp_path)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REAL_WORKSPACES = SHARED / "real-workspaces"
SAMPLE = REPO / "sample_monorepo"


def write_tree(root: Path, files: dict[str, Any]) -> Path:
    """Write files below root: str values verbatim, dict/list values as JSON."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, (dict, list)):
            path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def copy_real_workspace(name: str, dest: Path) -> Path:
    """Copy one of shared/real-workspaces into dest (the test skips where it is absent)."""
    import pytest

    source = REAL_WORKSPACES / name
    if not source.is_dir():
        pytest.skip(f"../shared/real-workspaces/{name} is absent (only developers and CI have it)")
    target = dest / name
    shutil.copytree(source, target)
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def write_config(root: Path, text: str) -> Path:
    """Give `root` the settings `text` as bakegen.toml, moving any `[tool.bakegen]` out of
    its pyproject.toml (settings live in one file)."""
    from bakegen.config import without_tool_table

    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        pyproject.write_text(without_tool_table(pyproject.read_text()))
    config = root / "bakegen.toml"
    config.write_text(text)
    return config


def copy_sample(dest: Path) -> Path:
    """Copy sample_monorepo into dest and return the copy's path."""
    target = dest / "sample_monorepo"
    shutil.copytree(
        SAMPLE, target, ignore=shutil.ignore_patterns("node_modules", "target", ".venv")
    )
    return target
