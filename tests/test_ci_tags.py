"""The tags each service is pushed under, for push, pull request and tag events: the
`affected` job's real tag script computes bake's `TAG` list, the generated bake file turns
it into one reference per tag, and the `Build and push` step's condition says whether
anything is pushed. With `metadata_action = true`, docker/metadata-action's bake file
(bare tags and labels) replaces the generated `docker-metadata-action` target."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.render.workflow import WORKFLOW_FILE, WorkflowSettings, render_workflow
from tests.builders import SAMPLE, copy_sample
from tests.ghactions import Evaluator, unwrap
from tests.realbuild.kit import find_kit
from tests.test_ci_github import load

SHA = "0123456789abcdef0123456789abcdef01234567"
IMAGES = ("acme-api", "acme-web", "acme-worker", "router-svc")
_FORMATLIST = re.compile(
    r'^\$\{formatlist\("\$\{REGISTRY\}/(?P<image>[^:"]+):%s", (?P<source>.*)\)\}$'
)

#: event, ref -> the tags every affected service is pushed under (none: not pushed)
EXPECTED = {
    ("push", "refs/heads/main"): ["main", "latest", "sha-0123456"],
    ("push", "refs/heads/release"): ["release", "sha-0123456"],
    ("push", "refs/heads/feature/x+y"): ["feature-x-y", "sha-0123456"],
    ("pull_request", "refs/pull/7/merge"): [],
    ("push", "refs/tags/v1.2.3"): ["1.2.3", "1.2", "1", "sha-0123456"],
    ("push", "refs/tags/v2.0.0-rc.1"): ["2.0.0-rc.1", "sha-0123456"],
    ("push", "refs/tags/vnext"): ["sha-0123456"],
}


def tag_list(workflow: dict[str, Any], ref: str, tmp_path: Path) -> str:
    """`TAG` as the `affected` job's `Image tags` step writes it for `ref`."""
    step = next(s for s in workflow["jobs"]["affected"]["steps"] if s.get("id") == "tags")
    output = tmp_path / "github-output"
    output.write_text("")
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "REF": ref, "SHA": SHA,
           "PR_NUMBER": "7", "LATEST_BRANCH": step["env"]["LATEST_BRANCH"]}
    subprocess.run(["bash", "-c", step["run"]], env=env, check=True)
    (line,) = output.read_text().splitlines()
    assert line.startswith("tag=")
    return line.removeprefix("tag=")


def pushes(workflow: dict[str, Any], event: str) -> bool:
    step = next(s for s in workflow["jobs"]["build"]["steps"] if s.get("id") == "bake")
    evaluator = Evaluator({"github": {"event_name": event}})
    return bool(evaluator.evaluate(unwrap(str(step.get("if", "true")))))


def service_tags(bake_text: str, registry: str, tag: str) -> dict[str, list[str]]:
    """Each service's tags as bake resolves `formatlist(..., split(",", TAG))`."""
    found = {}
    for block in hcl2.loads(bake_text)["target"]:
        ((name, body),) = block.items()
        match = _FORMATLIST.match(str(body.get("tags", "")))
        if match:
            assert match["source"] == 'split(",", TAG)'
            found[name.strip('"')] = [f"{registry}/{match['image']}:{t}" for t in tag.split(",")]
    return found


@pytest.mark.parametrize(("event", "ref"), list(EXPECTED))
def test_pushed_tags_per_event(event: str, ref: str, tmp_path: Path) -> None:
    workflow = load(render_workflow(WorkflowSettings("ghcr.io/acme", branches=("main", "release"))))
    tag = tag_list(workflow, ref, tmp_path)
    assert f"sha-{SHA[:7]}" in tag.split(",")  # immutable, on every event
    tags = service_tags((SAMPLE / "docker-bake.hcl").read_text(), "ghcr.io/acme", tag)
    assert sorted(tags) == sorted(IMAGES)
    pushed = {name: refs if pushes(workflow, event) else [] for name, refs in tags.items()}
    assert pushed == {name: [f"ghcr.io/acme/{name}:{t}" for t in EXPECTED[event, ref]]
                      for name in IMAGES}


def test_latest_only_where_configured(tmp_path: Path) -> None:
    none = load(render_workflow(WorkflowSettings("ghcr.io/acme", latest_branch=None)))
    assert tag_list(none, "refs/heads/main", tmp_path) == "main,sha-0123456"
    other = load(render_workflow(WorkflowSettings("ghcr.io/acme", branches=("main", "prod"),
                                                  latest_branch="prod")))
    assert tag_list(other, "refs/heads/main", tmp_path) == "main,sha-0123456"
    assert tag_list(other, "refs/heads/prod", tmp_path) == "prod,latest,sha-0123456"


def test_service_jobs_bake_with_the_computed_tags() -> None:
    workflow = load(render_workflow(WorkflowSettings("ghcr.io/acme")))
    assert workflow["jobs"]["affected"]["outputs"]["tag"] == "${{ steps.tags.outputs.tag }}"
    for job in ("build", "merge"):
        assert workflow["jobs"][job]["env"]["TAG"] == "${{ needs.affected.outputs.tag }}"
    assert "v*" in workflow["on"]["push"]["tags"]


def test_the_cli_passes_latest_branch_and_metadata_action(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    enable_metadata_action(root)
    runner = CliRunner()
    assert runner.invoke(cli, ["generate", str(root)]).exit_code == 0
    result = runner.invoke(cli, ["ci", "github", str(root), "--branch", "main",
                                 "--branch", "prod", "--latest-branch", "prod"])
    assert result.exit_code == 0, result.output
    workflow = load((root / WORKFLOW_FILE).read_text())
    step = next(s for s in workflow["jobs"]["affected"]["steps"] if s.get("id") == "tags")
    assert step["env"]["LATEST_BRANCH"] == "prod"
    meta = next(s for s in workflow["jobs"]["build"]["steps"] if s.get("id") == "meta")
    assert meta["uses"].startswith("docker/metadata-action@")
    assert "type=raw,value=latest,enable=${{ github.ref == 'refs/heads/prod' }}" in (
        meta["with"]["tags"])
    assert "images" not in meta["with"]  # bare tags: each service adds its image name
    bake = next(s for s in workflow["jobs"]["build"]["steps"] if s.get("id") == "bake")
    assert "cwd://${{ steps.meta.outputs.bake-file-tags }}" in bake["with"]["files"]
    merge = workflow["jobs"]["merge"]["steps"][-1]
    assert '-f "$META_TAGS"' in merge["run"]
    assert "docker-metadata-action" in (root / "docker-bake.hcl").read_text()


def enable_metadata_action(root: Path) -> None:
    config = root / "pyproject.toml"
    text = config.read_text()
    line = 'registry = "ghcr.io/acme"\n'
    assert line in text
    config.write_text(text.replace(line, line + "metadata_action = true\n", 1))


def _real_bake(root: Path, env: dict[str, str], *files: str) -> dict[str, Any]:
    flags = [arg for name in ("docker-bake.hcl", *files) for arg in ("-f", name)]
    done = subprocess.run(["docker", "buildx", "bake", *flags, "--print"], cwd=root, env=env,
                          capture_output=True, text=True, check=True)
    targets: dict[str, Any] = json.loads(done.stdout)["target"]
    return targets


def test_real_bake_applies_tag_lists_and_metadata_action_files(tmp_path: Path) -> None:
    kit = find_kit()
    if isinstance(kit, str):
        pytest.skip(kit)
    root = copy_sample(tmp_path)
    env = {**kit.env, "TAG": "main,sha-0123456"}
    targets = _real_bake(root, env)
    assert targets["acme-api"]["tags"] == ["ghcr.io/acme/acme-api:main",
                                           "ghcr.io/acme/acme-api:sha-0123456"]
    assert _real_bake(root, kit.env)["acme-api"]["tags"] == ["ghcr.io/acme/acme-api:latest"]

    enable_metadata_action(root)
    assert CliRunner().invoke(cli, ["generate", str(root)]).exit_code == 0
    # local bake without metadata-action's file: TAG as before
    assert _real_bake(root, env)["acme-web"]["tags"] == ["ghcr.io/acme/acme-web:main",
                                                         "ghcr.io/acme/acme-web:sha-0123456"]
    # metadata-action's files (images empty: bare tags) win over TAG, per service
    meta = {"target": {"docker-metadata-action": {
        "tags": ["1.2.3", "sha-0123456"],
        "labels": {"org.opencontainers.image.version": "1.2.3"}}}}
    (root / "meta.json").write_text(json.dumps(meta))
    targets = _real_bake(root, env, "meta.json")
    for image in IMAGES:
        assert targets[image]["tags"] == [f"ghcr.io/acme/{image}:1.2.3",
                                          f"ghcr.io/acme/{image}:sha-0123456"]
        labels = targets[image]["labels"]
        assert labels["org.opencontainers.image.version"] == "1.2.3"
        assert "org.opencontainers.image.title" in labels  # the service's own label stays
