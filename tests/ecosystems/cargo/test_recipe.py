"""Cargo Dockerfile recipes: parsed with a real Dockerfile parser, and run with a real cargo."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import dockerfile
import pytest

from bakegen.ecosystems import cargo as cargo_ecosystem
from bakegen.ecosystems.cargo.manifest import Target, encode_targets
from bakegen.errors import BakegenError
from bakegen.model import EcosystemScan, Package, Workspace
from bakegen.settings import ServiceSettings
from bakegen.tree import SourceTree
from tests.builders import copy_sample, write_tree
from tests.elf import section_names

ECO = cargo_ecosystem


def sample(tmp_path: Path) -> EcosystemScan:
    return ECO.scan(SourceTree.scan(copy_sample(tmp_path)))


def parse_base(ws: Workspace, packages: tuple[Package, ...]) -> list[dockerfile.Command]:
    recipe = ECO.base_recipe(ws, packages)
    text = "FROM rust AS deps-base\nWORKDIR /workspace\n" + "\n".join(recipe.deps) + "\n"
    return list(dockerfile.parse_string(text))


def parse_service(
    ws: Workspace, service: Package, closure: tuple[Package, ...], settings: ServiceSettings
) -> list[dockerfile.Command]:
    recipe = ECO.service_recipe(ws, service, closure, settings)
    text = (
        "FROM deps-base AS build\nWORKDIR /workspace\n" + "\n".join(recipe.build)
        + "\nFROM production-base\nWORKDIR /app\n" + "\n".join(recipe.runtime) + "\n"
    )
    return list(dockerfile.parse_string(text))


def runs(commands: list[dockerfile.Command]) -> list[str]:
    return [c.value[0] for c in commands if c.cmd == "RUN"]


def crate_pkg(name: str, path: str, *targets: Target, deployable: bool = False) -> Package:
    bins = tuple(sorted(t.name for t in targets if t.kind == "bin"))
    main = name if name in bins else bins[0] if bins else None
    return Package(
        ecosystem="cargo", name=name, path=path, manifest=f"{path}/Cargo.toml", workspace=".",
        deployable=deployable, binaries=bins,
        entrypoint=(f"/usr/local/bin/{main}",) if main else (),
        targets=encode_targets(targets),
    )


WS = Workspace("cargo", ".", "cargo", "Cargo.lock", ("Cargo.toml",))


# --- images ------------------------------------------------------------------------------


def test_default_images_follow_the_repo_version(tmp_path: Path) -> None:
    [ws] = sample(tmp_path).workspaces
    assert ECO.default_images(ws) == ("rust:1.83-slim-bookworm", "debian:bookworm-slim")
    unpinned = replace(ws, runtime_version=None)
    assert ECO.default_images(unpinned) == ("rust:1-slim-bookworm", "debian:bookworm-slim")


def test_ecosystem_identity() -> None:
    assert (ECO.name, ECO.image_variable) == ("cargo", "RUST")
    assert {k.value for k in ECO.build_closure_kinds} == {"runtime", "build"}


# --- deps-base ---------------------------------------------------------------------------


def test_base_recipe_for_the_sample(tmp_path: Path) -> None:
    result = sample(tmp_path)
    [ws] = result.workspaces
    commands = parse_base(ws, result.packages)
    assert [c.cmd for c in commands] == [
        "FROM", "WORKDIR", "ENV", "COPY", "RUN", "RUN", "RUN", "RUN",
    ]
    # symbols stripped: the sample's release profile does not choose
    assert commands[2].value == (
        "CARGO_TARGET_DIR", "/cargo/target", "CARGO_PROFILE_RELEASE_STRIP", "symbols")
    assert commands[3].value == (".", "./")  # one COPY: the .dockerignore decides what comes
    stubs, vendor, build, clean = commands[4:]
    assert stubs.value[0].split(" && ") == [
        "mkdir -p crates/geo/src crates/router/src ",
        "touch crates/geo/src/lib.rs ",
        "printf 'fn main() {}\\n' | tee crates/router/src/main.rs >/dev/null",
    ]
    assert vendor.flags == (
        "--mount=type=cache,target=/usr/local/cargo/registry",
        "--mount=type=cache,target=/usr/local/cargo/git",
        "--mount=type=secret,id=cargo-credentials,target=/usr/local/cargo/credentials.toml",
    )
    assert vendor.value[0] == (
        "mkdir -p /cargo && cargo vendor --locked --versioned-dirs /cargo/vendor "
        "> /cargo/vendor.toml"
    )
    # the exact command the service build runs later, so features and hashes match
    assert build.flags == ()
    assert build.value[0] == (
        "cargo build --release --locked --offline --config /cargo/vendor.toml -p router-svc"
    )
    assert clean.value[0] == (
        "cargo clean --release --offline --config /cargo/vendor.toml -p geo -p router-svc"
    )
    assert ECO.base_recipe(ws, result.packages).production == ()
    assert ECO.base_recipe(ws, result.packages).intermediate == ()


def test_cache_mounts_are_locked_and_never_hold_target(tmp_path: Path) -> None:
    result = sample(tmp_path)
    text = "\n".join(ECO.base_recipe(result.workspaces[0], result.packages).deps)
    assert "sharing=shared" not in text
    mounts = re.findall(r"--mount=(\S+)", text)
    assert mounts and all("target" not in m.split("target=", 1)[1] for m in mounts)


def test_every_declared_target_gets_a_stub() -> None:
    pkg = crate_pkg(
        "t", "crates/t",
        Target("lib", "t", "lib/mod.rs"),
        Target("bin", "t", "src/main.rs"),
        Target("bin", "admin", "src/bin/admin/main.rs"),
        Target("build-script", "build", "build.rs"),
        Target("test", "it", "tests/it.rs"),
        Target("bench", "speed", "benches/speed.rs"),
        Target("example", "demo", "ex/demo.rs"),
        deployable=True,
    )
    stubs = runs(parse_base(WS, (pkg,)))[0].split(" && ")
    assert stubs[0].split()[2:] == [
        "crates/t", "crates/t/benches", "crates/t/ex", "crates/t/lib", "crates/t/src",
        "crates/t/src/bin/admin", "crates/t/tests",
    ]
    assert stubs[1].split() == ["touch", "crates/t/lib/mod.rs"]  # the lib stub is empty
    assert stubs[2].split("| tee ")[1].split()[:-1] == [
        "crates/t/benches/speed.rs", "crates/t/build.rs", "crates/t/ex/demo.rs",
        "crates/t/src/bin/admin/main.rs", "crates/t/src/main.rs", "crates/t/tests/it.rs",
    ]


def test_workspace_below_the_root_runs_cargo_there_and_without_lockfile() -> None:
    ws = Workspace("cargo", "services/rust", "cargo", None, ("services/rust/Cargo.toml",))
    pkg = replace(crate_pkg("api", "services/rust/api", Target("bin", "api", "src/main.rs"),
                            deployable=True), workspace="services/rust")
    stubs, vendor, build, clean = runs(parse_base(ws, (pkg,)))
    assert stubs.endswith("tee services/rust/api/src/main.rs >/dev/null")  # from /workspace
    assert "cd services/rust && cargo vendor --versioned-dirs" in vendor  # no --locked
    assert build.startswith("cd services/rust && cargo build --release --locked --offline")
    assert clean.startswith("cd services/rust && cargo clean")
    recipe = ECO.service_recipe(ws, pkg, (), ServiceSettings())
    assert "cd services/rust && cargo build" in recipe.build[1]


def test_workspace_without_services_still_compiles_its_dependencies() -> None:
    pkg = crate_pkg("lib", "crates/lib", Target("lib", "lib", "src/lib.rs"))
    assert runs(parse_base(WS, (pkg,)))[2] == (
        "cargo build --release --locked --offline --config /cargo/vendor.toml --workspace"
    )


def test_names_and_paths_reaching_a_shell_are_quoted() -> None:
    pkg = crate_pkg("we$ird", "crates/my crate", Target("bin", "we$ird", "src/main.rs"),
                    deployable=True)
    ws = replace(WS, root=".")
    base_runs = runs(parse_base(ws, (pkg,)))
    assert "'crates/my crate/src'" in base_runs[0]
    assert "'crates/my crate/src/main.rs'" in base_runs[0]
    assert "-p 'we$ird'" in base_runs[2]
    service = runs(parse_service(ws, pkg, (), ServiceSettings()))[0]
    assert "-p 'we$ird' " in service and "cp '/cargo/target/release/we$ird'" in service
    assert "cp '/cargo/target/release/we$ird' /out/" in service


def test_a_thousand_members_keep_instructions_small() -> None:
    packages = tuple(
        crate_pkg(f"c{i:04}", f"crates/c{i:04}", Target("lib", f"c{i:04}", "src/lib.rs"),
                  *((Target("bin", f"c{i:04}", "src/main.rs"),) if i % 10 == 0 else ()),
                  deployable=i % 10 == 0)
        for i in range(1000)
    )
    recipe = ECO.base_recipe(WS, packages)
    assert max(len(line) for line in recipe.deps) < 16_000
    assert len(recipe.deps) < 40
    commands = parse_base(WS, packages)
    text = "\n".join(runs(commands))
    assert text.count("cargo build") == 100
    assert all(f"-p c{i:04}" in text for i in range(1000))  # every member's stub cleaned
    assert all(f"crates/c{i:04}/src/lib.rs" in text for i in range(1000))


# --- service -----------------------------------------------------------------------------


def test_service_recipe_for_the_sample(tmp_path: Path) -> None:
    result = sample(tmp_path)
    [ws] = result.workspaces
    geo, router = result.packages
    recipe = ECO.service_recipe(ws, router, (geo,), ServiceSettings())
    commands = parse_service(ws, router, (geo,), ServiceSettings())
    assert [c.cmd for c in commands] == ["FROM", "WORKDIR", "COPY", "RUN", "FROM", "WORKDIR",
                                         "COPY"]
    assert commands[2].value == (".", "./")
    assert commands[3].value[0].split(" && ") == [
        "cargo build --release --locked --offline --config /cargo/vendor.toml "
        "-p router-svc ",
        "mkdir -p /out ",
        "cp /cargo/target/release/router-svc /out/",
    ]
    assert "--mount" not in " ".join(commands[3].flags)  # nothing is installed again
    final = commands[-1]
    assert final.flags == ("--from=build", "--chmod=0755")
    assert final.value == ("/out/router-svc", "/usr/local/bin/router-svc")
    assert recipe.command == ("/usr/local/bin/router-svc",)
    assert recipe.context == ("crates/geo", "crates/router")


def _tool(*, default_run: str | None = None) -> Package:
    svc = crate_pkg("tool", "crates/tool", Target("bin", "tool", "src/main.rs"),
                    Target("bin", "migrate", "src/bin/migrate.rs"),
                    Target("bin", "admin", "src/bin/admin.rs"), deployable=True)
    return replace(svc, entrypoint_reason="named after the crate")


def test_a_crate_with_several_bins_ships_all_and_says_which_runs() -> None:
    recipe = ECO.service_recipe(WS, _tool(), (), ServiceSettings())
    # every bin: deps-base's own command, nothing compiled twice
    assert "-p tool \\\n && mkdir" in recipe.build[1]
    assert "cp /cargo/target/release/tool /cargo/target/release/admin " in recipe.build[1]
    assert recipe.runtime == (
        "# bins tool, admin, migrate in /usr/local/bin; CMD runs tool (named after the crate); "
        "run admin, migrate by name",
        "COPY --from=build --chmod=0755 /out/tool /usr/local/bin/tool",
        "COPY --from=build --chmod=0755 /out/admin /usr/local/bin/admin",
        "COPY --from=build --chmod=0755 /out/migrate /usr/local/bin/migrate",
    )
    assert recipe.command == ("/usr/local/bin/tool",)


def test_configured_binaries_narrow_the_image_and_the_first_runs() -> None:
    only = ECO.service_recipe(WS, _tool(), (), ServiceSettings(binaries=("migrate",)))
    assert "-p tool --bin migrate \\\n" in only.build[1]
    assert only.runtime == ("COPY --from=build --chmod=0755 /out/migrate /usr/local/bin/migrate",)
    assert only.command == ("/usr/local/bin/migrate",)
    both = ECO.service_recipe(WS, _tool(), (), ServiceSettings(binaries=("migrate", "tool")))
    assert both.command == ("/usr/local/bin/tool",)  # the crate's main bin, when listed
    assert "-p tool --bin tool --bin migrate" in both.build[1]
    # a bin the command names ships too
    named = ECO.service_recipe(WS, _tool(), (), ServiceSettings(
        binaries=("tool",), cmd=("/usr/local/bin/admin",)))
    assert "-p tool --bin tool --bin admin" in named.build[1]


def test_unknown_configured_binary_is_an_error_naming_the_crates_bins() -> None:
    with pytest.raises(BakegenError, match=r'binaries names nope, not a bin of crates/tool/'
                       r"Cargo.toml \(its bins: admin, migrate, tool\)"):
        ECO.service_recipe(WS, _tool(), (), ServiceSettings(binaries=("nope",)))


def test_default_run_picks_the_bin_the_image_runs(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "Cargo.toml": '[package]\nname = "tool"\nversion = "0.1.0"\ndefault-run = "serve"\n',
        "src/main.rs": "fn main() {}\n",
        "src/bin/serve.rs": "fn main() {}\n",
    })
    [pkg] = ECO.scan(SourceTree.scan(tmp_path)).packages
    assert pkg.entrypoint == ("serve",)
    assert pkg.entrypoint_reason == "package.default-run"
    [ws] = ECO.scan(SourceTree.scan(tmp_path)).workspaces
    recipe = ECO.service_recipe(ws, pkg, (), ServiceSettings())
    assert recipe.command == ("/usr/local/bin/serve",)
    assert recipe.runtime[0].startswith("# bins serve, tool in /usr/local/bin; CMD runs serve "
                                        "(package.default-run)")


def test_service_without_a_bin_is_a_clear_error() -> None:
    lib = crate_pkg("lib", "crates/lib", Target("lib", "lib", "src/lib.rs"))
    with pytest.raises(BakegenError, match='crate "lib" has no bin target to run'):
        ECO.service_recipe(WS, lib, (), ServiceSettings())


def test_service_context_adds_target_files_outside_the_crate_folder() -> None:
    svc = crate_pkg("api", "crates/api", Target("bin", "api", "src/main.rs"), deployable=True)
    shared = crate_pkg("shared", "crates/shared", Target("lib", "shared", "../common/lib.rs"))
    recipe = ECO.service_recipe(WS, svc, (shared,), ServiceSettings())
    assert recipe.context == ("crates/api", "crates/common/lib.rs", "crates/shared")


# --- a real cargo, playing the Dockerfile ------------------------------------------------

REAL_WS = {
    "Cargo.toml": (
        '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n'
        '[workspace.package]\nversion = "0.1.0"\nedition = "2021"\n'
        '[workspace.dependencies]\ngeo = { path = "crates/geo" }\n'
    ),
    "crates/geo/Cargo.toml": (
        '[package]\nname = "geo"\nversion.workspace = true\nedition.workspace = true\n'
    ),
    # the real build script sets what the real lib reads: a stale stub build script fails it
    "crates/geo/build.rs": 'fn main() { println!("cargo:rustc-env=GEO_UNIT=km"); }\n',
    "crates/geo/src/lib.rs": (
        "mod inner;\npub fn describe() -> String { "
        'format!("{} {}", inner::distance(), env!("GEO_UNIT")) }\n'
    ),
    "crates/geo/src/inner.rs": "pub fn distance() -> u32 { 344 }\n",
    "crates/router/Cargo.toml": (
        '[package]\nname = "router-svc"\nversion.workspace = true\nedition.workspace = true\n'
        '[[bin]]\nname = "router-svc"\npath = "src/main.rs"\n'
        "[dependencies.geo]\nworkspace = true\n"
    ),
    "crates/router/src/main.rs": 'fn main() { println!("real router {}", geo::describe()); }\n',
    "crates/other/Cargo.toml": '[package]\nname = "other"\nversion = "0.1.0"\n',
    "crates/other/src/lib.rs": "",
}
_ABSOLUTE = re.compile(r"(?<![\w/.])/(cargo|out)\b")


class _Container:
    """Plays Dockerfile lines in a folder: COPY from the repo with mtimes kept, RUN with sh."""

    def __init__(self, repo: Path, root: Path) -> None:
        self.repo, self.root = repo, root
        self.work = root / "workspace"
        self.work.mkdir(parents=True)
        self.env = {**os.environ, "CARGO_TERM_COLOR": "never"}

    def play(self, lines: tuple[str, ...], admitted: tuple[str, ...], skip: str = "") -> None:
        for line in lines:
            line = _ABSOLUTE.sub(lambda m: f"{self.root}/{m.group(1)}", line)
            if line.startswith("ENV "):
                self.env.update(word.split("=", 1) for word in line[4:].split())
            elif line == "COPY . ./":
                self._copy(admitted)
            elif line.startswith("RUN ") and not (skip and skip in line):
                script = re.sub(r"--mount=\S+ \\\n\s*", "", line[4:])
                done = subprocess.run(["sh", "-ec", script], cwd=self.work, env=self.env,
                                      capture_output=True, text=True, timeout=300)
                assert done.returncode == 0, done.stderr

    def _copy(self, admitted: tuple[str, ...]) -> None:
        for rel in admitted:
            source = self.repo / rel
            if source.is_dir():
                shutil.copytree(source, self.work / rel, dirs_exist_ok=True)
            elif source.is_file():
                (self.work / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, self.work / rel)  # like COPY, keeps the checkout's mtime


def _play_build(tmp_path: Path, skip: str = "") -> str:
    repo = write_tree(tmp_path / "repo", REAL_WS)
    env = {**os.environ, "CARGO_NET_OFFLINE": "true"}
    subprocess.run(["cargo", "generate-lockfile", "--offline"], cwd=repo, env=env, check=True,
                   capture_output=True, timeout=120)
    for path in repo.rglob("*"):
        os.utime(path, (1_577_836_800, 1_577_836_800))  # a checkout from 2020
    result = ECO.scan(SourceTree.scan(repo))
    [ws] = result.workspaces
    geo, _other, router = result.packages
    base = ECO.base_recipe(ws, result.packages)
    service = ECO.service_recipe(ws, router, (geo,), ServiceSettings())
    base_files = (*ws.manifests, *ws.extra_files, str(ws.lockfile))
    container = _Container(repo, tmp_path / "container")
    container.play(base.deps, base_files, skip)
    container.play(service.build, (*base_files, *service.context))
    binary = tmp_path / "container" / "out" / "router-svc"
    assert ".symtab" not in section_names(binary)  # deps-base's ENV strips release binaries
    return subprocess.run([binary], capture_output=True, text=True, check=True).stdout


needs_cargo = pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")


@needs_cargo
def test_real_cargo_builds_the_real_sources_over_the_stubs(tmp_path: Path) -> None:
    assert _play_build(tmp_path) == "real router 344 km\n"


@needs_cargo
def test_without_cleaning_the_stub_artifacts_cargo_would_keep_the_stubs(tmp_path: Path) -> None:
    # why deps-base runs `cargo clean -p <members>`: COPY keeps old mtimes, cargo trusts them
    with pytest.raises(AssertionError, match="GEO_UNIT"):
        _play_build(tmp_path, skip="cargo clean")


def test_production_base_installs_only_the_native_libraries_the_lockfile_links(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from bakegen.cli import cli
    from tests.builders import write_tree

    lock = ('version = 3\n\n[[package]]\nname = "svc"\nversion = "0.1.0"\n'
            'dependencies = ["openssl-sys"]\n\n[[package]]\nname = "openssl-sys"\n'
            'version = "0.9.103"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n')
    write_tree(tmp_path, {
        "Cargo.toml": '[package]\nname = "svc"\nversion = "0.1.0"\nedition = "2021"\n',
        "src/main.rs": "fn main() {}\n",
        "Cargo.lock": lock,
    })
    assert CliRunner().invoke(cli, ["generate", str(tmp_path)]).exit_code == 0
    base = (tmp_path / "docker/base-cargo.Dockerfile").read_text()
    production = base[base.index("AS production-base"):]
    assert "apt-get install -y --no-install-recommends libssl3" in production
    # tini and the CA bundle come from the shared runtime-tools stage, not an install
    assert "--mount=type=bind,from=runtime-tools,target=/run/runtime-tools" in production
    # openssl-sys's build script finds OpenSSL through pkg-config: both, before the build
    deps = base[:base.index("AS runtime-tools")]
    headers = deps.index("apt-get install -y --no-install-recommends libssl-dev pkg-config")
    assert headers < deps.index("cargo vendor") < deps.index("cargo build")
    (tmp_path / "Cargo.lock").write_text(lock.replace("openssl-sys", "itoa"))
    assert CliRunner().invoke(cli, ["generate", str(tmp_path)]).exit_code == 0
    base = (tmp_path / "docker/base-cargo.Dockerfile").read_text()
    assert "libssl3" not in base and "apt-get" not in base[:base.index("AS runtime-tools")]


@pytest.mark.parametrize(("crate", "packages"), [
    ("prost-build", "protobuf-compiler"),
    ("pq-sys", "libpq-dev pkg-config"),
    ("clang-sys", "libclang-dev"),
])
def test_deps_base_installs_what_locked_build_scripts_need(
    tmp_path: Path, crate: str, packages: str
) -> None:
    from click.testing import CliRunner

    from bakegen.cli import cli
    from tests.builders import write_tree

    write_tree(tmp_path, {
        "Cargo.toml": '[package]\nname = "svc"\nversion = "0.1.0"\nedition = "2021"\n',
        "src/main.rs": "fn main() {}\n",
        "Cargo.lock": (f'version = 3\n\n[[package]]\nname = "svc"\nversion = "0.1.0"\n\n'
                       f'[[package]]\nname = "{crate}"\nversion = "1.0.0"\n'),
    })
    assert CliRunner().invoke(cli, ["generate", str(tmp_path)]).exit_code == 0
    base = (tmp_path / "docker/base-cargo.Dockerfile").read_text()
    assert f"apt-get install -y --no-install-recommends {packages}" in base
