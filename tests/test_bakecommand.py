"""Compose next to bake: bakegen names its bake files wherever bake would merge compose."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from bakegen.bakecommand import bake_command, bake_files, merged_compose_files
from bakegen.cli import cli
from bakegen.render.workflow import WorkflowSettings, render_workflow
from tests.builders import write_tree

CASES = Path(__file__).parent / "cases"


def test_generate_says_when_bake_would_merge_a_compose_file(tmp_path: Path) -> None:
    root = shutil.copytree(CASES / "evidence-compose" / "workspace", tmp_path / "ws")
    result = CliRunner().invoke(cli, ["generate", str(root)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-2:] == [
        "note: compose.yaml is at the root and a plain `docker buildx bake` merges its "
        "services in; name the bake files:",
        "next: docker buildx bake -f docker-bake.hcl --print   then   "
        "docker buildx bake -f docker-bake.hcl",
    ]


def test_generate_without_compose_keeps_the_plain_command(tmp_path: Path) -> None:
    root = shutil.copytree(CASES / "evidence-docker-folder" / "workspace", tmp_path / "ws")
    result = CliRunner().invoke(cli, ["generate", str(root)], catch_exceptions=False)
    assert result.stdout.splitlines()[-1] == (
        "next: docker buildx bake --print   then   docker buildx bake")


def test_bake_files_name_the_override_when_present(tmp_path: Path) -> None:
    assert bake_files(tmp_path) == ("docker-bake.hcl",)
    assert merged_compose_files(tmp_path) == ()
    write_tree(tmp_path, {"docker-bake.override.hcl": "", "docker-compose.yml": "",
                          "compose.yaml": "", "deploy/compose.yml": ""})
    assert bake_command(tmp_path) == (
        "docker buildx bake -f docker-bake.hcl -f docker-bake.override.hcl")
    assert merged_compose_files(tmp_path) == ("compose.yaml", "docker-compose.yml")


def test_workflow_passes_the_bake_files_to_every_bake() -> None:
    files = ("docker-bake.hcl", "docker-bake.override.hcl")
    text = render_workflow(WorkflowSettings(registry="ghcr.io/acme", bake_files=files))
    steps = [step for job in yaml.safe_load(text)["jobs"].values() for step in job["steps"]]
    bakes = [s for s in steps if s.get("uses", "").startswith("docker/bake-action")]
    assert bakes and all(s["with"]["files"].splitlines() == list(files) for s in bakes)
    runs = [s["run"] for s in steps if "docker buildx bake" in s.get("run", "")]
    assert runs and all(
        "docker buildx bake -f docker-bake.hcl -f docker-bake.override.hcl --print" in r
        for r in runs)


def test_ci_github_names_the_override_file_of_the_repo(tmp_path: Path) -> None:
    root = shutil.copytree(CASES / "evidence-compose" / "workspace", tmp_path / "ws")
    (root / "docker-bake.override.hcl").write_text("")
    result = CliRunner().invoke(cli, ["ci", "github", str(root), "--install",
                                      "pip install ./tools/bakegen"], catch_exceptions=False)
    assert result.exit_code == 0
    text = (root / ".github" / "workflows" / "bake.yml").read_text()
    assert "            docker-bake.override.hcl\n" in text
