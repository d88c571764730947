"""Scan scope: stray manifests never stop a run, standalone projects need evidence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.scan.scope import Scope
from tests.builders import write_tree

CASES = Path(__file__).parents[1] / "cases"
YARN_LOCK = "# yarn lockfile v1\n\n\n"
NPM_LOCK = {"lockfileVersion": 3, "requires": True, "packages": {}}


def scan_json(root: Path) -> tuple[int, dict[str, object], str]:
    result = CliRunner().invoke(cli, ["scan", str(root), "--json"], catch_exceptions=False)
    data = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, data, result.stderr


def ids(data: dict[str, object]) -> list[str]:
    return [p["id"] for p in data["packages"]]  # type: ignore[index, union-attr]


def skipped(data: dict[str, object]) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in data["skipped"]}  # type: ignore[index, union-attr]


@pytest.fixture
def stray(tmp_path: Path) -> Path:
    return shutil.copytree(CASES / "scope-stray-manifests" / "workspace", tmp_path / "ws")


def test_stray_manifests_are_skipped_with_reasons(stray: Path) -> None:
    code, data, _ = scan_json(stray)
    assert code == 0
    assert ids(data) == ["cargo:svc", "node:@m/api", "node:@m/lib", "node:deploy"]
    assert skipped(data) == {
        ".github/actions/x/package.json": 'matches default exclude ".github/" (CI actions)',
        ".github/actions/y/package.json": 'matches default exclude ".github/" (CI actions)',
        "docs/pyproject.toml": 'matches default exclude "docs/" (documentation)',
        "examples/a/package.json": 'matches default exclude "examples/" (example projects)',
        "examples/b/package.json": 'matches default exclude "examples/" (example projects)',
        "examples/rust-demo/Cargo.toml": 'matches default exclude "examples/" (example projects)',
        "tools/gen/Cargo.toml": "outside every cargo workspace, and no Dockerfile, compose "
        "build or bakegen.toml entry builds it on its own",
        "vendor/patched/Cargo.toml": 'matches default exclude "vendor/" (vendored code)',
    }


def test_problems_of_stray_files_are_warnings_naming_file_and_reason(stray: Path) -> None:
    _, data, _ = scan_json(stray)
    problems = {(p["severity"], p["path"]) for p in data["problems"]}  # type: ignore[index, union-attr]
    # the example crate's path into the workspace is only a warning of a skipped file, which
    # its skip line already explains
    assert problems == {("warning", "python/templates/{{cookiecutter.name}}/pyproject.toml")}
    assert "examples/rust-demo/Cargo.toml" in skipped(data)
    messages = [p["message"] for p in data["problems"]]  # type: ignore[index, union-attr]
    assert messages[0].startswith("invalid TOML: ")
    assert messages[0].endswith(
        '(not built: matches default exclude "*{{*" (a template placeholder in the path))')


@pytest.mark.parametrize("command", [["scan"], ["graph"], ["generate"]])
def test_stray_manifests_never_stop_a_command(stray: Path, command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, str(stray)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "warning: python/templates/{{cookiecutter.name}}/pyproject.toml: invalid TOML" in (
        result.stderr)


def test_user_exclude_removes_paths_and_negation_reopens_defaults(stray: Path) -> None:
    (stray / "bakegen.toml").write_text('exclude = ["tools/deploy/", "!examples/a/"]\n')
    _, data, _ = scan_json(stray)
    assert "node:deploy" not in ids(data)
    found = skipped(data)
    assert found["tools/deploy/package.json"] == 'matches exclude "tools/deploy/" in bakegen.toml'
    # no longer a default exclude, but still a standalone project nothing builds
    assert found["examples/a/package.json"].startswith("outside every node workspace")


def test_workspace_members_ignore_default_excludes(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "mono", "private": True, "workspaces": ["examples/*"]},
        "yarn.lock": YARN_LOCK,
        "examples/demo/package.json": {"name": "demo", "version": "1.0.0"},
    })
    code, data, _ = scan_json(tmp_path)
    assert code == 0
    assert ids(data) == ["node:demo"]


def test_broken_member_manifest_stays_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "mono", "private": True, "workspaces": ["examples/*"]},
        "yarn.lock": YARN_LOCK,
        "examples/demo/package.json": '{"name": ',
        "tools/x/package.json": '{"name": ',
    })
    result = CliRunner().invoke(cli, ["scan", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any(line.startswith("examples/demo/package.json: invalid JSON") for line in lines)
    assert any(line.startswith("warning: tools/x/package.json: invalid JSON")
               and line.endswith("; not a member of any workspace, so not built")
               for line in lines)


def test_broken_uv_member_is_an_error_and_a_stray_one_a_warning(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
        "libs/a/pyproject.toml": "[project\n",
        "scripts/pyproject.toml": "[project\n",
    })
    result = CliRunner().invoke(cli, ["scan", str(tmp_path)])
    assert result.exit_code == 2
    assert "\nlibs/a/pyproject.toml: invalid TOML" in "\n" + result.stderr
    assert "warning: scripts/pyproject.toml: invalid TOML" in result.stderr
    assert "not a member of any uv workspace, so not built" in result.stderr


def test_independent_projects_stay_packages_without_any_workspace(tmp_path: Path) -> None:
    project = '[project]\nname = "{0}"\nversion = "1"\n[project.scripts]\n{0} = "m:main"\n'
    write_tree(tmp_path, {
        "api/pyproject.toml": project.format("api"),
        "worker/pyproject.toml": project.format("worker"),
        "docs/pyproject.toml": project.format("docs"),
    })
    code, data, _ = scan_json(tmp_path)
    assert code == 0
    assert ids(data) == ["python:api", "python:worker"]
    assert list(skipped(data)) == ["docs/pyproject.toml"]


def test_standalone_project_with_a_dockerfile_is_kept_beside_a_workspace(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "mono", "private": True, "workspaces": ["apps/*"]},
        "yarn.lock": YARN_LOCK,
        "apps/web/package.json": {"name": "web", "version": "1.0.0"},
        "ops/bot/package.json": {"name": "bot", "version": "1.0.0"},
        "ops/bot/package-lock.json": NPM_LOCK,
        "ops/bot/Dockerfile": "FROM node:22\n",
        "ops/cli/package.json": {"name": "cli", "version": "1.0.0"},
        "ops/cli/package-lock.json": NPM_LOCK,
    })
    _, data, _ = scan_json(tmp_path)
    assert ids(data) == ["node:bot", "node:web"]
    assert list(skipped(data)) == ["ops/cli/package.json"]


def test_bakegen_toml_entry_keeps_a_standalone_project(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "mono", "private": True, "workspaces": ["apps/*"]},
        "yarn.lock": YARN_LOCK,
        "apps/web/package.json": {"name": "web", "version": "1.0.0"},
        "examples/cli/package.json": {"name": "cli", "version": "1.0.0"},
        "examples/cli/package-lock.json": NPM_LOCK,
        "bakegen.toml": 'services.include = ["cli"]\n',
    })
    _, data, _ = scan_json(tmp_path)
    assert ids(data) == ["node:cli", "node:web"]


def test_scope_reasons() -> None:
    scope = Scope(("build/", "!docs/keep/"))
    assert scope.user_reason("build/x/package.json") == 'matches exclude "build/" in bakegen.toml'
    assert scope.user_reason("src/package.json") is None
    assert scope.default_reason("a/fixtures/b/Cargo.toml") == (
        'matches default exclude "fixtures/" (test fixtures)')
    assert scope.default_reason("docs/keep/pyproject.toml") is None
    assert scope.default_reason("services/api/pyproject.toml") is None


def test_exclude_must_be_a_list_of_strings(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bakegen.toml": 'exclude = "examples"\n'})
    result = CliRunner().invoke(cli, ["scan", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        "bakegen.toml: \"exclude\" must be a list of strings, got 'examples'\n")


def test_same_name_in_two_independent_projects_keeps_one_with_a_warning(tmp_path: Path) -> None:
    app = {"name": "assist", "version": "1.0.0", "scripts": {"start": "node a.js"}}
    write_tree(tmp_path, {
        "assist/package.json": app, "assist/package-lock.json": NPM_LOCK,
        "ee/assist/package.json": app, "ee/assist/package-lock.json": NPM_LOCK,
    })
    code, data, _ = scan_json(tmp_path)
    assert code == 0
    assert [p["path"] for p in data["packages"]] == ["assist"]  # type: ignore[index, union-attr]
    assert skipped(data) == {
        "ee/assist/package.json": 'its name "assist" is taken by assist/package.json of '
        "another workspace"}
    assert [w["root"] for w in data["workspaces"]] == ["assist"]  # type: ignore[index, union-attr]


def test_dockerfile_for_browser_tests_is_no_evidence(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "m", "private": True, "workspaces": ["web"]},
        "yarn.lock": YARN_LOCK,
        "web/package.json": {"name": "web", "version": "1.0.0", "scripts": {"start": "vite"}},
        "web/Dockerfile.playwright": "FROM node:22\nCOPY . .\n",
    })
    _, data, _ = scan_json(tmp_path)
    assert skipped(data) == {
        "web/Dockerfile.playwright": "a Dockerfile for development or CI, not a service"}


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    return shutil.copytree(CASES / "scope-nested-workspaces" / "workspace", tmp_path / "ws")


def test_a_workspace_needing_crates_of_another_is_no_service_and_no_stop(nested: Path) -> None:
    result = CliRunner().invoke(cli, ["generate", str(nested)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert ('warning: crates/trampoline/launcher/Cargo.toml: path dependency "core-lib" points '
            'to crate "core-lib" (crates/core), which is not a member of the workspace at '
            '"crates/trampoline"; not built:') in result.output
    code, data, _ = scan_json(nested)
    services = {p["name"] for p in data["packages"] if p["deployable"]}  # type: ignore[union-attr]
    assert code == 0 and services == {"server"}
    bake = (nested / "docker-bake.hcl").read_text(encoding="utf-8")
    assert 'target "server"' in bake and "gui" not in bake and "launcher" not in bake


def test_a_whole_workspace_below_a_default_exclude_is_skipped(nested: Path) -> None:
    _, data, _ = scan_json(nested)
    assert "python:seeds" not in ids(data)
    assert skipped(data)["test/workspaces/fixture-ws/packages/seeds/pyproject.toml"] == (
        'its workspace test/workspaces/fixture-ws matches default exclude "test/" (tests)')
    roots = {w["root"] for w in data["workspaces"]}  # type: ignore[union-attr]
    assert not any(r.startswith("test/") for r in roots)
    # the user's `!` line brings it back
    write_tree(nested, {"bakegen.toml": 'exclude = ["!test/"]\n'})
    _, data, _ = scan_json(nested)
    assert "python:seeds" in ids(data)
