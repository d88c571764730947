"""CI-mode base tags hash what bake builds, seen with the real BuildKit kit: overriding an
image variable names another base tag, `bakegen matrix --layered --missing-bases` reports
it missing, the base is rebuilt under it and the service builds on top of it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.realbuild.kit import Kit

pytestmark = pytest.mark.realbuild
CASE = Path(__file__).parent.parent / "cases" / "rb-fastapi" / "workspace"
BAKEGEN = [str(Path(sys.executable).parent / "bakegen")]


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=1200, check=False)
    assert done.returncode == 0, f"{command}: {done.stderr[-3000:]}"
    return done.stdout


def _missing(repo: Path, env: dict[str, str]) -> dict[str, str]:
    out = _run([*BAKEGEN, "matrix", ".", "--layered", "--missing-bases", "--format", "json"],
               repo, env)
    return {t: tag for job in json.loads(out)["bases"]["include"]
            for t, tag in zip(job["targets"], job["tags"], strict=True)}


def _bake(repo: Path, env: dict[str, str], *targets: str) -> dict[str, dict[str, object]]:
    files = ["docker-bake.hcl"]
    printed = json.loads(_run(["docker", "buildx", "bake", "-f", *files, "--print", *targets],
                              repo, env))["target"]
    # the kit has no SBOM scanner image (docker/buildkit-syft-scanner): SBOMs off, provenance kept
    _run(["docker", "buildx", "bake", "-f", *files, "--set",
          "*.output=type=image,push=true,registry.insecure=true",
          "--set", "*.attest=type=sbom,disabled=true", *targets], repo, env)
    result: dict[str, dict[str, object]] = printed
    return result


def test_an_image_override_names_and_builds_another_base(kit: Kit, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CASE, repo)
    _run([*BAKEGEN, "generate", "."], repo, kit.env)
    prefix = f"bakegen-ci-tags-{uuid.uuid4().hex[:8]}"
    # platforms only through PLATFORMS, never `--set '*.platform=…'` in CI mode
    env = {**kit.env, "REGISTRY": f"{kit.registry}/{prefix}", "BAKEGEN_MODE": "ci",
           "PLATFORMS": "linux/amd64"}
    first = _missing(repo, env)
    assert set(first) == {"python-deps-base", "python-production-base"}
    printed = _bake(repo, env, *first)
    assert {t: printed[t]["tags"] for t in first} == {t: [tag] for t, tag in first.items()}
    assert _missing(repo, env) == {}  # pushed: nothing left to build
    _bake(repo, env, "rb-api")

    # the same image under another reference: bake's tag and bakegen's both move
    image = env["PYTHON_RUNTIME_IMAGE"]
    overridden = {**env, "PYTHON_RUNTIME_IMAGE": f"docker.io/library/{image}"}
    second = _missing(repo, overridden)
    assert set(second) == set(first)
    assert all(second[t] != first[t] for t in first)
    printed = _bake(repo, overridden, *second)
    assert {t: printed[t]["tags"] for t in second} == {t: [tag] for t, tag in second.items()}
    assert _missing(repo, overridden) == {}
    service = _bake(repo, overridden, "rb-api")["rb-api"]
    contexts = service["contexts"]
    assert isinstance(contexts, dict)
    assert contexts["production-base"] == f"docker-image://{second['python-production-base']}"
    # the first base is still there under its own tag, untouched
    assert _missing(repo, env) == {}


def test_one_platform_job_keeps_the_tag_of_every_platform(kit: Kit, tmp_path: Path) -> None:
    """BUILD_PLATFORMS (the workflow's per-platform jobs) builds one platform under the tag
    that hashes PLATFORMS; PLATFORMS itself names another tag."""
    repo = tmp_path / "repo"
    shutil.copytree(CASE, repo)
    _run([*BAKEGEN, "generate", "."], repo, kit.env)
    env = {**kit.env, "REGISTRY": "registry.example/acme", "BAKEGEN_MODE": "ci"}

    def printed(extra: dict[str, str]) -> dict[str, dict[str, object]]:
        out = _run(["docker", "buildx", "bake", "-f", "docker-bake.hcl", "--print",
                    "python-deps-base", "rb-api"], repo, {**env, **extra})
        result: dict[str, dict[str, object]] = json.loads(out)["target"]
        return result

    both, one = printed({}), printed({"BUILD_PLATFORMS": "linux/arm64"})
    assert both["python-deps-base"]["platforms"] == ["linux/amd64", "linux/arm64"]
    assert one["python-deps-base"]["platforms"] == ["linux/arm64"]
    assert one["rb-api"]["platforms"] == ["linux/arm64"]
    assert one["python-deps-base"]["tags"] == both["python-deps-base"]["tags"]
    assert one["rb-api"]["contexts"] == both["rb-api"]["contexts"]
    layered = _run([*BAKEGEN, "matrix", ".", "--layered", "--format", "json"], repo, env)
    tags = {t: tag for job in json.loads(layered)["bases"]["include"]
            for t, tag in zip(job["targets"], job["tags"], strict=True)}
    assert [tags["python-deps-base"]] == both["python-deps-base"]["tags"]
    amd = printed({"PLATFORMS": "linux/amd64"})
    assert amd["python-deps-base"]["tags"] != both["python-deps-base"]["tags"]
