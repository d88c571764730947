"""Go workspaces, modules, edges and binaries, found the way the go command groups them."""

from __future__ import annotations

from pathlib import Path

from bakegen.ecosystems import go as go_ecosystem
from bakegen.ecosystems.go.discover import binary_name
from bakegen.model import EcosystemScan, Package
from bakegen.tree import SourceTree
from tests.builders import write_tree

MAIN = "package main\n\nfunc main() {}\n"


def mod(path: str, *lines: str) -> str:
    return f"module {path}\n\ngo 1.22\n" + "".join(f"{line}\n" for line in lines)


def scan(tmp_path: Path, files: dict[str, str]) -> EcosystemScan:
    write_tree(tmp_path, files)
    return go_ecosystem.scan(SourceTree.scan(tmp_path))


def by_path(result: EcosystemScan) -> dict[str, Package]:
    return {p.path: p for p in result.packages}


def test_go_work_members_edges_and_binaries(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "go.work": "go 1.23\n\nuse (\n\t./libs/log\n\t./svc/api\n)\n",
        "libs/log/go.mod": mod("example.com/m/libs/log"),
        "libs/log/log.go": "package log\n",
        "svc/api/go.mod": mod("example.com/m/svc/api/v2", "require example.com/m/libs/log v0.0.0",
                              "require golang.org/x/text v0.16.0"),
        "svc/api/go.sum": "",
        "svc/api/main.go": "// the api\npackage main // main\n\nfunc main() {}\n",
        "svc/api/main_test.go": "package main\n",
        "svc/api/cmd/seed/main.go": MAIN,
        "svc/api/cmd/lib/lib.go": "package lib\n",
        "other/go.mod": mod("example.com/other"),  # no go.work uses it: a workspace of its own
        "other/main.go": MAIN,
    })
    assert not result.problems
    api = by_path(result)["svc/api"]
    assert api.name == "example.com/m/svc/api/v2"
    assert [d.name for d in api.dependencies] == ["example.com/m/libs/log"]
    # the root binary is named without the major-version suffix; cmd/lib is no main
    assert api.binaries == ("api", "seed") and api.deployable
    assert api.entrypoint == ("api",) and api.service_name == "api"
    assert api.requirements == ("golang.org/x/text@v0.16.0",)
    assert not by_path(result)["libs/log"].deployable
    workspaces = {w.root: w for w in result.workspaces}
    # the go.work sits at the root, so a module it does not use is a workspace of its own
    assert set(workspaces) == {".", "other"} and not workspaces["other"].declared
    ws = workspaces["."]
    assert ws.declared and ws.runtime_version == "1.23"
    assert "go.work" in ws.manifests and "svc/api/go.sum" in ws.manifests


def test_modules_outside_any_go_work_form_one_workspace_linked_by_replace(
    tmp_path: Path
) -> None:
    result = scan(tmp_path, {
        "lib/go.mod": mod("example.com/lib"),
        "svc/go.mod": mod("example.com/svc", "require example.com/lib v0.0.0",
                          "replace example.com/lib => ../lib"),
        "svc/main.go": MAIN,
        "job/go.mod": mod("example.com/job", "require example.com/lib v0.0.0"),
        "job/main.go": MAIN,
    })
    (ws,) = result.workspaces
    assert ws.root == "." and not ws.declared and ws.lockfile is None
    assert [d.name for d in by_path(result)["svc"].dependencies] == ["example.com/lib"]
    # without replace or go.work, go build would fetch the module from its origin
    assert [(p.path, p.message.split(",")[0]) for p in result.problems] == [
        ("job/go.mod", "requires example.com/lib")]


def test_go_work_problems_and_a_broken_module(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "go.work": "go 1.22\nuse ./a\nuse ./gone\nuse ../outside\n",
        "a/go.mod": mod("example.com/a", "replace example.com/b => ../b"),
        "broken/go.mod": "module x\nrequre y v1\n",
    })
    messages = sorted((p.severity.value, p.path, p.message) for p in result.problems)
    assert messages == [
        ("error", "a/go.mod", "replace example.com/b => ../b: no go.mod in b"),
        ("error", "broken/go.mod", 'line 2: unknown directive "requre"'),
        ("error", "go.work", "use ../outside: outside the repository"),
        ("error", "go.work", "use ./gone: no go.mod in gone"),
    ]


def test_missing_go_sum_for_third_party_requires_is_a_warning(tmp_path: Path) -> None:
    result = scan(tmp_path, {"go.mod": mod("example.com/app", "require (",
                                           "\trsc.io/quote v1.5.2", "\trsc.io/sampler v1.3.0",
                                           ")"),
                             "main.go": MAIN})
    (problem,) = result.problems
    assert problem.path == "go.mod" and problem.message.startswith(
        "requires rsc.io/quote and 1 more but has no go.sum")
    assert by_path(result)["."].binaries == ("app",)


def test_binary_names() -> None:
    assert binary_name("example.com/mono/api") == "api"
    assert binary_name("example.com/api/v3") == "api"
    assert binary_name("api") == "api"


def test_a_module_with_its_own_dockerfile_keeps_its_binary_name(tmp_path: Path) -> None:
    import hcl2
    from click.testing import CliRunner

    from bakegen.cli import cli

    write_tree(tmp_path, {
        "apps/checker/go.mod": mod("github.com/acme/mono/apps/checker"),
        "apps/checker/main.go": MAIN,
        "apps/checker/Dockerfile": "FROM golang:1.22 AS build\nCOPY . /src\nRUN go build\n",
    })
    assert CliRunner().invoke(cli, ["generate", str(tmp_path)]).exit_code == 0
    bake = hcl2.loads((tmp_path / "docker-bake.hcl").read_text())
    names = {k.strip('"') for block in bake["target"] for k in block}
    assert "checker" in names and not any(n.startswith("github-com") for n in names)
