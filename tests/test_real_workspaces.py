"""The three real monorepos of ../shared/real-workspaces, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import dockerfile
import pytest
from click.testing import CliRunner

from bakegen.bakefile import load_bakefile
from bakegen.cli import cli
from tests.bakefile import contexts, load_bake_file, unquote
from tests.builders import REAL_WORKSPACES, copy_real_workspace

NAMES = ("documenso", "lldap", "postmodern-mono")


def expected(name: str) -> dict:
    path = REAL_WORKSPACES / f"{name}.expected.json"
    if not path.is_file():
        pytest.skip(f"../shared/real-workspaces/{name}.expected.json is absent")
    return json.loads(path.read_text())


@pytest.mark.parametrize("name", NAMES)
def test_scan_matches_the_hand_checked_packages_and_edges(name: str, tmp_path: Path) -> None:
    want = expected(name)
    repo = copy_real_workspace(name, tmp_path)
    result = CliRunner().invoke(cli, ["scan", str(repo), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {(p["name"], p["path"], p["ecosystem"]) for p in data["packages"]} == {
        (p["name"], p["path"], p["ecosystem"]) for p in want["packages"]
    }
    got_edges = {
        (p["name"], d["name"], d["kind"]) for p in data["packages"] for d in p["dependencies"]
    }
    assert got_edges == {(e["from"], e["to"], e["kind"]) for e in want["edges"]}


@pytest.mark.parametrize("name", NAMES)
def test_generate_gives_a_consistent_bake_file(name: str, tmp_path: Path) -> None:
    repo = copy_real_workspace(name, tmp_path)
    result = CliRunner().invoke(cli, ["generate", str(repo)])
    assert result.exit_code == 0, result.stderr
    bake = load_bake_file(repo / "docker-bake.hcl")
    targets = bake["targets"]
    services = [unquote(t) for t in bake["groups"]["default"]["targets"]]
    assert services
    for service in services:
        target = targets[service]
        # bake reads `dockerfile` relative to the target's context
        path = repo / unquote(target.get("context", '"."')) / unquote(target["dockerfile"])
        assert path.is_file()
        stages = {c.value[2] for c in dockerfile.parse_file(str(path))
                  if c.cmd == "FROM" and len(c.value) == 3}
        for command in dockerfile.parse_file(str(path)):
            if command.cmd == "FROM":
                source = command.value[0]
                assert source in stages or source in contexts(target) or ":" in source \
                    or "/" in source or source.startswith("$") or source.isidentifier(), source
        for ref in contexts(target).values():
            assert ref.removeprefix("target:") in targets
    again = CliRunner().invoke(cli, ["generate", str(repo), "--check"])
    assert again.exit_code == 0, again.stderr


@pytest.mark.parametrize("name", NAMES)
def test_ci_mode_pulls_exactly_the_bases_wave_one_pushes(name: str, tmp_path: Path) -> None:
    """For every service, the CI-mode `docker-image://` contexts are the tags the layered
    matrix's first wave builds, and the local-mode `target:` contexts name those bases."""
    repo = copy_real_workspace(name, tmp_path)
    assert CliRunner().invoke(cli, ["generate", str(repo)]).exit_code == 0
    bake = load_bake_file(repo / "docker-bake.hcl")
    layered = CliRunner().invoke(cli, ["matrix", str(repo), "--layered", "--format", "json"])
    assert layered.exit_code == 0, layered.stderr
    wave_one = {target: tag for job in json.loads(layered.stdout)["bases"]["include"]
                for target, tag in zip(job["targets"], job["tags"], strict=True)}
    expander = load_bakefile(repo)
    pulled = set()
    for service in (unquote(t) for t in bake["groups"]["default"]["targets"]):
        target = bake["targets"][service]
        local, ci = contexts(target, "local"), contexts(target, "ci")
        if not local and not ci:
            continue  # a service with its own Dockerfile
        assert local.keys() == ci.keys() == {"deps-base", "production-base"}
        for key, ref in local.items():
            base = ref.removeprefix("target:")
            # the tag variable resolved as bake resolves it (sha256 of fingerprint + images)
            image = expander.expand(ci[key].removeprefix("docker-image://"))
            assert wave_one[base] == image
            pulled.add(base)
    assert pulled == set(wave_one)
