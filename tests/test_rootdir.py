"""Run from a subfolder, bakegen works on the repository root instead of the subfolder."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.rootdir import Root, find_root
from tests.builders import write_tree

NODE = {
    "package.json": '{"name": "root", "private": true, "workspaces": ["apps/*"]}',
    "package-lock.json": "{}",
    "apps/api/package.json": '{"name": "api", "scripts": {"start": "node index.js"}}',
    "apps/api/index.js": "",
}


def test_the_git_top_level_is_the_root(tmp_path: Path) -> None:
    write_tree(tmp_path, NODE)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert find_root(tmp_path / "apps" / "api") == Root(tmp_path.resolve(), ".git")


def test_bakegen_toml_marks_the_root_below_a_git_top_level(tmp_path: Path) -> None:
    write_tree(tmp_path, {**NODE, "sub/bakegen.toml": "", "sub/x/y.txt": ""})
    (tmp_path / ".git").mkdir()
    assert find_root(tmp_path / "sub" / "x") == Root((tmp_path / "sub").resolve(), "bakegen.toml")


def test_no_marker_keeps_the_start_folder(tmp_path: Path) -> None:
    assert find_root(tmp_path) in (Root(tmp_path.resolve()), find_root(tmp_path.parent))


def test_generate_from_a_subfolder_writes_at_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, NODE)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path / "apps" / "api")
    result = CliRunner().invoke(cli, ["generate"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"note: working on the repository root {tmp_path.resolve()} "
                                    "(it holds .git); pass ROOT to choose another folder")
    assert (tmp_path / "docker-bake.hcl").is_file()
    assert not (tmp_path / "apps" / "api" / "docker-bake.hcl").exists()


def test_an_empty_folder_is_an_outcome_and_nothing_is_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["generate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"no packages found under {tmp_path.resolve()} (looked for package.json, Cargo.toml, "
        "pyproject.toml, Dockerfile, compose.yaml); nothing written (--allow-empty writes an "
        "empty bake file)\n")
    assert list(tmp_path.iterdir()) == []
    allowed = CliRunner().invoke(cli, ["generate", str(tmp_path), "--allow-empty"])
    assert allowed.exit_code == 0
    assert allowed.stdout.startswith("0 services, 0 base targets; 1 created")


def test_a_start_script_without_a_lockfile_says_why_nothing_is_built(tmp_path: Path) -> None:
    write_tree(tmp_path, {"package.json": '{"name": "web", "scripts": {"start": "node s.js"}}'})
    result = CliRunner().invoke(cli, ["generate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "warning: package.json: has a start script but no lockfile (package-lock.json, "
        "yarn.lock, pnpm-lock.yaml, bun.lock) and no workspace lists it, so it is not built; "
        "run `npm install` to create package-lock.json")
