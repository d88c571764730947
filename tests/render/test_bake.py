from __future__ import annotations

import dataclasses
import re

import hcl2
import pytest

from bakegen.config import Config
from bakegen.plan import make_plan
from bakegen.render.bake import render_bake
from tests.fakes import FakeEcosystem, fake_scan

ECOS = {"node": FakeEcosystem()}
SPEC = {"@acme/api": (True, ("@acme/lib",)), "@acme/web": (True, ()), "@acme/lib": (False, ())}


def unquote(value: str) -> str:
    assert value.startswith('"') and value.endswith('"'), value
    return value[1:-1]


def parsed(config: Config = Config(), spec: dict = SPEC) -> dict:
    text = render_bake(make_plan(fake_scan(spec), config, ECOS))
    data = hcl2.loads(text)
    targets = {unquote(k): v for block in data["target"] for k, v in block.items()}
    groups = {unquote(k): v for block in data["group"] for k, v in block.items()}
    variables = {unquote(k): v for block in data["variable"] for k, v in block.items()}
    return {"targets": targets, "groups": groups, "variables": variables, "text": text}


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
    contexts = {unquote(k): unquote(v) for k, v in api["contexts"].items()}
    assert contexts == {
        "deps-base": "target:node-deps-base",
        "production-base": "target:node-production-base",
    }
    for ref in contexts.values():
        assert ref.removeprefix("target:") in targets
    assert api["tags"] == ['"${REGISTRY}/acme-api:${TAG}"']
    assert api["cache-from"] == ['"type=registry,ref=${REGISTRY}/acme-api:${CACHE_TAG}"']
    assert api["cache-to"] == ['"type=registry,ref=${REGISTRY}/acme-api:${CACHE_TAG},mode=max"']
    assert targets["_common"]["platforms"] == ['"linux/amd64"', '"linux/arm64"']
    deps = targets["node-deps-base"]
    assert unquote(deps["target"]) == "deps-base"
    assert {unquote(k): unquote(v) for k, v in deps["args"].items()} == {
        "NODE_IMAGE": "${NODE_IMAGE}",
        "NODE_RUNTIME_IMAGE": "${NODE_RUNTIME_IMAGE}",
    }


@pytest.mark.parametrize("cache", ["gha", "none"])
def test_cache_modes(cache: str) -> None:
    api = parsed(dataclasses.replace(Config(), cache=cache))["targets"]["acme-api"]
    if cache == "gha":
        assert api["cache-from"] == ['"type=gha,scope=acme-api"']
        assert api["cache-to"] == ['"type=gha,scope=acme-api,mode=max"']
    else:
        assert "cache-from" not in api and "cache-to" not in api


def test_platforms_registry_and_metadata_action() -> None:
    config = dataclasses.replace(
        Config(), platforms=("linux/arm64",), registry="ghcr.io/x", metadata_action=True
    )
    bake = parsed(config)
    assert bake["targets"]["_common"]["platforms"] == ['"linux/arm64"']
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
    assert title == '"$${evil}\\"\\\\"'
    assert "${evil}" not in bake["text"].replace("$${evil}", "")


def test_same_plan_gives_identical_text() -> None:
    assert parsed()["text"] == parsed()["text"]
