"""`bakegen init`: a commented config holding the settings bakegen uses now."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli, main
from bakegen.config import Config, ImageSettings, load_config
from tests.builders import copy_sample, write_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TOOL_TABLE_START = "# bakegen's own configuration"


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    assert exit_info.value.code == 2
    return capsys.readouterr().err


def without_tool_table(root: Path) -> str:
    """Drop sample_monorepo's [tool.bakegen] so that the repo has no config at all."""
    text = (root / "pyproject.toml").read_text()
    kept = text[: text.index(TOOL_TABLE_START)].rstrip("\n") + "\n"
    (root / "pyproject.toml").write_text(kept)
    return kept


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """sample_monorepo without any bakegen config, generated."""
    root = copy_sample(tmp_path)
    without_tool_table(root)
    run("generate", str(root))
    return root


def settings(config: Config) -> Config:
    return dataclasses.replace(config, source=None)


def test_init_writes_the_detected_settings_with_comments(bare: Path) -> None:
    output = run("init", str(bare))
    assert output.splitlines()[0] == "wrote bakegen.toml: 3 ecosystems, 7 packages, 4 services"
    assert "note: registry is the placeholder" in output
    assert output.splitlines()[-1] == "next: bakegen generate"
    text = (bare / "bakegen.toml").read_text()
    config = load_config(bare)
    assert settings(config) == Config(images={
        "cargo": ImageSettings("rust:1.83-slim-bookworm", "debian:bookworm-slim"),
        "node": ImageSettings("node:20-bookworm-slim", "node:20-bookworm-slim"),
        "python": ImageSettings("python:3.12-slim-bookworm", "python:3.12-slim-bookworm"),
    })
    for found in (
        "#   cargo workspace at .: cargo, lockfile Cargo.lock, Rust 1.83, 2 packages",
        "#   node workspace at .: yarn-classic 1.22.22, lockfile yarn.lock, Node 20, 3 packages",
        "#   python workspace at .: uv, lockfile uv.lock, Python 3.12, 2 packages",
        '#   @acme/api    node    apps/api       ("start" script: node src/server.js)',
        "#   router-svc   cargo   crates/router  (bin target src/main.rs)",
        "# [service.router-svc]",
    ):
        assert found in text.splitlines()
    # every setting has a comment right above it
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line and not line.startswith(("#", "[", "build", "runtime")):
            assert lines[i - 1].startswith("#"), line
    # and the generated files stay exactly the same
    assert run("generate", "--check", str(bare)).startswith("up to date")


def test_init_refuses_to_overwrite_without_force(
    bare: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run("init", str(bare))
    config = bare / "bakegen.toml"
    config.write_text(config.read_text().replace("localhost:5000/acme", "ghcr.io/me"))
    before = config.read_bytes()
    err = fails(capsys, "init", str(bare))
    assert err == ("bakegen.toml: already exists; rerun with --force to rewrite it "
                   "(its settings are kept)\n")
    assert config.read_bytes() == before
    output = run("init", str(bare), "--force")
    assert output.startswith("rewrote bakegen.toml")
    assert 'registry = "ghcr.io/me"' in config.read_text()
    assert "placeholder" not in output


def test_init_force_carries_over_a_pyproject_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    before = settings(load_config(root))
    err = fails(capsys, "init", str(root))
    assert err.startswith("pyproject.toml: already has [tool.bakegen]; rerun with --force")
    output = run("init", str(root), "--force")
    assert "note: pyproject.toml: [tool.bakegen] moved into bakegen.toml" in output
    py = (root / "pyproject.toml").read_text()
    assert "[tool.bakegen" not in py
    assert tomllib.loads(py)["tool"]["uv"] == {"workspace": {"members": ["python/*"]}}
    after = settings(load_config(root))
    assert load_config(root).source == "bakegen.toml"
    assert after == dataclasses.replace(before, images=after.images)
    assert after.service("acme-worker").healthcheck == before.service("acme-worker").healthcheck
    assert after.service("@acme/api").port == 3000


def test_init_pyproject_appends_the_table_and_keeps_every_byte(
    tmp_path: Path,
) -> None:
    root = copy_sample(tmp_path)
    kept = without_tool_table(root).replace("\n", "\r\n")  # CRLF survives too
    (root / "pyproject.toml").write_bytes(kept.encode())
    output = run("init", str(root), "--pyproject")
    assert output.startswith("wrote pyproject.toml [tool.bakegen]")
    after = (root / "pyproject.toml").read_bytes().decode()
    assert after.startswith(kept)
    data = tomllib.loads(after)
    assert data["tool"]["uv"] == {"workspace": {"members": ["python/*"]}}
    assert load_config(root).source == "pyproject.toml [tool.bakegen]"
    assert load_config(root).registry == "localhost:5000/acme"


def test_init_pyproject_force_replaces_only_the_old_table(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    text = (root / "pyproject.toml").read_text()
    head = text[: text.index("[tool.bakegen]")]  # uv table and both comments
    before = settings(load_config(root))
    run("init", str(root), "--pyproject", "--force")
    after = (root / "pyproject.toml").read_text()
    assert after.startswith(head)
    assert after.count("[tool.bakegen]") == 1
    config = settings(load_config(root))
    assert config == dataclasses.replace(before, images=config.images)


def test_init_pyproject_needs_a_pyproject_and_no_bakegen_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path / "repo", {"package.json": {"name": "a"}})
    err = fails(capsys, "init", str(root), "--pyproject")
    assert err == ("pyproject.toml: not found; run `bakegen init` without --pyproject to write "
                   "bakegen.toml\n")
    write_tree(root, {"pyproject.toml": "[project]\nname = \"a\"\n", "bakegen.toml": ""})
    err = fails(capsys, "init", str(root), "--pyproject", "--force")
    assert err.startswith("bakegen.toml: exists, and settings live in one file; remove it first")


def test_init_on_an_empty_folder_writes_the_defaults(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    text = (tmp_path / "bakegen.toml").read_text()
    assert "# Found no Node, Cargo, Python or Go workspace yet." in text
    assert settings(load_config(tmp_path)) == Config()


def test_workspaces_with_different_images_are_left_as_comments(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        "a/package.json": {"name": "a", "scripts": {"start": "node a.js"}},
        "a/package-lock.json": {"name": "a", "lockfileVersion": 3, "packages": {}},
        "a/.nvmrc": "18\n",
        "b/package.json": {"name": "b", "scripts": {"start": "node b.js"}},
        "b/package-lock.json": {"name": "b", "lockfileVersion": 3, "packages": {}},
        "b/.nvmrc": "20\n",
    })
    run("generate", str(root))
    run("init", str(root))
    text = (root / "bakegen.toml").read_text()
    assert "\n[images.node]\n" not in text
    assert '#   build = "node:18-bookworm-slim", runtime = "node:18-bookworm-slim"' in text
    assert '#   build = "node:20-bookworm-slim", runtime = "node:20-bookworm-slim"' in text
    assert load_config(root).images == {}
    assert run("generate", "--check", str(root)).startswith("up to date")


def test_many_services_are_counted_not_listed(tmp_path: Path) -> None:
    files: dict[str, object] = {
        "package.json": {"name": "m", "private": True, "workspaces": ["apps/*"]},
        "package-lock.json": {"name": "m", "lockfileVersion": 3, "packages": {}},
    }
    for i in range(105):
        files[f"apps/s{i:03}/package.json"] = {"name": f"s{i:03}", "scripts": {"start": "node x"}}
    root = write_tree(tmp_path / "repo", files)
    run("init", str(root))
    text = (root / "bakegen.toml").read_text()
    assert "#   s099" in text and "#   s100" not in text
    assert "#   ... and 5 more (`bakegen scan`)" in text


def test_init_force_keeps_service_args_and_secrets(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    without_tool_table(root)
    (root / "bakegen.toml").write_text(
        '[service."@acme/api"]\nargs = { CI = "1" }\n'
        'secrets = { AUTH_SECRET = "env:AUTH_SECRET" }\n'
    )
    run("init", str(root), "--force")
    api = load_config(root).service("@acme/api")
    assert api.args == (("CI", "1"),)
    assert api.secrets == (("AUTH_SECRET", "env:AUTH_SECRET"),)
