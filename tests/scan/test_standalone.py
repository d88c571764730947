"""Dockerfiles that build no package: a service of their own where the repo has no package,
or where `services.include` names them; infrastructure with a hint otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
from click.testing import CliRunner

from bakegen.cli import cli
from tests.builders import write_tree

PROXY = "FROM nginx:1.27-alpine\nCOPY nginx.conf /etc/nginx/nginx.conf\n"
PACKAGE = {"name": "web", "version": "1.0.0", "scripts": {"start": "node server.js"}}
LOCK = {"name": "web", "lockfileVersion": 3, "packages": {"": {"name": "web"}}}


def _scan(root: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["scan", str(root), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _targets(root: Path, *args: str) -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["generate", str(root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    bake = hcl2.loads((root / "docker-bake.hcl").read_text())
    return {name.strip('"'): {k: v.strip('"') if isinstance(v, str) else v
                              for k, v in body.items()}
            for block in bake["target"] for name, body in block.items()
            if name.strip('"') != "_common" and not name.strip('"').endswith("-base")}


def _groups(root: Path) -> dict[str, list[str]]:
    bake = hcl2.loads((root / "docker-bake.hcl").read_text())
    return {name.strip('"'): [t.strip('"') for t in body["targets"]] for block in bake["group"]
            for name, body in block.items()}


def test_a_repository_holding_only_a_dockerfile_gets_its_target(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": PROXY, "nginx.conf": "events {}\n"})
    data = _scan(tmp_path)
    assert [(p["ecosystem"], p["name"], p["path"], p["deployable"]) for p in data["packages"]] \
        == [("docker", "app", ".", True)]
    targets = _targets(tmp_path)
    assert list(targets) == ["app"]
    assert targets["app"]["context"] == "." and targets["app"]["dockerfile"] == "Dockerfile"
    assert "contexts" not in targets["app"]  # no bases: built as it is
    assert _groups(tmp_path) == {"default": ["app"]}
    assert not list((tmp_path / "docker").glob("base-*"))


def test_a_nested_lone_dockerfile_is_named_by_its_folder_and_built_from_it(
    tmp_path: Path
) -> None:
    write_tree(tmp_path, {"services/proxy/Dockerfile": PROXY,
                          "services/proxy/nginx.conf": "events {}\n"})
    targets = _targets(tmp_path)
    assert {t: (b["context"], b["dockerfile"]) for t, b in targets.items()} == {
        "proxy": ("services/proxy", "Dockerfile")}
    result = CliRunner().invoke(cli, ["scan", str(tmp_path)])
    assert "0 packages, 1 lone Dockerfile, 1 service" in result.output


def test_lone_dockerfiles_sharing_a_name_get_their_paths_names(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "eu/proxy/Dockerfile": PROXY, "eu/proxy/nginx.conf": "",
        "us/proxy/Dockerfile": PROXY, "us/proxy/nginx.conf": "",
        "tools/Dockerfile.migrate": "FROM alpine:3.20\nCOPY migrate.sh /\n",
        "tools/migrate.sh": "",
    })
    assert set(_targets(tmp_path)) == {"eu-proxy-Dockerfile", "us-proxy-Dockerfile", "migrate"}


def test_dev_dockerfiles_alone_are_still_nothing_found(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile.dev": PROXY, ".devcontainer/Dockerfile": PROXY})
    result = CliRunner().invoke(cli, ["generate", str(tmp_path)])
    assert result.exit_code != 0
    assert "no packages found" in result.output and "Dockerfile.dev" in result.output
    assert not (tmp_path / "docker-bake.hcl").exists()


def test_compose_names_a_lone_build_and_gives_its_context(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "compose.yaml": "services:\n  edge:\n    build:\n      context: .\n"
                        "      dockerfile: deploy/proxy/Dockerfile\n",
        "deploy/proxy/Dockerfile": "FROM nginx:1.27-alpine\nCOPY deploy/proxy/nginx.conf /etc/\n",
        "deploy/proxy/nginx.conf": "",
    })
    targets = _targets(tmp_path)
    assert {t: (b["context"], b["dockerfile"]) for t, b in targets.items()} == {
        "edge": (".", "deploy/proxy/Dockerfile")}


def test_beside_packages_a_lone_dockerfile_is_infrastructure_with_a_hint(tmp_path: Path) -> None:
    write_tree(tmp_path, {"package.json": PACKAGE, "package-lock.json": LOCK,
                          "server.js": "", "infra/proxy/Dockerfile": PROXY,
                          "infra/proxy/nginx.conf": ""})
    skipped = {s["path"]: s["reason"] for s in _scan(tmp_path)["skipped"]}
    assert skipped["infra/proxy/Dockerfile"].endswith(
        'infrastructure, not a service; list "proxy" in services.include to build it')
    assert set(_targets(tmp_path)) == {"web"}


def test_services_include_builds_a_lone_dockerfile_by_name_path_or_folder(
    tmp_path: Path
) -> None:
    write_tree(tmp_path, {"package.json": PACKAGE, "package-lock.json": LOCK, "server.js": "",
                          "infra/proxy/Dockerfile": PROXY, "infra/proxy/nginx.conf": "",
                          "infra/db/Dockerfile": "FROM postgres:16\nCOPY init.sql /docker/\n",
                          "infra/db/init.sql": ""})
    for named in ("proxy", "infra/proxy", "infra/proxy/Dockerfile"):
        (tmp_path / "bakegen.toml").write_text(f'[services]\ninclude = ["{named}"]\n')
        result = CliRunner().invoke(cli, ["generate", str(tmp_path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "which no package is called" not in result.output
        assert set(_targets(tmp_path)) == {"web", "proxy"}, named
        # the ecosystem groups hold the ecosystems' services; default holds every one
        assert _groups(tmp_path)["default"] == ["proxy", "web"]
        assert _groups(tmp_path)["node"] == ["web"]


def test_services_exclude_drops_a_lone_dockerfile(tmp_path: Path) -> None:
    write_tree(tmp_path, {"proxy/Dockerfile": PROXY, "proxy/nginx.conf": "",
                          "cron/Dockerfile": "FROM alpine:3.20\nCOPY job.sh /\n",
                          "cron/job.sh": "",
                          "bakegen.toml": '[services]\nexclude = ["cron"]\n'})
    assert set(_targets(tmp_path)) == {"proxy"}
    skipped = {s["path"]: s["reason"] for s in _scan(tmp_path)["skipped"]}
    assert skipped["cron/Dockerfile"].endswith("excluded by services.exclude in bakegen.toml")


def test_a_lone_dockerfile_cannot_be_adopted(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": PROXY, "nginx.conf": ""})
    result = CliRunner().invoke(cli, ["generate", str(tmp_path), "--adopt", "app"])
    assert result.exit_code != 0
    assert "--adopt app: Dockerfile builds no package of any ecosystem" in result.output
    assert len(result.output.strip().splitlines()) == 1
    (tmp_path / "bakegen.toml").write_text('[service.app]\nadopt = true\n')
    result = CliRunner().invoke(cli, ["generate", str(tmp_path)])
    assert result.exit_code != 0
    assert result.output.startswith("bakegen.toml: [service.\"app\"] adopt = true: Dockerfile")
    # nothing to adopt is not announced as a cost
    (tmp_path / "bakegen.toml").unlink()
    result = CliRunner().invoke(cli, ["generate", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0 and "--adopt" not in result.output


def test_a_change_in_a_lone_dockerfiles_context_affects_it(tmp_path: Path) -> None:
    import subprocess

    write_tree(tmp_path, {"proxy/Dockerfile": PROXY, "proxy/nginx.conf": "a\n",
                          "cron/Dockerfile": "FROM alpine:3.20\nCOPY job.sh /\n",
                          "cron/job.sh": ""})
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "a"], check=True)
    (tmp_path / "proxy/nginx.conf").write_text("b\n")
    subprocess.run([*git, "commit", "-qam", "b"], check=True)
    assert set(_targets(tmp_path)) == {"proxy", "cron"}
    result = CliRunner().invoke(cli, ["matrix", str(tmp_path), "--affected", "--base", "HEAD~1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [job["target"] for job in json.loads(result.stdout)["include"]] == ["proxy"]
