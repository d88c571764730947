"""`[service."X"]` keys must name a package: a wrong key would drop its settings silently."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bakegen.cli import cli
from tests.builders import write_tree

WORKSPACE = {
    "package.json": '{"name": "root", "private": true, "workspaces": ["apps/*"]}',
    "package-lock.json": "{}",
    "apps/api/package.json": '{"name": "@acme/api", "scripts": {"start": "node index.js"}}',
    "apps/api/index.js": "",
}


def _generate(root: Path, config: dict[str, str]) -> tuple[int, str]:
    write_tree(root, {**WORKSPACE, **config})
    result = CliRunner().invoke(cli, ["generate", str(root)])
    return result.exit_code, result.output


def test_a_key_naming_the_package_is_applied(tmp_path: Path) -> None:
    code, out = _generate(tmp_path, {"bakegen.toml": '[service."@acme/api"]\nport = 8123\n'})
    assert code == 0
    assert out.startswith("1 service, 2 base targets (node-deps-base, node-production-base); ")
    assert "EXPOSE 8123" in (tmp_path / "docker/services/acme-api.Dockerfile").read_text()


def test_an_unknown_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    code, out = _generate(tmp_path, {"bakegen.toml": '[service."@acme/apj"]\nport = 8123\n'})
    assert code == 2
    assert out == ('bakegen.toml: [service."@acme/apj"] names no package '
                   '(did you mean [service."@acme/api"]?)\n')
    assert not (tmp_path / "docker-bake.hcl").exists()


def test_a_target_name_used_as_key_is_recognised(tmp_path: Path) -> None:
    pyproject = '[tool.bakegen.service.acme-api]\nport = 8123\n'
    code, out = _generate(tmp_path, {"pyproject.toml": pyproject})
    assert code == 2
    assert out == ('pyproject.toml [tool.bakegen]: [service."acme-api"] names no package '
                   '("acme-api" is the bake target of @acme/api; tables are keyed by package '
                   'name: [service."@acme/api"])\n')


def test_nothing_close_lists_the_packages(tmp_path: Path) -> None:
    code, out = _generate(tmp_path, {"bakegen.toml": '[service."zzz"]\nport = 1\n'})
    assert code == 2 and out.endswith('names no package (packages: @acme/api)\n')
