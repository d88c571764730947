from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.config import Config, ImageSettings
from bakegen.settings import ServiceSettings
from tests.bakefile import contexts, load_bake, resolve, resolve_list, unquote
from tests.fakes import FakeEcosystem, fake_scan, files_of, plan_of

ECOS = {"node": FakeEcosystem()}
SPEC = {"@acme/api": (True, ("@acme/lib",)), "@acme/web": (True, ()), "@acme/lib": (False, ())}


def parsed(config: Config = Config(), spec: dict = SPEC, digests: dict | None = None) -> dict:
    files = files_of(plan_of(fake_scan(spec), config, ECOS), digests)
    return load_bake(files["docker-bake.hcl"])


def test_structure_follows_the_bake_reference() -> None:
    bake = parsed()
    targets = bake["targets"]
    assert set(targets) == {
        "_common",
        "node-deps-base",
        "node-production-base",
        "acme-api",
        "acme-web",
    }
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]+", name) for name in targets)
    assert [unquote(t) for t in bake["groups"]["default"]["targets"]] == ["acme-api", "acme-web"]
    assert set(bake["groups"]) == {"default", "node"}
    assert set(bake["variables"]) >= {
        "REGISTRY",
        "TAG",
        "CACHE_TAG",
        "NODE_IMAGE",
        "NODE_RUNTIME_IMAGE",
    }
    api = targets["acme-api"]
    assert api["inherits"] == ['"_common"']
    local = contexts(api)
    assert local == {
        "deps-base": "target:node-deps-base",
        "production-base": "target:node-production-base",
    }
    for ref in local.values():
        assert ref.removeprefix("target:") in targets
    assert api["tags"] == '${formatlist("${REGISTRY}/acme-api:%s", split(",", TAG))}'
    assert api["cache-from"] == ['"type=registry,ref=${REGISTRY}/acme-api:${CACHE_TAG}"']
    # cache is written in CI mode only: a developer's bake needs no push rights and no
    # cache-exporting builder driver
    assert resolve_list(api["cache-to"], "local") == []
    assert resolve_list(api["cache-to"], "ci") == [
        "type=registry,ref=${REGISTRY}/acme-api:${CACHE_TAG},mode=max"]
    assert targets["_common"]["platforms"] == '${split(",", BUILD_PLATFORMS)}'
    assert bake["variables"]["PLATFORMS"]["default"] == '"linux/amd64,linux/arm64"'
    # one bake may build a subset of the platforms; by default all of them
    assert bake["variables"]["BUILD_PLATFORMS"]["default"] == '"${PLATFORMS}"'
    deps = targets["node-deps-base"]
    assert unquote(deps["target"]) == "deps-base"
    assert {unquote(k): unquote(v) for k, v in deps["args"].items()} == {
        "NODE_IMAGE": "${NODE_IMAGE}",
        "NODE_RUNTIME_IMAGE": "${NODE_RUNTIME_IMAGE}",
    }
    assert resolve(bake["variables"]["BAKEGEN_MODE"]["default"]) == "local"


def test_ci_mode_pulls_bases_by_content_addressed_tag() -> None:
    bake = parsed()
    targets = bake["targets"]
    assert targets["node-deps-base"]["tags"] == ['"${REGISTRY}/node-deps-base:${NODE_BASE_TAG}"']
    assert targets["node-production-base"]["tags"] == [
        '"${REGISTRY}/node-production-base:${NODE_BASE_TAG}"']
    # the generate-time fingerprint hashed with what bake resolves at build time
    tag = bake["variables"]["NODE_BASE_TAG"]["default"]
    match = re.fullmatch(r'\$\{substr\(sha256\("([0-9a-f]{20})\|\$\{NODE_IMAGE\}\|'
                         r'\$\{NODE_RUNTIME_IMAGE\}\|\$\{PLATFORMS\}"\), 0, 20\)\}', tag)
    assert match, tag
    assert unquote(targets["node-deps-base"]["labels"]['"dev.bakegen.fingerprint"']) == match[1]
    assert contexts(targets["acme-api"], "ci") == {
        "deps-base": "docker-image://${REGISTRY}/node-deps-base:${NODE_BASE_TAG}",
        "production-base": "docker-image://${REGISTRY}/node-production-base:${NODE_BASE_TAG}",
    }
    # a base exports its own cache only in CI mode, where no other target shares it
    assert resolve_list(targets["node-deps-base"]["cache-to"], "local") == []
    assert resolve_list(targets["node-deps-base"]["cache-to"], "ci") == [
        "type=registry,ref=${REGISTRY}/node-deps-base:${CACHE_TAG},mode=max"]


def test_fingerprint_changes_when_and_only_when_an_input_changes() -> None:
    def tag(digests: dict, config: Config = Config()) -> str:
        bake = parsed(config, digests=digests)
        return str(bake["variables"]["NODE_BASE_TAG"]["default"])

    same = tag({"package-lock.json": "aa"})
    assert same == tag({"package-lock.json": "aa"})
    assert same != tag({"package-lock.json": "bb"})
    assert same != tag({"package-lock.json": "aa", "pkgs/acme-api/package.json": "cc"})
    one_platform = dataclasses.replace(Config(), platforms=("linux/amd64",))
    assert same != tag({"package-lock.json": "aa"}, one_platform)
    other_image = dataclasses.replace(Config(), images={"node": ImageSettings(build="node:22")})
    assert same != tag({"package-lock.json": "aa"}, other_image)
    # a service's source is not an input of the bases
    assert same == tag({"package-lock.json": "aa", "pkgs/acme-api/index.js": "dd"})


@pytest.mark.parametrize("cache", ["gha", "none"])
def test_cache_modes(cache: str) -> None:
    api = parsed(dataclasses.replace(Config(), cache=cache))["targets"]["acme-api"]
    if cache == "gha":
        # one scope per target and CACHE_TAG: CI sets CACHE_TAG per platform
        assert api["cache-from"] == ['"type=gha,scope=acme-api-${CACHE_TAG}"']
        assert resolve_list(api["cache-to"], "ci") == [
            "type=gha,scope=acme-api-${CACHE_TAG},mode=max"]
        assert resolve_list(api["cache-to"], "local") == []
        base = parsed(dataclasses.replace(Config(), cache=cache))["targets"]["node-deps-base"]
        assert base["cache-from"] == ['"type=gha,scope=node-deps-base-${CACHE_TAG}"']
    else:
        assert "cache-from" not in api and "cache-to" not in api


def test_platforms_registry_and_metadata_action() -> None:
    config = dataclasses.replace(
        Config(), platforms=("linux/arm64",), registry="ghcr.io/x", metadata_action=True
    )
    bake = parsed(config)
    assert bake["variables"]["PLATFORMS"]["default"] == '"linux/arm64"'
    assert bake["targets"]["_common"]["inherits"] == ['"docker-metadata-action"']
    assert "docker-metadata-action" in bake["targets"]
    assert bake["variables"]["REGISTRY"]["default"] == '"ghcr.io/x"'


def test_hostile_names_are_escaped() -> None:
    bake = parsed(spec={'${evil}"\\': (True, ())})
    (name,) = [
        t for t in bake["targets"] if t not in {"_common", "node-deps-base", "node-production-base"}
    ]
    assert name == "evil"
    title = bake["targets"]["evil"]["labels"]['"org.opencontainers.image.title"']
    assert title == '"\\u0024{evil}\\"\\\\"'
    assert "${evil}" not in bake["text"]


def test_services_only_link_to_existing_base_targets_in_both_modes() -> None:
    bake = parsed()
    for name, target in bake["targets"].items():
        for ref in contexts(target).values():
            assert ref.startswith("target:") and ref[len("target:") :] in bake["targets"], name


def test_same_plan_gives_identical_text() -> None:
    assert parsed()["text"] == parsed()["text"]


def test_service_targets_pass_their_args_and_secrets() -> None:
    settings = ServiceSettings(
        args=(("CI", "1"),),
        secrets=(("AUTH_SECRET", "env:AUTH_SECRET"), ("SENTRY_TOKEN", "~/.sentry")),
    )
    bake = parsed(dataclasses.replace(Config(), services={"@acme/api": settings}))
    api = bake["targets"]["acme-api"]
    assert {unquote(k): unquote(v) for k, v in api["args"].items()} == {"CI": "1"}
    assert [unquote(s) for s in api["secret"]] == [
        "id=AUTH_SECRET,env=AUTH_SECRET", "id=SENTRY_TOKEN,src=${HOME}/.sentry"]
    assert "HOME" in bake["variables"]
    assert "secret" not in bake["targets"]["acme-web"]


def _choose(expression: str, environ: dict[str, str]) -> str:
    """Evaluate `A != "" ? A : (B != "" ? B : "default")` the way bake does."""
    found = re.fullmatch(
        r'\$\{(\w+) != "" \? \1 : \((\w+) != "" \? \2 : "([^"]+)"\)\}', expression
    )
    assert found, expression
    own, language, default = found.groups()
    return environ.get(own) or environ.get(language) or default


def test_one_language_variable_overrides_every_workspace_of_that_language(
    tmp_path: Path,
) -> None:
    for name, python in (("a", "3.11"), ("b", "3.12")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pyproject.toml").write_text(
            f'[tool.poetry]\nname = "{name}"\nversion = "1"\n'
            f'[tool.poetry.dependencies]\npython = "^{python}"\n'
            f'[tool.poetry.scripts]\n{name} = "{name}:main"\n'
        )
        (tmp_path / name / "poetry.lock").write_text("")
    result = CliRunner().invoke(cli, ["generate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    bake = load_bake((tmp_path / "docker-bake.hcl").read_text())
    for variable in ("PYTHON_IMAGE", "PYTHON_A_IMAGE", "PYTHON_B_IMAGE"):
        assert unquote(bake["variables"][variable]["default"]) == ""
    a_arg = bake["targets"]["python-a-deps-base"]["args"]['"PYTHON_A_IMAGE"']
    b_arg = bake["targets"]["python-b-deps-base"]["args"]['"PYTHON_B_IMAGE"']
    assert _choose(a_arg, {}) == "python:3.11-slim-bookworm"
    assert _choose(b_arg, {}) == "python:3.12-slim-bookworm"
    language = {"PYTHON_IMAGE": "python:3.13-slim"}
    assert _choose(a_arg, language) == _choose(b_arg, language) == "python:3.13-slim"
    # a workspace's own variable goes on top of the language-wide one
    both = {**language, "PYTHON_A_IMAGE": "python:3.10-slim"}
    assert (_choose(a_arg, both), _choose(b_arg, both)) == ("python:3.10-slim", "python:3.13-slim")


def test_pushed_images_carry_sbom_and_provenance_and_only_real_labels() -> None:
    targets = parsed()["targets"]
    for service in ("acme-api", "acme-web"):
        attest = targets[service]["attest"]
        assert resolve_list(attest, "ci") == ["type=sbom", "type=provenance,mode=max"]
        assert resolve_list(attest, "local") == []
    assert "attest" not in targets["node-deps-base"]
    # bake drops a label whose value is null: no empty source or revision on an image
    labels = targets["_common"]["labels"]
    assert labels['"org.opencontainers.image.source"'] == (
        '${SOURCE_URL != "" ? SOURCE_URL : null}')
    assert labels['"org.opencontainers.image.revision"'] == '${GIT_SHA != "" ? GIT_SHA : null}'
