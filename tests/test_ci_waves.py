"""The generated workflow runs CI mode's waves in the right order, under every event and
outcome: checked by simulating GitHub's job scheduling (`tests/ghactions.py`)."""

from __future__ import annotations

from typing import Any

import pytest

from bakegen.render.workflow import WorkflowSettings, render_workflow
from tests.ghactions import Evaluator, simulate
from tests.test_ci_github import load

SPLIT = load(render_workflow(WorkflowSettings("ghcr.io/acme", split_platforms=True)))
UNSPLIT = load(render_workflow(WorkflowSettings("ghcr.io/acme", split_platforms=False)))


def outputs(has_bases: bool, has_targets: bool = True) -> dict[str, dict[str, str]]:
    return {"affected": {"has_bases": str(has_bases).lower(),
                         "has_targets": str(has_targets).lower(),
                         "bases": "{}", "base_targets": "{}", "matrix": "{}", "targets": "{}"}}


def ran(run: Any) -> set[str]:
    return {job for job, result in run.results.items() if result != "skipped"}


def test_the_model_reads_github_expressions() -> None:
    evaluator = Evaluator({"github": {"event_name": "push"}, "needs": {}},
                          {"failure": lambda: False, "cancelled": lambda: False})
    assert evaluator.evaluate("github.event_name == 'push' && 'a' || 'b'") == "a"
    assert evaluator.evaluate("github.event_name != 'push' && 'a' || 'b'") == "b"
    assert evaluator.evaluate("!cancelled() && !failure() && (1 == 1)") is True
    assert evaluator.evaluate("github['event_name'] == 'PUSH'") is True  # case-insensitive


@pytest.mark.parametrize("workflow", [SPLIT, UNSPLIT], ids=["split", "unsplit"])
def test_push_with_missing_bases_builds_them_first_then_services_in_ci_mode(
        workflow: dict[str, Any]) -> None:
    run = simulate(workflow, "push", outputs(has_bases=True))
    assert ran(run) == set(workflow["jobs"])
    assert run.env["bases"]["BAKEGEN_MODE"] == "ci"
    assert run.env["build"]["BAKEGEN_MODE"] == "ci"
    assert "Build and push" in run.steps_run["bases"]
    assert "Build and push" in run.steps_run["build"]
    assert "Build without pushing (pull request)" not in run.steps_run["build"]
    # services wait for every base of wave 1 (merged into its multi-platform tag)
    upstream = "bases-merge" if "bases-merge" in workflow["jobs"] else "bases"
    assert upstream in workflow["jobs"]["build"]["needs"]


@pytest.mark.parametrize("workflow", [SPLIT, UNSPLIT], ids=["split", "unsplit"])
def test_push_with_every_base_in_the_registry_skips_wave_one(workflow: dict[str, Any]) -> None:
    run = simulate(workflow, "push", outputs(has_bases=False))
    assert run.results["bases"] == "skipped"
    assert run.results.get("bases-merge", "skipped") == "skipped"
    assert run.results["build"] == "success"
    assert run.results.get("merge", "success") == "success"
    assert run.env["build"]["BAKEGEN_MODE"] == "ci"


def test_pull_request_never_pushes_and_builds_missing_bases_inline() -> None:
    run = simulate(SPLIT, "pull_request", outputs(has_bases=True))
    assert ran(run) == {"affected", "build"}
    assert run.env["build"]["BAKEGEN_MODE"] == "local"  # bases through target: contexts
    assert "Build and push" not in run.steps_run["build"]
    assert "Build without pushing (pull request)" in run.steps_run["build"]
    present = simulate(SPLIT, "pull_request", outputs(has_bases=False))
    assert present.env["build"]["BAKEGEN_MODE"] == "ci"  # pulls the pushed bases


@pytest.mark.parametrize("failed", ["bases", "bases-merge"])
def test_a_failed_base_stops_the_services(failed: str) -> None:
    run = simulate(SPLIT, "push", outputs(has_bases=True), fail=frozenset({failed}))
    assert run.results[failed] == "failure"
    assert run.results["build"] == "skipped"
    assert run.results["merge"] == "skipped"


def test_a_failed_service_is_not_merged() -> None:
    run = simulate(SPLIT, "push", outputs(has_bases=False), fail=frozenset({"build"}))
    assert run.results["merge"] == "skipped"


def test_nothing_affected_runs_nothing_but_the_check() -> None:
    run = simulate(SPLIT, "push", outputs(has_bases=False, has_targets=False))
    assert ran(run) == {"affected"}


def test_the_services_would_be_skipped_without_the_status_guard() -> None:
    """Why the service jobs say `!cancelled() && !failure()`: with a plain condition a
    skipped wave 1 would skip them too. Guards the model as much as the workflow."""
    jobs = {name: dict(job) for name, job in SPLIT["jobs"].items()}
    jobs["build"]["if"] = "needs.affected.outputs.has_targets == 'true'"
    run = simulate({"jobs": jobs}, "push", outputs(has_bases=False))
    assert run.results["build"] == "skipped"
