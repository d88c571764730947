"""`bakegen matrix --layered`: CI mode's waves (bases with content-addressed tags, then the
services), and `--missing-bases`, which asks the registry which base tags it lacks."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bakegen.bakefile import load_bakefile
from bakegen.cli import cli
from bakegen.matrix import base_wave
from tests.builders import SAMPLE, copy_sample

ECOSYSTEMS = ("cargo", "node", "python")
BASES = {f"{eco}-{kind}-base" for eco in ECOSYSTEMS for kind in ("deps", "production")}


def layered(root: Path, *extra: str) -> dict:
    result = CliRunner().invoke(cli, ["matrix", str(root), "--layered", "--format", "json", *extra])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def base_tags(data: dict) -> dict[str, str]:
    """target -> tag, from the bases' jobs."""
    tags: dict[str, str] = {}
    for job in data["bases"]["include"]:
        assert len(job["targets"]) == len(job["tags"])
        tags.update(zip(job["targets"], job["tags"], strict=True))
    return tags


def test_layered_matrix_lists_bases_with_content_tags_then_services() -> None:
    data = layered(SAMPLE)
    bases = base_tags(data)
    assert set(bases) == BASES
    for target, tag in bases.items():
        assert tag.startswith(f"ghcr.io/acme/{target}:") and len(tag.rsplit(":", 1)[1]) == 20
    # the bases of one Dockerfile build in one job: their shared install runs once
    assert sorted(job["unit"] for job in data["bases"]["include"]) == [
        f"{eco}-deps-base" for eco in ECOSYSTEMS]
    assert {e["target"] for e in data["services"]["include"]} == {
        "acme-api",
        "acme-web",
        "acme-worker",
        "router-svc",
    }


def test_split_bases_build_each_platform_on_its_own_runner() -> None:
    data = layered(SAMPLE, "--split-platforms", "--format", "github")
    jobs = {(j["unit"], j["platform"]): j["runner"] for j in data["bases"]["include"]}
    assert jobs == {(f"{eco}-deps-base", platform): runner
                    for eco in ECOSYSTEMS
                    for platform, runner in (("linux/amd64", "ubuntu-24.04"),
                                             ("linux/arm64", "ubuntu-24.04-arm"))}


def test_base_tag_follows_the_lockfile(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    before = base_tags(layered(repo))
    lock = repo / "yarn.lock"
    lock.write_text(lock.read_text() + "\n")
    assert CliRunner().invoke(cli, ["generate", str(repo)]).exit_code == 0
    after = base_tags(layered(repo))
    changed = {t for t in before if before[t] != after[t]}
    assert changed == {"node-deps-base", "node-production-base"}


def test_base_tags_ignore_bakegen_settings_in_the_root_pyproject(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    before = base_tags(layered(repo))
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace("port = 3000", "port = 3001") + "# a comment\n")
    assert CliRunner().invoke(cli, ["generate", str(repo)]).exit_code == 0
    assert base_tags(layered(repo)) == before  # only a Node service's port moved
    pyproject.write_text(text.replace('members = ["python/*"]', 'members = ["python/*"]\n'
                                      'exclude = ["python/old"]'))
    assert CliRunner().invoke(cli, ["generate", str(repo)]).exit_code == 0
    after = base_tags(layered(repo))
    assert {t for t in before if before[t] != after[t]} == {
        "python-deps-base", "python-production-base"}


def test_only_the_bases_of_the_selected_services() -> None:
    bake = load_bakefile(SAMPLE)
    assert [b.target for b in base_wave(bake, ["acme-api", "acme-web"])] == [
        "node-deps-base", "node-production-base"]
    assert [b.target for b in base_wave(bake, ["router-svc"])] == [
        "cargo-deps-base", "cargo-production-base"]
    assert base_wave(bake, []) == ()


def test_hand_written_context_targets_are_not_bases(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    (repo / "docker-bake.override.hcl").write_text(
        'target "helper" {\n  dockerfile = "tools/helper.Dockerfile"\n}\n'
        'target "tools" {\n  dockerfile = "tools/Dockerfile"\n'
        '  contexts = { helper = "target:helper" }\n  tags = ["${REGISTRY}/tools:${TAG}"]\n}\n'
    )
    data = layered(repo)
    assert "tools" in {e["target"] for e in data["services"]["include"]}
    # `helper` builds inside the tools job (target: context in both modes), never in wave 1
    assert set(base_tags(data)) == BASES


def test_registry_variable_from_the_environment_like_bake(monkeypatch) -> None:
    monkeypatch.setenv("REGISTRY", "registry.example.com/team")
    tags = base_tags(layered(SAMPLE))
    assert all(tag.startswith("registry.example.com/team/") for tag in tags.values())
    monkeypatch.setenv("BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP", "1")
    tags = base_tags(layered(SAMPLE))
    assert all(tag.startswith("ghcr.io/acme/") for tag in tags.values())


def test_an_image_or_platforms_override_names_another_base(monkeypatch) -> None:
    """The tag hashes the fingerprint with the image variables and PLATFORMS as the
    environment sets them, as bake's `substr(sha256(...))` does (checked against a real
    bake in tests/realbuild)."""
    default = base_tags(layered(SAMPLE))
    fingerprint = default["node-deps-base"].rsplit(":", 1)[1]
    monkeypatch.setenv("NODE_IMAGE", "node:22-bookworm-slim")
    node22 = base_tags(layered(SAMPLE))
    assert node22["node-deps-base"] != default["node-deps-base"]
    assert node22["node-production-base"].endswith(node22["node-deps-base"].rsplit(":")[1])
    assert node22["cargo-deps-base"] == default["cargo-deps-base"]  # other bases unchanged
    monkeypatch.setenv("NODE_IMAGE", "node:20-bookworm-slim")  # the configured default
    assert base_tags(layered(SAMPLE)) == default
    monkeypatch.setenv("PLATFORMS", "linux/amd64")
    amd64 = base_tags(layered(SAMPLE))
    assert all(amd64[name] != default[name] for name in default)
    assert fingerprint not in amd64["node-deps-base"]


def test_layered_github_outputs(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    result = CliRunner().invoke(cli, ["matrix", str(SAMPLE), "--layered", "--github-output"])
    assert result.exit_code == 0, result.stderr
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert list(outputs) == ["bases", "base_targets", "has_bases", "matrix", "targets",
                             "has_targets"]
    assert outputs["has_bases"] == "true"
    merges = json.loads(outputs["base_targets"])["include"]
    assert {m["target"] for m in merges} == BASES
    assert all(m["unit"] == m["target"].replace("production", "deps") for m in merges)


# ----------------------------------------------------------------------- --missing-bases

def test_missing_bases_keeps_only_what_the_registry_lacks(fake_docker: Path) -> None:
    tags = base_tags(layered(SAMPLE))
    fake_docker.write_text("\n".join(tags[f"{eco}-{kind}-base"]
                                     for eco in ("cargo", "python")
                                     for kind in ("deps", "production")))
    result = CliRunner().invoke(cli, ["matrix", str(SAMPLE), "--layered", "--missing-bases",
                                      "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert base_tags(data) == {t: tags[t] for t in ("node-deps-base", "node-production-base")}
    assert "2 bases to build, 4 targets, 4 jobs" in result.stderr
    # each tag asked once, with exactly the inspect command
    log = (fake_docker.parent / "docker.log").read_text().splitlines()
    assert sorted(log) == sorted(f"buildx imagetools inspect {tag}" for tag in tags.values())


def test_missing_bases_all_present(fake_docker: Path, tmp_path: Path, monkeypatch) -> None:
    fake_docker.write_text("\n".join(base_tags(layered(SAMPLE)).values()))
    out = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    result = CliRunner().invoke(cli, ["matrix", str(SAMPLE), "--layered", "--missing-bases",
                                      "--github-output"])
    assert result.exit_code == 0, result.stderr
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert outputs["has_bases"] == "false"
    assert json.loads(outputs["bases"]) == {"include": []}
    assert outputs["has_targets"] == "true"


def test_a_base_that_cannot_be_checked_is_built_with_a_warning(fake_docker: Path,
                                                               monkeypatch) -> None:
    monkeypatch.setenv("FAKE_DOCKER_DENY", "1")
    result = CliRunner().invoke(cli, ["matrix", str(SAMPLE), "--layered", "--missing-bases",
                                      "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert set(base_tags(json.loads(result.stdout))) == BASES
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3  # the production bases; "not found" is no warning
    assert all("401 Unauthorized" in w and "building it" in w for w in warnings)


def test_missing_bases_without_docker_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(cli, ["matrix", str(SAMPLE), "--layered", "--missing-bases"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "docker: not found on PATH; checking the registry for bases needs "
        "`docker buildx imagetools inspect`")


def test_missing_bases_needs_layered() -> None:
    result = CliRunner().invoke(cli, ["matrix", str(SAMPLE), "--missing-bases"])
    assert result.exit_code == 2
    assert "--missing-bases needs --layered" in result.stderr
