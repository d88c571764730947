"""GitHub runs at most 256 jobs per matrix: a 600-service repo on two platforms (1,200
jobs) gets its targets grouped, one bake of several targets per job, and a note says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.matrix import (
    MAX_JOBS,
    BaseImage,
    Matrix,
    MatrixEntry,
    bases_within_job_limit,
    within_job_limit,
)
from bakegen.render.matrix import base_targets_document, github_outputs
from tests.builders import write_tree

SERVICES = 600


def many_services(root: Path, count: int) -> Path:
    """An npm workspace of `count` apps, each a service with a start script."""
    names = [f"svc-{i:03d}" for i in range(count)]
    lock: dict[str, Any] = {"": {"name": "many", "workspaces": ["apps/*"]}}
    files: dict[str, Any] = {}
    for name in names:
        manifest = {"name": f"@many/{name}", "version": "1.0.0",
                    "scripts": {"start": "node index.js"}}
        files[f"apps/{name}/package.json"] = manifest
        files[f"apps/{name}/index.js"] = "require('http').createServer().listen(3000)\n"
        lock[f"apps/{name}"] = {"name": f"@many/{name}", "version": "1.0.0"}
        lock[f"node_modules/@many/{name}"] = {"resolved": f"apps/{name}", "link": True}
    files["package.json"] = {"name": "many", "private": True, "workspaces": ["apps/*"]}
    files["package-lock.json"] = {"name": "many", "lockfileVersion": 3, "requires": True,
                                  "packages": lock}
    files["bakegen.toml"] = ('registry = "ghcr.io/many"\n'
                             'platforms = ["linux/amd64", "linux/arm64"]\n')
    return write_tree(root, files)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = many_services(tmp_path_factory.mktemp("many"), SERVICES)
    result = CliRunner().invoke(cli, ["generate", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root


def test_a_600_service_repo_stays_within_256_jobs_per_matrix(repo: Path,
                                                             tmp_path: Path) -> None:
    output = tmp_path / "github-output"
    result = CliRunner().invoke(
        cli, ["matrix", str(repo), "--layered", "--split-platforms", "--github-output"],
        env={"GITHUB_OUTPUT": str(output)}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "1200 jobs exceed GitHub's 256 per matrix: up to 5 targets per job, 240 jobs" in (
        result.stderr)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    build = json.loads(outputs["matrix"])["include"]
    merge = json.loads(outputs["targets"])["include"]
    assert len(build) == 240 <= MAX_JOBS
    assert len(merge) == 120 <= MAX_JOBS
    # every service is built on both platforms, in exactly one group, merged by that group
    groups = [entry["target"].split(",") for entry in merge]
    built = sorted(t for group in groups for t in group)
    assert built == sorted(f"many-svc-{i:03d}" for i in range(SERVICES))
    platforms: dict[str, set[str]] = {}
    for entry in build:
        platforms.setdefault(entry["target"], set()).add(entry["platform"])
    assert all(p == {"linux/amd64", "linux/arm64"} for p in platforms.values())
    assert set(platforms) == {entry["target"] for entry in merge}


def test_small_matrices_are_unchanged() -> None:
    entries = tuple(MatrixEntry(f"t{i}", ("linux/amd64",), "ubuntu-24.04") for i in range(256))
    matrix = Matrix(entries, split=True)
    assert within_job_limit(matrix) is matrix


def test_targets_are_grouped_only_with_targets_of_the_same_platforms() -> None:
    amd = ("linux/amd64",)
    entries = [MatrixEntry(f"a{i}", amd, "ubuntu-24.04") for i in range(5)]
    entries += [MatrixEntry(f"b{i}", p, "r") for i in range(3)
                for p in (amd, ("linux/arm64",))]
    grouped = within_job_limit(Matrix(tuple(entries), split=True), limit=4)
    assert len(grouped.entries) <= 4
    assert {e.target for e in grouped.entries} == {"a0,a1,a2", "a3,a4", "b0,b1,b2"}
    assert grouped.notes == ("11 jobs exceed GitHub's 4 per matrix: up to 3 targets per job, "
                             "4 jobs",)
    assert json.loads(dict(github_outputs(grouped))["targets"])["include"] == [
        {"target": "a0,a1,a2"}, {"target": "a3,a4"}, {"target": "b0,b1,b2"}]


def _bases(count: int, platforms: tuple[str, ...]) -> tuple[BaseImage, ...]:
    """The two bases (deps, production) of `count` base Dockerfiles."""
    return tuple(
        BaseImage(f"ws{i:03d}-{kind}-base", f"r/ws{i:03d}-{kind}-base:fp{i}",
                  (".", f"docker/base-ws{i:03d}.Dockerfile"), platforms)
        for i in range(count) for kind in ("deps", "production"))


def test_a_base_wave_over_256_jobs_bakes_several_dockerfiles_per_job() -> None:
    two = ("linux/amd64", "linux/arm64")
    matrix = Matrix((), split=True, bases=_bases(150, two))
    assert len(matrix.base_jobs) == 300
    grouped = bases_within_job_limit(matrix)
    jobs = grouped.base_jobs
    assert len(jobs) == 150 <= MAX_JOBS
    assert grouped.notes == (
        "300 base jobs and 300 bases to merge exceed GitHub's 256 per matrix: the bases of up "
        "to 2 Dockerfiles per job, 150 jobs, merged per job",)
    # every base is built on both platforms, its deps and production stages in one job
    built: dict[str, set[str]] = {}
    for job in jobs:
        assert len(job.targets) == 4 and len(job.tags) == 4
        for target in job.targets:
            built.setdefault(target, set()).add(job.platform)
        kinds = {t.rsplit("-", 2)[0] for t in job.targets}
        assert len(kinds) == 2  # two Dockerfiles, both of whose bases it bakes
    assert set(built) == {b.target for b in matrix.bases}
    assert all(p == set(two) for p in built.values())
    # the merge matrix: one entry per job unit, its targets joined, within the limit too
    document = base_targets_document(grouped)["include"]
    assert len(document) == 75
    merged = [t for entry in document for t in entry["target"].split(",")]
    assert sorted(merged) == sorted(b.target for b in matrix.bases)
    units = {job.unit for job in jobs}
    assert {entry["unit"] for entry in document} == units


def test_bases_to_merge_over_256_are_merged_per_job_even_when_jobs_fit() -> None:
    # 140 Dockerfiles without splitting: 140 jobs, but 280 bases to merge
    matrix = Matrix((), split=False, bases=_bases(140, ("linux/amd64", "linux/arm64")))
    grouped = bases_within_job_limit(matrix)
    assert len(grouped.base_jobs) == 140 and grouped.base_group == 1
    assert len(base_targets_document(grouped)["include"]) == 140


def test_a_small_base_wave_is_unchanged() -> None:
    matrix = Matrix((), split=True, bases=_bases(100, ("linux/amd64", "linux/arm64")))
    assert bases_within_job_limit(matrix) is matrix
    assert len(base_targets_document(matrix)["include"]) == 200


def test_bases_of_different_platforms_never_share_a_job() -> None:
    bases = (*_bases(3, ("linux/amd64",)),
             *(BaseImage(f"arm{i}-deps-base", f"r/arm{i}:x", (".", f"arm{i}.Dockerfile"),
                         ("linux/arm64",)) for i in range(3)))
    grouped = bases_within_job_limit(Matrix((), split=True, bases=bases), limit=2)
    assert len(grouped.base_jobs) <= 2
    for job in grouped.base_jobs:
        assert len({b.platforms for b in bases if b.target in job.targets}) == 1
