"""No change on a publishing branch is ever skipped: push A, push B while A's run fails
or is cancelled, and B's run builds A's changes too. The `affected` job's real script
runs on a real git history with the real bakegen; a fake `gh` answers from a list of runs."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bakegen.render.workflow import WorkflowSettings, render_workflow
from tests.builders import copy_sample
from tests.ghactions import Evaluator
from tests.test_ci_github import load

WORKFLOW = load(render_workflow(WorkflowSettings("ghcr.io/acme", split_platforms=False)))

FAKE_GH = """\
#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(" ".join(args) + "\\n")
def option(name):
    return args[args.index(name) + 1] if name in args else None
runs = json.load(open(os.environ["FAKE_GH_RUNS"]))  # newest first
runs = [r for r in runs if r["branch"] == option("--branch")]
if option("--status"):
    runs = [r for r in runs if r["conclusion"] == option("--status")]
print(runs[0]["headSha"] if runs else "")
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env={**os.environ, "GIT_AUTHOR_NAME": "t",
                                          "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                                          "GIT_COMMITTER_EMAIL": "t@t"})
    return done.stdout.strip()


def commit(repo: Path, path: str, message: str) -> str:
    file = repo / path
    mark = "#" if path.endswith((".toml", ".py")) else "//"
    file.write_text(file.read_text() + f"\n{mark} {message}\n")
    git(repo, "commit", "-qam", message)
    return git(repo, "rev-parse", "HEAD")


def compute_step() -> dict[str, Any]:
    steps = WORKFLOW["jobs"]["affected"]["steps"]
    step: dict[str, Any] = next(s for s in steps if s.get("id") == "matrix")
    return step


def run_affected(repo: Path, tmp_path: Path, event: str, runs: list[dict[str, str]],
                 pr_base: str = "") -> set[str]:
    """The services the `affected` job of a run on `repo`'s HEAD puts in the matrix."""
    bin_dir = tmp_path / "gh-bin"
    bin_dir.mkdir(exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable))
    gh.chmod(gh.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "runs.json").write_text(json.dumps(runs))
    output = tmp_path / "github-output"
    output.write_text("")
    bakegen = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{bakegen}{os.pathsep}{os.environ['PATH']}",
           "FAKE_GH_RUNS": str(tmp_path / "runs.json"), "FAKE_GH_LOG": str(tmp_path / "gh.log"),
           "GITHUB_OUTPUT": str(output), "EVENT": event, "PR_BASE": pr_base, "BRANCH": "main",
           "GH_TOKEN": "token"}
    done = subprocess.run(["bash", "-e", "-c", compute_step()["run"]], cwd=repo, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return {e["target"] for e in json.loads(outputs["matrix"])["include"]}


@pytest.fixture
def history(tmp_path: Path, fake_docker: Path) -> tuple[Path, dict[str, str]]:
    """O (built), A (changes acme-worker), B (changes router-svc) on main."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = copy_sample(tmp_path)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "O")
    shas = {"O": git(repo, "rev-parse", "HEAD")}
    shas["A"] = commit(repo, "python/worker/pyproject.toml", "A")
    shas["B"] = commit(repo, "crates/router/src/main.rs", "B")
    return repo, shas


@pytest.mark.parametrize("outcome", ["failure", "cancelled"])
def test_b_builds_the_changes_of_a_failed_or_cancelled_run_a(
        history: tuple[Path, dict[str, str]], tmp_path: Path, outcome: str) -> None:
    repo, shas = history
    runs = [{"headSha": shas["A"], "branch": "main", "conclusion": outcome},
            {"headSha": shas["O"], "branch": "main", "conclusion": "success"}]
    built = run_affected(repo, tmp_path, "push", runs)
    assert built == {"acme-worker", "router-svc"}  # A's change and B's
    log = (tmp_path / "gh.log").read_text()
    assert "run list --workflow bake.yml --branch main --status success" in log


def test_after_a_successful_run_a_b_builds_only_its_own_changes(
        history: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    repo, shas = history
    runs = [{"headSha": shas["A"], "branch": "main", "conclusion": "success"},
            {"headSha": shas["O"], "branch": "main", "conclusion": "success"}]
    assert run_affected(repo, tmp_path, "push", runs) == {"router-svc"}


def test_no_successful_run_yet_builds_everything(
        history: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    repo, _ = history
    built = run_affected(repo, tmp_path, "push", [])
    assert built == {"acme-api", "acme-web", "acme-worker", "router-svc"}


def test_a_pull_request_compares_with_its_base(
        history: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    repo, shas = history
    assert run_affected(repo, tmp_path, "pull_request", [], pr_base=shas["A"]) == {"router-svc"}
    assert not (tmp_path / "gh.log").exists()


@pytest.mark.parametrize(("event", "cancels"), [("push", False), ("pull_request", True)])
def test_only_pull_requests_cancel_superseded_runs(event: str, cancels: bool) -> None:
    text = str(WORKFLOW["concurrency"]["cancel-in-progress"])
    expression = text.removeprefix("${{").removesuffix("}}")
    assert Evaluator({"github": {"event_name": event}}).evaluate(expression) is cancels
    assert WORKFLOW["jobs"]["affected"]["permissions"]["actions"] == "read"
