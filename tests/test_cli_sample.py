"""End to end on sample_monorepo: scan, graph, generate, --check, and plan quality."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path
from types import SimpleNamespace

import dockerfile
import pytest
from click.testing import CliRunner

import bakegen.tree as tree_module
from bakegen.cli import cli
from tests.bakefile import contexts, load_bake_file, unquote
from tests.builders import SAMPLE, copy_sample, write_config

SERVICES = {"acme-api", "acme-web", "acme-worker", "router-svc"}
#: any install of third-party packages; a service Dockerfile must run none
INSTALL = re.compile(
    r"\b(npm (ci|install)|yarn install|pnpm (install|fetch)|bun install|uv sync|poetry install|"
    r"cargo (vendor|fetch))\b|\bpip install (?!.*--no-deps)"
)
#: the one install from the lockfile that each deps-base runs
LOCKFILE_INSTALL = re.compile(
    r"\b(npm ci|yarn install --frozen-lockfile|yarn install --immutable|pnpm fetch|"
    r"bun install --frozen-lockfile|uv sync --(locked|frozen)|poetry install|"
    r"cargo vendor --locked)\b"
)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_scan_json_lists_every_package_and_edge() -> None:
    code, out, _ = invoke("scan", str(SAMPLE), "--json")
    assert code == 0
    data = json.loads(out)
    found = {(p["ecosystem"], p["name"], p["path"], p["deployable"]) for p in data["packages"]}
    assert found == {
        ("node", "@acme/api", "apps/api", True),
        ("node", "@acme/web", "apps/web", True),
        ("node", "@acme/shared", "packages/shared", False),
        ("cargo", "router-svc", "crates/router", True),
        ("cargo", "geo", "crates/geo", False),
        ("python", "acme-worker", "python/worker", True),
        ("python", "acme-common", "python/common", False),
    }
    edges = {(p["name"], d["name"], d["kind"]) for p in data["packages"] for d in p["dependencies"]}
    assert edges == {
        ("@acme/api", "@acme/shared", "runtime"),
        ("@acme/web", "@acme/shared", "runtime"),
        ("router-svc", "geo", "runtime"),
        ("acme-worker", "acme-common", "runtime"),
    }
    assert {(w["ecosystem"], w["manager"], w["lockfile"]) for w in data["workspaces"]} == {
        ("node", "yarn-classic", "yarn.lock"),
        ("cargo", "cargo", "Cargo.lock"),
        ("python", "uv", "uv.lock"),
    }
    assert [p for p in data["problems"] if p["severity"] == "error"] == []


def test_scan_table_marks_services() -> None:
    code, out, _ = invoke("scan", str(SAMPLE))
    assert code == 0
    assert re.search(r"node\s+@acme/api\s+apps/api\s+service\s+\"start\" script", out)
    assert "7 packages, 4 services" in out


def test_scan_shows_the_command_each_service_runs_and_why(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "apps/web").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"name": "r", "workspaces": ["apps/*"]}))
    (root / "package-lock.json").write_text("{}")
    (root / "apps/web/package.json").write_text(json.dumps({
        "name": "web", "scripts": {"start": "dotenv -e ../../.env -- node dist/index.js"},
    }))
    code, out, _ = invoke("scan", str(root))
    assert code == 0
    assert ('"start" script: dotenv -e ../../.env -- node dist/index.js; runs node '
            "dist/index.js (drops the dotenv wrapper (the container provides the environment); "
            "node runs it directly)") in out
    code, out, _ = invoke("scan", str(root), "--json")
    web = json.loads(out)["packages"][0]
    assert web["entrypoint"] == ["node", "dist/index.js"]
    assert web["entrypoint_reason"].endswith("node runs it directly")


def test_graph_mermaid_and_services_only() -> None:
    code, out, _ = invoke("graph", str(SAMPLE), "--format", "mermaid")
    assert code == 0 and out.startswith("graph LR\n")
    assert out.count("-->") == 4
    code, out, _ = invoke("graph", str(SAMPLE), "--format", "json", "--services-only")
    data = json.loads(out)
    assert {n["name"] for n in data["nodes"]} == {
        "@acme/api",
        "@acme/web",
        "router-svc",
        "acme-worker",
    }
    assert data["edges"] == []
    code, out, _ = invoke("graph", str(SAMPLE), "--format", "dot")
    assert out.startswith("digraph bakegen {") and '"node:@acme/api" -> "node:@acme/shared"' in out
    code, out, _ = invoke("graph", str(SAMPLE))
    assert "build order" in out and "1. geo, @acme/shared, acme-common" in out


def test_committed_sample_output_is_up_to_date() -> None:
    code, out, err = invoke("generate", str(SAMPLE), "--check")
    assert code == 0, err
    assert "up to date" in out


def test_generate_writes_a_valid_bake_file(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    for generated in [repo / "docker-bake.hcl", *repo.joinpath("docker").rglob("*")]:
        if generated.is_file():
            generated.unlink()
    code, out, err = invoke("generate", str(repo))
    assert code == 0, err
    assert "4 services, 6 base targets" in out
    bake = load_bake_file(repo / "docker-bake.hcl")
    targets = bake["targets"]
    assert {unquote(t) for t in bake["groups"]["default"]["targets"]} == SERVICES
    for name in SERVICES:
        target = targets[name]
        for mode in ("local", "ci"):
            refs = contexts(target, mode)
            assert set(refs) == {"deps-base", "production-base"}
            if mode == "local":
                assert all(r.removeprefix("target:") in targets for r in refs.values())
        assert (repo / unquote(target["dockerfile"])).is_file()
        assert (repo / (unquote(target["dockerfile"]) + ".dockerignore")).is_file()
        assert target["cache-from"] == [f'"type=registry,ref=${{REGISTRY}}/{name}:${{CACHE_TAG}}"']
    assert unquote(bake["variables"]["REGISTRY"]["default"]) == "ghcr.io/acme"
    assert targets["_common"]["platforms"] == '${split(",", BUILD_PLATFORMS)}'
    assert bake["variables"]["PLATFORMS"]["default"] == '"linux/amd64,linux/arm64"'
    code, out, _ = invoke("generate", str(repo), "--check")
    assert code == 0


def stage_names(commands: list) -> list[str]:
    return [c.value[2] for c in commands if c.cmd == "FROM" and len(c.value) == 3]


def test_dependency_installs_per_bake_equal_the_number_of_ecosystems() -> None:
    docker = SAMPLE / "docker"
    base_installs = 0
    for path in sorted(docker.rglob("*.Dockerfile")):
        commands = dockerfile.parse_file(str(path))
        stage = ""
        for command in commands:
            if command.cmd == "FROM":
                stage = command.value[-1]
            if command.cmd != "RUN":
                continue
            line = " ".join(command.value)
            if path.parent.name == "services":
                assert not INSTALL.search(line), f"{path.name} installs: {command.original}"
            elif LOCKFILE_INSTALL.search(line):
                assert stage == "deps-base", command.original
                base_installs += 1
    assert base_installs == 3  # node, cargo, python: one lockfile install each


def test_services_copy_only_their_closure() -> None:
    ignore = (SAMPLE / "docker/services/acme-api.Dockerfile.dockerignore").read_text()
    assert "!apps/api" in ignore and "!packages/shared" in ignore
    assert "!apps/web" not in ignore and "!crates" not in ignore


def test_output_is_identical_whatever_the_file_system_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_sample(tmp_path)
    code, _, err = invoke("generate", str(repo), "--force")
    assert code == 0, err
    first = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}
    real_scandir = os.scandir

    class ShuffledScandir(list):  # type: ignore[type-arg]
        def __enter__(self) -> ShuffledScandir:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    def shuffled_scandir(path: object) -> ShuffledScandir:
        entries = ShuffledScandir(real_scandir(path))  # type: ignore[call-overload]
        random.Random(str(path)).shuffle(entries)
        return entries

    # the tree's own `os`, with only scandir shuffled
    shuffled_os = SimpleNamespace(**{**vars(os), "scandir": shuffled_scandir})
    monkeypatch.setattr(tree_module, "os", shuffled_os)
    for generated in [repo / "docker-bake.hcl", *(repo / "docker").rglob("*")]:
        if generated.is_file():
            generated.unlink()
    code, _, err = invoke("generate", str(repo))
    assert code == 0, err
    again = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}
    assert again == first


def test_check_and_diff_report_drift_without_writing(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    bake = repo / "docker-bake.hcl"
    bake.write_text(bake.read_text().replace('"latest"', '"old"'))
    before = bake.read_text()
    code, _, err = invoke("generate", str(repo), "--check")
    assert code == 1 and "would change: docker-bake.hcl" in err
    code, out, _ = invoke("generate", str(repo), "--diff")
    # as `git diff --exit-code`: differences shown, exit 1; none, exit 0
    assert code == 1 and '-  default = "old"' in out and '+  default = "latest"' in out
    assert bake.read_text() == before
    bake.write_text(before.replace('"old"', '"latest"'))
    code, out, _ = invoke("generate", str(repo), "--diff")
    assert (code, out) == (0, "")


def test_generate_counts_with_plurals_and_lists_at_most_five_bases(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    code, out, _ = invoke("generate", str(repo))
    assert code == 0
    assert out.splitlines()[0].startswith(
        "4 services, 6 base targets (cargo-deps-base, cargo-production-base, node-deps-base, "
        "node-production-base, python-deps-base and 1 more); ")


def test_generate_refuses_to_clobber_a_foreign_bake_file(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    (repo / "docker-bake.hcl").write_text('target "mine" {}\n')
    code, _, err = invoke("generate", str(repo))
    assert code == 2
    assert err.strip() == (
        "docker-bake.hcl: exists and was not generated by bakegen; move it away, or rerun "
        "with --force to overwrite it"
    )
    assert (repo / "docker-bake.hcl").read_text() == 'target "mine" {}\n'
    code, _, _ = invoke("generate", str(repo), "--force")
    assert code == 0


def test_stale_service_dockerfiles_are_removed(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    manifest = repo / "apps/web/package.json"
    data = json.loads(manifest.read_text())
    del data["scripts"]["start"]
    manifest.write_text(json.dumps(data))
    code, out, err = invoke("generate", str(repo))
    assert code == 0, err
    assert not (repo / "docker/services/acme-web.Dockerfile").exists()
    assert not (repo / "docker/services/acme-web.Dockerfile.dockerignore").exists()
    assert "2 removed" in out


def test_options_override_config(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    code, _, err = invoke(
        "generate",
        str(repo),
        "--force",
        "--platform",
        "linux/riscv64",
        "--registry",
        "registry.example/x",
        "--cache",
        "gha",
        "--output-dir",
        "build/docker",
    )
    assert code == 0, err
    bake = load_bake_file(repo / "docker-bake.hcl")
    assert bake["variables"]["PLATFORMS"]["default"] == '"linux/riscv64"'
    assert unquote(bake["variables"]["REGISTRY"]["default"]) == "registry.example/x"
    assert bake["targets"]["acme-api"]["cache-from"] == ['"type=gha,scope=acme-api-${CACHE_TAG}"']
    assert (repo / "build/docker/services/acme-api.Dockerfile").is_file()


def test_output_dir_outside_the_root_is_refused(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    code, _, err = invoke("generate", str(repo), "--output-dir", "../elsewhere")
    assert code == 2 and "resolves outside the repository" in err
    assert not (tmp_path / "elsewhere").exists()


def test_a_service_with_its_own_dockerfile_keeps_it(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    own = "FROM production-base\nCOPY apps/api /app\n"
    (repo / "apps/api/Dockerfile").write_text(own)
    code, _, err = invoke("generate", str(repo))
    assert code == 0, err
    assert (repo / "apps/api/Dockerfile").read_text() == own
    assert not (repo / "docker/services/acme-api.Dockerfile").exists()
    api = load_bake_file(repo / "docker-bake.hcl")["targets"]["acme-api"]
    assert unquote(api["dockerfile"]) == "apps/api/Dockerfile"
    assert contexts(api)["production-base"] == "target:node-production-base"


def test_an_included_service_with_nothing_to_start_warns_naming_cmd(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "lib/src/lib").mkdir(parents=True)
    (root / "lib/pyproject.toml").write_text('[project]\nname = "lib"\nversion = "1"\n')
    (root / "lib/src/lib/__init__.py").write_text("")
    (root / "bakegen.toml").write_text('[services]\ninclude = ["lib"]\n')
    code, out, err = invoke("scan", str(root))
    assert code == 0
    assert ('lib/pyproject.toml: service lib: nothing found that starts it (no script, main '
            'module or app); the image runs a guess. Set [service."lib"] cmd in '
            "bakegen.toml") in out + err


def test_per_service_dependencies_move_the_layers_into_the_services(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    write_config(repo, 'registry = "ghcr.io/acme"\ndependencies = "per-service"\n')
    code, _, err = invoke("generate", str(repo))
    assert code == 0, err
    load_bake_file(repo / "docker-bake.hcl")
    for base in ("base-node", "base-python"):
        commands = dockerfile.parse_file(str(repo / "docker" / f"{base}.Dockerfile"))
        assert "prod-deps" not in stage_names(commands)
        production = stage_names(commands).index("production-base")
        assert not [c for c in commands[production:] if c.cmd == "COPY"
                    and c.flags[:1] in (("--from=prod-deps",), ("--from=deps-base",))]
    for service in ("acme-api", "acme-worker"):
        commands = dockerfile.parse_file(str(repo / "docker/services" / f"{service}.Dockerfile"))
        assert stage_names(commands) == ["build", "prod-deps"]
        assert ("--from=prod-deps",) in [c.flags for c in commands if c.cmd == "COPY"]
    # generated output is stable under the switch
    code, _, _ = invoke("generate", str(repo), "--check")
    assert code == 0
