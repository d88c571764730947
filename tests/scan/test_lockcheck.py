"""Lockfiles the bases install from: unreadable ones are errors, stale ones warnings."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bakegen.cli import cli
from tests.builders import write_tree

CARGO = {
    "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n',
    "crates/a/Cargo.toml": '[package]\nname = "a"\nversion = "0.1.0"\nedition = "2021"\n',
    "crates/a/src/main.rs": "fn main() {}\n",
    "crates/b/Cargo.toml": '[package]\nname = "b"\nversion = "0.1.0"\nedition = "2021"\n',
    "crates/b/src/main.rs": "fn main() {}\n",
}
UV = {
    "pyproject.toml": '[tool.uv.workspace]\nmembers = ["apps/*"]\n',
    "apps/api/pyproject.toml": '[project]\nname = "api"\nversion = "1"\n'
                               'dependencies = ["fastapi"]\n[project.scripts]\napi = "api:main"\n',
    "apps/api/api/__init__.py": "def main(): pass\n",
}


def _generate(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["generate", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_cargo_lock_lacking_a_member_is_noticed(tmp_path: Path) -> None:
    lock = 'version = 3\n\n[[package]]\nname = "a"\nversion = "0.1.0"\n'
    write_tree(tmp_path, {**CARGO, "Cargo.lock": lock})
    code, _, err = _generate(tmp_path)
    assert code == 0
    assert ("warning: Cargo.lock: lacks workspace member b, so the locked install in the base "
            "image fails; run `cargo generate-lockfile`") in err.splitlines()


def test_a_complete_cargo_lock_is_quiet(tmp_path: Path) -> None:
    lock = ('version = 3\n\n[[package]]\nname = "a"\nversion = "0.1.0"\n\n'
            '[[package]]\nname = "b"\nversion = "0.1.0"\n\n'
            '[[package]]\nname = "serde"\nversion = "1.0.0"\n'
            'source = "registry+https://github.com/rust-lang/crates.io-index"\n')
    write_tree(tmp_path, {**CARGO, "Cargo.lock": lock})
    code, _, err = _generate(tmp_path)
    assert code == 0 and "Cargo.lock" not in err


def test_a_uv_lock_lacking_a_member_is_noticed(tmp_path: Path) -> None:
    lock = ('version = 1\n\n[[package]]\nname = "other"\nversion = "1"\n'
            'source = { editable = "apps/other" }\n')
    write_tree(tmp_path, {**UV, "uv.lock": lock})
    code, _, err = _generate(tmp_path)
    assert code == 0
    assert "warning: uv.lock: lacks workspace member api" in err


def test_a_uv_workspace_without_uv_lock_is_installed_unlocked_and_said_so(tmp_path: Path) -> None:
    write_tree(tmp_path, UV)
    code, _, err = _generate(tmp_path)
    assert code == 0, err
    assert ("warning: pyproject.toml: uv workspace without uv.lock: its base runs `uv sync` "
            "unlocked, so versions resolve when it builds; run `uv lock` and commit uv.lock to "
            "pin them") in err.splitlines()
    base = (tmp_path / "docker" / "base-python.Dockerfile").read_text()
    assert "uv sync --no-install-local --all-packages --no-dev" in base
    assert "--locked" not in base


def test_a_uv_workspace_with_uv_lock_installs_locked(tmp_path: Path) -> None:
    lock = ('version = 1\n\n[[package]]\nname = "api"\nversion = "1"\n'
            'source = { editable = "apps/api" }\n')
    write_tree(tmp_path, {**UV, "uv.lock": lock})
    code, _, err = _generate(tmp_path)
    assert code == 0 and "uv.lock" not in err
    base = (tmp_path / "docker" / "base-python.Dockerfile").read_text()
    assert "uv sync --locked --no-install-local --all-packages --no-dev" in base


def test_a_plain_pip_project_is_warned_that_nothing_is_locked(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n'
                          'dependencies = ["fastapi>=0.100"]\n',
    })
    code, _, err = _generate(tmp_path, "--allow-empty")
    assert code == 0
    assert ("warning: pyproject.toml: no uv.lock or poetry.lock: third-party dependencies are "
            "installed from their version ranges, so two builds may install different versions; "
            "`uv lock` pins them") in err.splitlines()


def test_an_empty_package_lock_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, {"package.json": '{"name": "w", "scripts": {"start": "node a.js"}}',
                          "package-lock.json": ""})
    code, _, err = _generate(tmp_path)
    assert code == 2
    assert err == ("package-lock.json: is not a valid package-lock.json (invalid JSON at line 1); "
                   "run `npm install`\n")
