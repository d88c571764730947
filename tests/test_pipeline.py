"""The pipeline's stages hand their results on as data."""

from __future__ import annotations

from pathlib import Path

from bakegen import graph as graphs
from bakegen.fingerprint import fingerprint_bases
from bakegen.pipeline import generate
from bakegen.render.files import render_files
from tests.builders import copy_sample


def test_every_stage_result_is_kept_and_rendering_them_again_gives_the_same_files(
    tmp_path: Path,
) -> None:
    root = copy_sample(tmp_path / "repo")
    made = generate(root)
    assert set(made.graph.nodes) == {p.id for p in made.scan.packages}
    assert set(made.fingerprints) == {b.deps_target for b in made.plan.bases}
    for base in made.plan.bases:
        assert made.fingerprints[base.deps_target] in made.files["docker-bake.hcl"]
    assert render_files(made.plan, made.fingerprints) == made.files


def test_a_fingerprint_moves_with_the_content_of_a_file_its_base_admits(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "repo")
    plan = generate(root).plan
    base = plan.bases[0]
    before = fingerprint_bases(plan, {})
    after = fingerprint_bases(plan, {base.context[0]: "0" * 64})
    assert before[base.deps_target] != after[base.deps_target]
    assert all(before[b.deps_target] == after[b.deps_target] for b in plan.bases[1:]
               if base.context[0] not in b.context)


def test_the_graph_stage_checks_for_cycles(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "repo")
    packages = generate(root).scan.packages
    assert set(graphs.package_graph(packages).nodes) == {p.id for p in packages}
