"""`bakegen new` end to end on copies of sample_monorepo: scaffold, register, lock, regenerate,
and refuse with nothing written."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli, main
from bakegen.onboarding import lock as lock_module
from bakegen.onboarding.lock import find_tool
from tests.builders import SAMPLE, copy_sample, write_tree

#: (language, NAME, package name, default folder, a dependency, root manifest)
LANGUAGES = [
    ("node", "billing", "@acme/billing", "apps/billing", "@acme/shared", "package.json"),
    ("rust", "ledger", "ledger", "crates/ledger", "geo", "Cargo.toml"),
    ("python", "reports", "reports", "python/reports", "acme-common", "pyproject.toml"),
]
#: the first port from 8080 that sample_monorepo's config does not give a service yet
NEXT_PORT = 8082


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """sample_monorepo with its generated files, as a user has it before `new`."""
    # sample_monorepo pins a Rust toolchain that is not installed here
    monkeypatch.setenv("RUSTUP_TOOLCHAIN", "stable")
    # Under `pyenv exec` (a `python` shim running pytest) PYENV_VERSION pins this Python, so
    # the python3.12 shim uv needs for sample_monorepo's .python-version fails and uv tries
    # to download one; a user's shell does not pin it.
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    root = copy_sample(tmp_path)
    run(root, "generate", str(root))
    return root


def run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def new(root: Path, *args: str) -> str:
    return run(root, "new", *args, "--root", str(root))


def refused(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `new` that must fail: exit 2, one line on stderr, not one byte changed."""
    before = snapshot(root)
    with pytest.raises(SystemExit) as exit_info:
        main(["new", *args, "--root", str(root)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert snapshot(root) == before
    return err


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and folder below root (folders as None), to prove nothing changed."""
    return {
        p.relative_to(root).as_posix(): None if p.is_dir() else p.read_bytes()
        for p in sorted(root.rglob("*"))
    }


def scanned(root: Path, name: str) -> dict[str, object]:
    data = json.loads(run(root, "scan", "--json", str(root)))
    found = [p for p in data["packages"] if p["name"] == name]
    assert len(found) == 1, [p["name"] for p in data["packages"]]
    package: dict[str, object] = found[0]
    return package


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [d[2:] for d in diff if d[:2] == "- "], [d[2:] for d in diff if d[:2] == "+ "]


def port_table(name: str) -> list[str]:
    key = f'"{name}"' if "/" in name else name
    return ["", f"[tool.bakegen.service.{key}]", f"port = {NEXT_PORT}", 'health = "/health"']


# -- each language ------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "arg", "name", "folder", "dep", "manifest"), LANGUAGES)
def test_new_in_the_convention_shows_up_in_the_scan_with_its_edges(
    repo: Path, lang: str, arg: str, name: str, folder: str, dep: str, manifest: str
) -> None:
    root_manifest = (repo / manifest).read_text()
    pyproject = (repo / "pyproject.toml").read_text()
    output = new(repo, arg, "--lang", lang, "--depends-on", dep)

    package = scanned(repo, name)
    assert package["path"] == folder
    assert package["deployable"] is True
    assert package["dependencies"] == [{"name": dep, "kind": "runtime"}]
    # last line: a uv.lock that `uv lock` could not update here is warned about first
    assert run(repo, "generate", "--check", str(repo)).splitlines()[-1].startswith("up to date")
    # the default folder is covered by a member glob: the member list is untouched
    if manifest != "pyproject.toml":
        assert (repo / manifest).read_text() == root_manifest
    # the port goes into the repo's config ([tool.bakegen] in pyproject.toml), appended
    assert changed_lines(pyproject, (repo / "pyproject.toml").read_text()) == ([], port_table(name))
    target = name.lstrip("@").replace("/", "-")
    assert (repo / f"docker/services/{target}.Dockerfile").is_file()
    assert f"EXPOSE {NEXT_PORT}" in (repo / f"docker/services/{target}.Dockerfile").read_text()
    assert output.splitlines()[-1] == f"next: cd {repo} && docker buildx bake {target}"


@pytest.mark.parametrize(("lang", "arg", "name", "folder", "dep", "manifest"), LANGUAGES)
def test_new_outside_the_globs_adds_only_the_member_line(
    repo: Path, lang: str, arg: str, name: str, folder: str, dep: str, manifest: str
) -> None:
    before = (repo / manifest).read_text()
    new(repo, arg, "--lang", lang, "--path", "services/x", "--depends-on", dep)

    assert scanned(repo, name)["path"] == "services/x"
    assert scanned(repo, name)["dependencies"] == [{"name": dep, "kind": "runtime"}]
    assert run(repo, "generate", "--check", str(repo)).splitlines()[-1].startswith("up to date")
    removed, added = changed_lines(before, (repo / manifest).read_text())
    if manifest == "package.json":
        assert (removed, added) == ([], ['    "services/x",'])
    elif manifest == "Cargo.toml":
        assert (removed, added) == (['members = ["crates/*"]'],
                                    ['members = ["crates/*", "services/x"]'])
    else:
        assert (removed, added) == (['members = ["python/*"]'],
                                    ['members = ["python/*", "services/x"]', *port_table(name)])


def test_comments_in_a_multiline_member_list_survive(repo: Path) -> None:
    text = (repo / "Cargo.toml").read_text().replace(
        'members = ["crates/*"]',
        '# crates of the repo\nmembers = [\n    "crates/*",  # libraries and services\n]',
    )
    (repo / "Cargo.toml").write_text(text)
    new(repo, "ledger", "--lang", "rust", "--path", "services/ledger")
    after = (repo / "Cargo.toml").read_text()
    assert changed_lines(text, after) == ([], ['    "services/ledger",'])


def test_node_dependency_uses_the_siblings_specifier(repo: Path) -> None:
    # api writes "1.0.0", web writes "*": a tie, settled for "*" (never stale)
    new(repo, "billing", "--lang", "node", "--depends-on", "@acme/shared")
    manifest = json.loads((repo / "apps/billing/package.json").read_text())
    assert manifest["dependencies"] == {"@acme/shared": "*"}
    assert manifest["scripts"] == {"start": "node server.js"}
    assert manifest["license"] == "MIT"  # every sibling says MIT
    # once most siblings pin the exact version, the new service does too
    web = repo / "apps/web/package.json"
    web.write_text(web.read_text().replace('"@acme/shared": "*"', '"@acme/shared": "1.0.0"'))
    new(repo, "orders", "--lang", "node", "--depends-on", "@acme/shared")
    orders = json.loads((repo / "apps/orders/package.json").read_text())
    assert orders["dependencies"] == {"@acme/shared": "1.0.0"}


def test_rust_crate_inherits_like_its_siblings(repo: Path) -> None:
    new(repo, "ledger", "--lang", "rust", "--depends-on", "geo")
    assert (repo / "crates/ledger/Cargo.toml").read_text() == (
        '[package]\nname = "ledger"\nversion.workspace = true\nedition.workspace = true\n'
        "publish = false\n\n[dependencies]\ngeo = { workspace = true }\n"
    )


def test_python_project_follows_its_siblings(repo: Path) -> None:
    new(repo, "Reports_Svc", "--lang", "python", "--depends-on", "Acme_Common")
    text = (repo / "python/reports-svc/pyproject.toml").read_text()
    assert 'name = "reports-svc"' in text
    assert 'requires-python = ">=3.11"' in text  # the siblings' range, not .python-version's
    assert 'dependencies = ["acme-common"]' in text
    assert 'reports-svc = "reports_svc.__main__:main"' in text
    assert "acme-common = { workspace = true }" in text
    assert 'packages = ["src/reports_svc"]' in text  # hatchling, src layout
    assert (repo / "python/reports-svc/src/reports_svc/__main__.py").is_file()


def test_pnpm_workspace_yaml_and_workspace_protocol(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        "package.json": {"name": "mono", "private": True, "packageManager": "pnpm@9.12.0"},
        "pnpm-workspace.yaml": "# members\npackages:\n  - 'apps/*'\n  - 'libs/*'  # shared\n",
        "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        "apps/api/package.json": {"name": "@mono/api", "scripts": {"start": "node a.js"},
                                  "dependencies": {"@mono/kit": "workspace:^"}},
        "libs/kit/package.json": {"name": "@mono/kit", "version": "2.0.0"},
    })
    before = (root / "pnpm-workspace.yaml").read_text()
    output = new(root, "edge", "--lang", "node", "--path", "services/edge", "--depends-on",
                 "@mono/kit", "--no-lock")
    assert changed_lines(before, (root / "pnpm-workspace.yaml").read_text()) == (
        [], ["  - 'services/edge'"]
    )
    manifest = json.loads((root / "services/edge/package.json").read_text())
    assert manifest["name"] == "@mono/edge"
    assert manifest["dependencies"] == {"@mono/kit": "workspace:^"}
    assert "next: run `pnpm install --lockfile-only --ignore-scripts`" in output
    assert scanned(root, "@mono/edge")["dependencies"] == [{"name": "@mono/kit",
                                                            "kind": "runtime"}]


# -- lockfiles ----------------------------------------------------------------------------------


def _uv_runs_in_sample() -> bool:
    """uv is installed and runs inside sample_monorepo (a pyenv shim may not: the sample's
    .python-version names an interpreter the shim cannot find)."""
    uv = find_tool("uv")
    if uv is None:
        return False
    probe = subprocess.run([uv, "--version"], cwd=SAMPLE, capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _uv_runs_in_sample(), reason="uv is not installed or cannot run here")
def test_uv_lock_is_refreshed(repo: Path) -> None:
    output = new(repo, "reports", "--lang", "python", "--depends-on", "acme-common")
    assert "uv.lock: updated with `uv lock`" in output
    assert 'name = "reports"' in (repo / "uv.lock").read_text()
    uv = find_tool("uv")
    assert uv is not None
    check = subprocess.run([uv, "lock", "--check"], cwd=repo, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    # the base image's fingerprint covers uv.lock: generation ran after the lock
    assert run(repo, "generate", "--check", str(repo)).startswith("up to date")


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")
def test_cargo_lock_is_refreshed(repo: Path) -> None:
    output = new(repo, "ledger", "--lang", "rust", "--depends-on", "geo")
    assert "Cargo.lock: updated with `cargo update --workspace`" in output
    assert 'name = "ledger"' in (repo / "Cargo.lock").read_text()
    assert run(repo, "generate", "--check", str(repo)).startswith("up to date")


def test_no_lock_prints_the_command_instead(repo: Path) -> None:
    lock = (repo / "uv.lock").read_bytes()
    output = new(repo, "reports", "--lang", "python", "--no-lock")
    assert (repo / "uv.lock").read_bytes() == lock
    assert ("next: run `uv lock` so that uv.lock lists reports (images install from it "
            "frozen), then `bakegen generate`") in output


def test_missing_lock_tool_is_reported_not_fatal(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lock_module, "find_tool", lambda name: None)
    result = CliRunner().invoke(cli, ["new", "reports", "--lang", "python", "--root", str(repo)])
    assert result.exit_code == 0, result.output
    assert "warning: `uv lock` did not run: uv is not installed" in result.stderr
    assert "next: run `uv lock` yourself so that uv.lock lists reports" in result.stdout
    assert scanned(repo, "reports")["path"] == "python/reports"


def test_yarn_classic_needs_no_lock_update(repo: Path) -> None:
    lock = (repo / "yarn.lock").read_bytes()
    output = new(repo, "billing", "--lang", "node", "--depends-on", "@acme/shared")
    assert "lock" not in output
    assert (repo / "yarn.lock").read_bytes() == lock


# -- refusals: nothing written ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Billing", "--lang", "node"], "Billing: invalid node package name: an npm package "
                                        "name must be lowercase"),
        (["http", "--lang", "python"], "http: invalid python package name: its import package "
                                       '"http" would shadow the standard library module'),
        (["2fast", "--lang", "rust"], "2fast: invalid rust package name: a crate name must not "
                                      "start with a digit"),
        (["fn", "--lang", "rust"], 'fn: invalid rust package name: "fn" is a Rust keyword'),
        (["api", "--lang", "node"], 'apps/api/package.json: already defines the node package '
                                    '"@acme/api"'),
        (["geo", "--lang", "rust"], 'crates/geo/Cargo.toml: already defines the cargo package '
                                    '"geo"'),
        (["Acme_Common", "--lang", "python"], 'python/common/pyproject.toml: already defines the '
                                              'python package "acme-common"'),
        (["x", "--lang", "node", "--path", "apps/api"], "apps/api: already exists and is not "
                                                        "empty; nothing was written"),
        (["x", "--lang", "node", "--path", "README.md"], "README.md: already exists and is not a "
                                                         "folder; nothing was written"),
        (["x", "--lang", "node", "--path", "../x"], "../x: --path must be a folder inside the "
                                                    "repository"),
        (["x", "--lang", "node", "--path", "/x"], "/x: --path must be a folder inside the "
                                                  "repository"),
        (["x", "--lang", "rust", "--path", "crates/geo/sub"], "crates/geo/sub: is inside the "
         "cargo package geo (crates/geo); choose a folder outside it"),
        (["x", "--lang", "node", "--depends-on", "@acme/shard"], "--depends-on @acme/shard: "
         'unknown node package (did you mean "@acme/shared"?)'),
        (["x", "--lang", "python", "--depends-on", "geo"], "--depends-on geo: is a cargo "
                                                           "package, not a python one"),
        (["default", "--lang", "rust"], 'default: bake target "default" is reserved by bakegen; '
                                        "choose another name"),
    ],
)
def test_refusals_write_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert refused(repo, capsys, *args) == message + "\n"


def test_api_name_clash_across_ecosystems_is_about_the_target(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a crate "acme-api" would build as bake target "acme-api", which @acme/api already has
    err = refused(repo, capsys, "acme-api", "--lang", "rust")
    assert 'bake target "acme-api" is already taken by node:@acme/api' in err


def test_missing_ecosystem_needs_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_tree(tmp_path / "repo", {
        "package.json": {"name": "mono", "private": True, "workspaces": ["apps/*"]},
        "package-lock.json": {"name": "mono", "lockfileVersion": 3, "packages": {}},
        "apps/api/package.json": {"name": "api", "scripts": {"start": "node a.js"}},
    })
    err = refused(root, capsys, "ledger", "--lang", "rust")
    assert err == (f"{root}: has no cargo workspace or package; rerun with --force to create a "
                   "standalone rust service anyway\n")
    output = new(root, "ledger", "--lang", "rust", "--force")
    assert "created cargo service ledger in services/ledger (standalone)" in output
    assert scanned(root, "ledger")["deployable"] is True
    if shutil.which("cargo"):
        assert "services/ledger/Cargo.lock: updated with `cd services/ledger && cargo " \
               "generate-lockfile`" in output
        assert (root / "services/ledger/Cargo.lock").is_file()
    assert "up to date" in run(root, "generate", "--check", str(root))
    assert not (root / "bakegen.toml").exists()  # no config is created for the port
    assert "port: 8080, the skeleton's default" in output


def test_standalone_node_service_gets_its_own_lockfile(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        "Cargo.toml": '[package]\nname = "tool"\nversion = "0.1.0"\nedition = "2021"\n',
        "src/main.rs": "fn main() {}\n",
    })
    new(root, "web", "--lang", "node", "--force")
    assert json.loads((root / "services/web/package-lock.json").read_text())["lockfileVersion"] == 3
    assert scanned(root, "web")["path"] == "services/web"


def test_foreign_dockerfile_in_the_way_is_refused_first(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "docker/services/ledger.Dockerfile").write_text("FROM scratch\n")
    err = refused(repo, capsys, "ledger", "--lang", "rust")
    assert err == ("docker/services/ledger.Dockerfile: exists and was not generated by bakegen; "
                   "move it away first\n")


def test_a_folder_the_scan_ignores_is_rolled_back(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # sample_monorepo's .gitignore has dist/: the files would be written where no scan looks
    err = refused(repo, capsys, "x", "--lang", "node", "--path", "dist/x")
    assert err.startswith("dist/x: the scan does not find the new node package")


def test_a_failure_after_the_lock_puts_everything_back(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bakegen.errors import BakegenError
    from bakegen.onboarding import scaffold
    from bakegen.onboarding.lock import LockOutcome, LockStatus, LockStep

    def fake_lock(root: Path, step: LockStep) -> LockOutcome:
        (root / step.lockfile).write_text("changed by the lock step\n")  # as `uv lock` would
        return LockOutcome(step, LockStatus.REFRESHED)

    def broken(root: Path) -> object:
        raise BakegenError("docker-bake.hcl: cannot write (disk full)")

    monkeypatch.setattr(scaffold, "run_lock", fake_lock)
    monkeypatch.setattr(scaffold, "generate", broken)
    err = refused(repo, capsys, "reports", "--lang", "python", "--path", "services/reports")
    assert err == "docker-bake.hcl: cannot write (disk full)\n"


def test_dry_run_lists_and_writes_nothing(repo: Path) -> None:
    before = snapshot(repo)
    output = new(repo, "reports", "--lang", "python", "--path", "services/reports", "--dry-run")
    assert snapshot(repo) == before
    assert output == (
        "would create python service reports in services/reports\n"
        "  + services/reports/pyproject.toml\n"
        "  + services/reports/src/reports/__init__.py\n"
        "  + services/reports/src/reports/__main__.py\n"
        "  ~ pyproject.toml: member services/reports added; "
        f'[tool.bakegen.service.reports] port = {NEXT_PORT}, health = "/health"\n'
        "would run: uv lock\n"
        "would regenerate docker-bake.hcl and the Dockerfiles\n"
    )


def test_explicit_port_and_an_existing_empty_folder(repo: Path) -> None:
    (repo / "services/edge").mkdir(parents=True)
    new(repo, "edge", "--lang", "node", "--path", str(repo / "services/edge"), "--port", "9000")
    assert "|| 9000;" in (repo / "services/edge/server.js").read_text()
    assert "[tool.bakegen.service.\"@acme/edge\"]\nport = 9000\n" in (
        repo / "pyproject.toml"
    ).read_text()


def test_depends_on_accepts_a_comma_separated_list(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
        "libs/a/pyproject.toml": '[project]\nname = "a"\nversion = "1"\n',
        "libs/b/pyproject.toml": '[project]\nname = "b"\nversion = "1"\n',
    })
    new(root, "svc", "--lang", "python", "--depends-on", "a,b", "--no-lock")
    deps = scanned(root, "svc")["dependencies"]
    assert deps == [{"name": "a", "kind": "runtime"}, {"name": "b", "kind": "runtime"}]
    assert scanned(root, "svc")["path"] == "libs/svc"  # no service yet: next to the libraries


def test_several_workspaces_need_a_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {}
    for ws in ("one", "two"):
        files[f"{ws}/Cargo.toml"] = '[workspace]\nmembers = ["crates/*"]\n'
        files[f"{ws}/crates/{ws}-lib/Cargo.toml"] = (
            f'[package]\nname = "{ws}-lib"\nversion = "0.1.0"\nedition = "2021"\n'
        )
        files[f"{ws}/crates/{ws}-lib/src/lib.rs"] = ""
    root = write_tree(tmp_path / "repo", files)
    err = refused(root, capsys, "svc", "--lang", "rust")
    assert err == f"{root}: has several cargo workspaces (one, two); pass --path inside the one " \
                  "to use\n"
    new(root, "svc", "--lang", "rust", "--path", "two/crates/svc", "--depends-on", "two-lib",
        "--no-lock")
    text = (root / "two/crates/svc/Cargo.toml").read_text()
    assert 'two-lib = { path = "../two-lib" }' in text  # not in [workspace.dependencies]
    assert scanned(root, "svc")["dependencies"] == [{"name": "two-lib", "kind": "runtime"}]
    err = refused(root, capsys, "svc2", "--lang", "rust", "--path", "one/crates/svc2",
                  "--depends-on", "two-lib")
    assert err == "--depends-on two-lib: is in the cargo workspace at two, not in the one at one\n"


def test_help_documents_every_option() -> None:
    result = CliRunner().invoke(cli, ["new", "--help"])
    for option in ("--lang", "--path", "--depends-on", "--port", "--root", "--force",
                   "--no-lock", "--dry-run"):
        assert option in result.output


def test_plain_python_projects_get_path_sources(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        "libs/common/pyproject.toml": '[project]\nname = "common"\nversion = "1"\n'
                                      'requires-python = ">=3.10"\n',
        "libs/common/common/__init__.py": "",
    })
    output = new(root, "api", "--lang", "python", "--depends-on", "common")
    assert "(standalone)" in output
    text = (root / "libs/api/pyproject.toml").read_text()
    assert 'common = { path = "../common", editable = true }' in text
    assert 'packages = ["api"]' in text  # the siblings' flat layout
    assert (root / "libs/api/api/__main__.py").is_file()
    assert scanned(root, "api")["dependencies"] == [{"name": "common", "kind": "runtime"}]
    assert "up to date" in run(root, "generate", "--check", str(root))


def test_port_goes_into_bakegen_toml(repo: Path) -> None:
    run(repo, "init", str(repo), "--force")
    config = repo / "bakegen.toml"
    config.write_text(config.read_text() + '\n[service.ledger]\ntarget = "books"\n')
    before = config.read_text()
    output = new(repo, "ledger", "--lang", "rust", "--no-lock")
    assert '~ bakegen.toml: [service.ledger] port = 8082, health = "/health"' in output
    # the skeleton answers GET /health: its image gets a HEALTHCHECK
    assert changed_lines(before, config.read_text()) == ([], ["port = 8082", 'health = "/health"'])
    assert "HEALTHCHECK " in (repo / "docker/services/books.Dockerfile").read_text()
    assert output.splitlines()[-1].endswith("docker buildx bake books")
    assert (repo / "docker/services/books.Dockerfile").is_file()


def test_plan_service_is_data_and_writes_nothing(repo: Path) -> None:
    from bakegen.onboarding.context import NewRequest
    from bakegen.onboarding.scaffold import plan_service

    request = NewRequest("reports", "python", path="services/reports",
                         depends_on=("Acme_Common",))
    before = snapshot(repo)
    plan = plan_service(repo, request)
    assert snapshot(repo) == before
    assert plan == plan_service(repo, request)  # deterministic
    assert (plan.ecosystem, plan.name, plan.folder, plan.target, plan.port) == (
        "python", "reports", "services/reports", "reports", NEXT_PORT
    )
    assert plan.registered == "services/reports"
    assert plan.dependencies == ("acme-common",)
    assert plan.lock is not None and plan.lock.shown() == "uv lock"
    assert plan.port_recorded
    assert [(c.path, c.created) for c in plan.changes] == [
        ("services/reports/pyproject.toml", True),
        ("services/reports/src/reports/__init__.py", True),
        ("services/reports/src/reports/__main__.py", True),
        ("pyproject.toml", False),
    ]
