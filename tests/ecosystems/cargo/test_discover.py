"""Scanning Cargo repositories: workspace roots, members, path edges, bins, toolchains."""

from __future__ import annotations

import json
from pathlib import Path

from bakegen.ecosystems import cargo as cargo_ecosystem
from bakegen.ecosystems.cargo.manifest import Target, targets_of
from bakegen.model import Dependency, DepKind, EcosystemScan, Package, Workspace
from bakegen.tree import SourceTree
from tests.builders import REAL_WORKSPACES, copy_real_workspace, copy_sample, write_tree


def crate(name: str, *lines: str, version: str = '"0.1.0"') -> str:
    """A small Cargo.toml: `[package]` with name and version, then extra lines."""
    return f'[package]\nname = "{name}"\nversion = {version}\nedition = "2021"\n' + "\n".join(
        lines
    ) + "\n"


def scan(tmp_path: Path, files: dict[str, str]) -> EcosystemScan:
    write_tree(tmp_path, files)
    return cargo_ecosystem.scan(SourceTree.scan(tmp_path))


def edges(result: EcosystemScan) -> set[tuple[str, str, str]]:
    return {(p.name, d.name, d.kind.value) for p in result.packages for d in p.dependencies}


def problems(result: EcosystemScan) -> set[tuple[str, str, str]]:
    return {(p.severity.value, p.path, p.message) for p in result.problems}


def by_name(result: EcosystemScan) -> dict[str, Package]:
    return {p.name: p for p in result.packages}


def workspace(result: EcosystemScan, root: str) -> Workspace:
    return next(w for w in result.workspaces if w.root == root)


ROOT = '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n'
LIB = "pub fn f() {}\n"
MAIN = "fn main() {}\n"


# --- real workspaces ---------------------------------------------------------------------


def test_sample_monorepo(tmp_path: Path) -> None:
    result = cargo_ecosystem.scan(SourceTree.scan(copy_sample(tmp_path)))
    assert [(p.name, p.path) for p in result.packages] == [
        ("geo", "crates/geo"), ("router-svc", "crates/router"),
    ]
    geo, router = result.packages
    assert not geo.deployable and geo.binaries == () and geo.entrypoint == ()
    assert router.deployable and router.deployable_reason == "bin target src/main.rs"
    assert router.binaries == ("router-svc",)
    assert router.entrypoint == ("router-svc",)
    assert (geo.version, router.version) == ("0.1.0", "0.1.0")  # version.workspace = true
    assert edges(result) == {("router-svc", "geo", "runtime")}  # [dependencies.geo] workspace
    [ws] = result.workspaces
    assert (ws.ecosystem, ws.root, ws.manager, ws.lockfile) == ("cargo", ".", "cargo", "Cargo.lock")
    assert ws.manifests == ("Cargo.toml", "crates/geo/Cargo.toml", "crates/router/Cargo.toml")
    assert ws.extra_files == ()  # the 1.83 pin is carried by the image tag
    assert ws.runtime_version == "1.83"
    assert ws.packages == ("geo", "router-svc")
    assert result.problems == ()


def test_lldap_matches_the_hand_read_expectations(tmp_path: Path) -> None:
    root = copy_real_workspace("lldap", tmp_path)
    expected = json.loads((REAL_WORKSPACES / "lldap.expected.json").read_text())
    result = cargo_ecosystem.scan(SourceTree.scan(root))
    assert sorted((p.name, p.path) for p in result.packages) == sorted(
        (p["name"], p["path"]) for p in expected["packages"]
    )
    # the same pair with runtime and dev kinds stays two Dependency records
    assert edges(result) == {(e["from"], e["to"], e["kind"]) for e in expected["edges"]}
    assert len([e for p in result.packages for e in p.dependencies]) == len(expected["edges"])
    hints = {p["name"]: p["deployable_hint"] for p in expected["packages"]}
    assert {p.name: p.deployable for p in result.packages} == hints
    [ws] = result.workspaces
    assert ws.runtime_version == "1.91.0"  # [workspace.package] rust-version
    assert ws.lockfile == "Cargo.lock"
    assert not [p for p in result.problems if p.is_error]


# --- workspace roots and members ---------------------------------------------------------


def test_workspace_root_below_the_repository_root(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "services/Cargo.toml": '[workspace]\nmembers = ["api", "libs/*"]\n',
        "services/Cargo.lock": "",
        "services/api/Cargo.toml": crate("api", '[dependencies]\nutil = { path = "../libs/util" }'),
        "services/api/src/main.rs": MAIN,
        "services/libs/util/Cargo.toml": crate("util"),
        "services/libs/util/src/lib.rs": LIB,
    })
    [ws] = result.workspaces
    assert (ws.root, ws.lockfile) == ("services", "services/Cargo.lock")
    assert [(p.name, p.path, p.workspace) for p in result.packages] == [
        ("api", "services/api", "services"), ("util", "services/libs/util", "services"),
    ]
    assert edges(result) == {("api", "util", "runtime")}
    assert ws.manifests == (
        "services/Cargo.toml", "services/api/Cargo.toml", "services/libs/util/Cargo.toml",
    )


def test_members_globs_exclude_root_package_and_virtual_manifest(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": crate(
            "root-app",
            '[workspace]\nmembers = ["crates/*", "tools/[ab]*"]\n'
            'exclude = ["crates/old", "crates/tmp-*"]\ndefault-members = ["crates/a"]',
        ),
        "Cargo.lock": "",
        "src/main.rs": MAIN,
        "crates/a/Cargo.toml": crate("a"),
        "crates/old/Cargo.toml": crate("old"),
        "crates/tmp-x/Cargo.toml": crate("tmp-x"),
        "tools/alpha/Cargo.toml": crate("alpha"),
        "tools/zeta/Cargo.toml": crate("zeta"),
    })
    root = workspace(result, ".")
    assert root.packages == ("a", "alpha", "root-app")  # the root [package] is a member too
    # excluded and unlisted crates are standalone: their own workspace each
    assert {w.root for w in result.workspaces} == {".", "crates/old", "crates/tmp-x", "tools/zeta"}
    assert by_name(result)["old"].workspace == "crates/old"
    warned = {p for p in problems(result) if "not one of its members" in p[2]}
    assert {p[1] for p in warned} == {"tools/zeta/Cargo.toml"}  # excluded ones are not warned


def test_a_virtual_manifest_is_not_a_package(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": ROOT, "Cargo.lock": "", "crates/a/Cargo.toml": crate("a"),
    })
    assert [p.name for p in result.packages] == ["a"]
    assert workspace(result, ".").manifests == ("Cargo.toml", "crates/a/Cargo.toml")


def test_listed_member_without_manifest_is_a_warning(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": '[workspace]\nmembers = ["crates/a", "crates/gone", "plugins/*"]\n',
        "Cargo.lock": "",
        "crates/a/Cargo.toml": crate("a"),
    })
    assert problems(result) == {
        ("warning", "Cargo.toml", 'workspace member "crates/gone" has no Cargo.toml'),
        ("warning", "Cargo.toml",
         'workspace member glob "plugins/*" matches no folder with a Cargo.toml'),
    }
    assert [p.name for p in result.packages] == ["a"]


def test_standalone_crates_outside_and_inside_a_workspace(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "rust/Cargo.toml": ROOT,
        "rust/Cargo.lock": "",
        "rust/crates/a/Cargo.toml": crate("a"),
        "rust/crates/a/fixtures/demo/Cargo.toml": crate("demo"),  # nested, not listed
        "tools/cli/Cargo.toml": crate("cli"),
        "tools/cli/Cargo.lock": "",
        "tools/cli/src/main.rs": MAIN,
    })
    cli = workspace(result, "tools/cli")
    assert (cli.lockfile, cli.manifests, cli.packages) == (
        "tools/cli/Cargo.lock", ("tools/cli/Cargo.toml",), ("cli",),
    )
    assert by_name(result)["cli"].deployable
    assert problems(result) == {
        ("warning", "rust/crates/a/fixtures/demo/Cargo.toml",
         'crate is below the workspace at "rust" but not one of its members; cargo refuses to '
         "build it there: add it to members or to exclude (bakegen treats it as a standalone "
         "crate)"),
        ("warning", "rust/crates/a/fixtures/demo/Cargo.toml",
         "no Cargo.lock next to this workspace root: images resolve dependency versions at "
         "build time; run `cargo generate-lockfile` and commit Cargo.lock"),
    }


def test_path_dependencies_below_the_root_become_members(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": '[workspace]\nmembers = ["app"]\n',
        "Cargo.lock": "",
        "app/Cargo.toml": crate("app", '[dependencies]\nhelper = { path = "../helper" }'),
        "helper/Cargo.toml": crate("helper"),
    })
    assert workspace(result, ".").packages == ("app", "helper")
    assert edges(result) == {("app", "helper", "runtime")}
    assert result.problems == ()


def test_nested_workspace_root_listed_as_member_is_an_error(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": ROOT,
        "Cargo.lock": "",
        "crates/a/Cargo.toml": crate("a"),
        "crates/inner/Cargo.toml": '[workspace]\nmembers = ["x"]\n',
        "crates/inner/Cargo.lock": "",
        "crates/inner/x/Cargo.toml": crate("x"),
    })
    assert ("error", "crates/inner/Cargo.toml",
            'is a workspace root but also a member of the workspace at "."; cargo does not nest '
            "workspaces: remove it from the members or drop its [workspace]") in problems(result)
    assert workspace(result, "crates/inner").packages == ("x",)


def test_vendored_crates_are_not_scanned(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": crate("app"),
        "Cargo.lock": "",
        "vendor/serde/Cargo.toml": crate("serde"),
        "vendor/serde/.cargo-checksum.json": "{}",
    })
    assert [p.name for p in result.packages] == ["app"]


# --- edges -------------------------------------------------------------------------------


def test_every_dependency_table_gives_its_kind(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": ROOT,
        "Cargo.lock": "",
        "crates/app/Cargo.toml": crate(
            "app",
            "[dependencies]",
            'core = { path = "../core" }',
            'serde = "1"',
            "[dev-dependencies]",
            'testkit = { path = "../testkit" }',
            "[build-dependencies.codegen]",
            'path = "../codegen"',
            "[target.'cfg(unix)'.dependencies]",
            'unixy = { path = "../unixy" }',
            "[target.'cfg(windows)'.dev-dependencies.winkit]",
            'path = "../winkit"',
            "[target.'cfg(target_os = \"linux\")'.build-dependencies]",
            'linuxgen = { path = "../linuxgen" }',
            "[dev_dependencies]",
            'oldstyle = { path = "../oldstyle" }',
        ),
        **{
            f"crates/{n}/Cargo.toml": crate(n)
            for n in ("core", "testkit", "codegen", "unixy", "winkit", "linuxgen", "oldstyle")
        },
    })
    assert edges(result) == {
        ("app", "core", "runtime"), ("app", "testkit", "dev"), ("app", "codegen", "build"),
        ("app", "unixy", "runtime"), ("app", "winkit", "dev"), ("app", "linuxgen", "build"),
        ("app", "oldstyle", "dev"),
    }
    assert result.problems == ()


def test_runtime_and_dev_edge_to_the_same_crate_are_both_kept(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": ROOT,
        "Cargo.lock": "",
        "crates/app/Cargo.toml": crate(
            "app", "[dependencies.core]", 'path = "../core"',
            "[dev-dependencies.core]", 'path = "../core"', 'features = ["test"]',
        ),
        "crates/core/Cargo.toml": crate("core"),
    })
    assert by_name(result)["app"].dependencies == (
        Dependency("core", DepKind.DEV), Dependency("core", DepKind.RUNTIME),
    )


def test_workspace_inheritance_and_renames(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": ROOT + (
            "[workspace.package]\nversion = \"2.3.4\"\n"
            "[workspace.dependencies]\n"
            'core = { path = "crates/core" }\n'
            'fast = { path = "crates/fast-impl", package = "fast-impl" }\n'
            'geo = "0.28"\n'  # a crates.io crate that shares a member's name
            'serde = { version = "1", features = ["derive"] }\n'
        ),
        "Cargo.lock": "",
        "crates/app/Cargo.toml": crate(
            "app",
            "[dependencies]",
            "core = { workspace = true }",
            "fast.workspace = true",
            "geo = { workspace = true }",
            "serde.workspace = true",
            'short = { package = "long-name", path = "../long" }',
            version="{ workspace = true }",
        ),
        "crates/core/Cargo.toml": crate("core"),
        "crates/fast-impl/Cargo.toml": crate("fast-impl"),
        "crates/geo/Cargo.toml": crate("geo"),
        "crates/long/Cargo.toml": crate("long-name"),
        "crates/other/Cargo.toml": crate("other", '[dependencies]\ncore = "1"'),  # no path
    })
    assert edges(result) == {
        ("app", "core", "runtime"), ("app", "fast-impl", "runtime"),
        ("app", "long-name", "runtime"),
    }
    assert by_name(result)["app"].version == "2.3.4"
    assert result.problems == ()


def test_path_problems(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": ROOT + '[workspace.dependencies]\nfar = { path = "../../far" }\n',
        "Cargo.lock": "",
        "crates/a/Cargo.toml": crate(
            "a",
            "[dependencies]",
            'x = { path = "../../../etc" }',
            'nothing = { path = "../nothing" }',
            'b = { path = "../b" }',
            'alias = { path = "../c" }',
            "far = { workspace = true }",
            "missing = { workspace = true }",
        ),
        "crates/b/Cargo.toml": crate("b"),
        "crates/c/Cargo.toml": crate("c"),
        "crates/nothing/README.md": "no manifest here",
    })
    assert problems(result) == {
        ("error", "crates/a/Cargo.toml",
         'path dependency "x" points outside the repository (../../../etc)'),
        ("error", "crates/a/Cargo.toml",
         'path dependency "nothing" points to "crates/nothing" (../nothing), '
         "which has no Cargo.toml"),
        ("error", "crates/a/Cargo.toml",
         'dependency "alias" asks for crate "alias" but crates/c holds "c" (write package = "c")'),
        ("error", "Cargo.toml", 'path dependency "far" points outside the repository (../../far)'),
        ("error", "crates/a/Cargo.toml",
         'dependency "missing" uses workspace = true but Cargo.toml has no "missing" in '
         "[workspace.dependencies]"),
    }
    assert edges(result) == {("a", "b", "runtime")}  # the good entry still counts


def test_path_dependency_on_a_crate_of_another_workspace_is_a_warning_and_no_service(
    tmp_path: Path,
) -> None:
    result = scan(tmp_path, {
        "svc/Cargo.toml": '[workspace]\nmembers = ["api", "web"]\n',
        "svc/Cargo.lock": "",
        "svc/api/Cargo.toml": crate("api", '[dependencies]\nshared = { path = "../../shared" }'),
        "svc/api/src/main.rs": "fn main() {}",
        "svc/web/Cargo.toml": crate("web"),
        "svc/web/src/main.rs": "fn main() {}",
        "shared/Cargo.toml": crate("shared"),
        "shared/Cargo.lock": "",
    })
    assert problems(result) == {
        ("warning", "svc/api/Cargo.toml",
         'path dependency "shared" points to crate "shared" (shared), which is not a member of '
         'the workspace at "svc"; not built: bakegen builds one workspace per image (make both '
         "crates members of one [workspace] to build it)"),
    }
    # cargo must resolve every member, so no crate of that workspace can be built alone
    packages = {p.name: p for p in result.packages}
    assert not packages["api"].deployable and not packages["web"].deployable
    assert packages["web"].rejected == ("bin target src/main.rs, but its workspace needs crates "
                                        "of another workspace (shared)")


def test_workspace_true_outside_a_workspace_is_an_error(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": crate("solo", "[dependencies]\nserde = { workspace = true }",
                            version="{ workspace = true }"),
        "Cargo.lock": "",
    })
    assert problems(result) == {
        ("error", "Cargo.toml",
         'dependency "serde" uses workspace = true but the crate is not in a workspace'),
        ("error", "Cargo.toml",
         '"package.version" uses workspace = true but the workspace has no [workspace.package] '
         "version"),
    }
    assert by_name(result)["solo"].version is None


# --- bad manifests -----------------------------------------------------------------------


def test_wrong_types_are_problems_and_the_scan_goes_on(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": ROOT,
        "Cargo.lock": "",
        "crates/a/Cargo.toml": 'dependencies = [1, 2]\n[package]\nname = "a"\nversion = 5\n',
        "crates/b/Cargo.toml": crate(
            "b", "[dependencies]", "c = 7", 'd = { path = 3 }', "e = { workspace = \"yes\" }",
            "[[bin]]", 'path = "src/x.rs"', "[[bin]]", "name = 4",
        ),
        "crates/c/Cargo.toml": crate("c", "[dependencies]", 'b = { path = "../b" }'),
        "crates/d/Cargo.toml": '[package]\nname = ["d"]\n',
        "crates/e/Cargo.toml": "[package\nname = ",
        "crates/f/Cargo.toml": "[lib]\npath = 'x.rs'\n",
    })
    assert problems(result) == {
        ("error", "crates/a/Cargo.toml", '"dependencies" must be a table, got a list'),
        ("error", "crates/a/Cargo.toml",
         '"package.version" must be a string or { workspace = true }, got 5'),
        ("error", "crates/b/Cargo.toml",
         '"dependencies.c" must be a version string or a table, got 7'),
        ("error", "crates/b/Cargo.toml", '"dependencies.d.path" must be a string, got 3'),
        ("error", "crates/b/Cargo.toml",
         '"dependencies.e.workspace" must be true or false, got "yes"'),
        ("error", "crates/b/Cargo.toml", '"bin[1].name" must be a string, got 4'),
        ("error", "crates/b/Cargo.toml", '[[bin]] number 2 has no "name"'),
        ("error", "crates/d/Cargo.toml", '"package.name" must be a non-empty string, got a list'),
        ("error", "crates/e/Cargo.toml",
         "invalid TOML: Expected ']' at the end of a table declaration (at line 1, column 9)"),
        ("error", "crates/f/Cargo.toml", "has neither [package] nor [workspace]"),
    }
    assert [p.name for p in result.packages] == ["a", "b", "c"]
    assert by_name(result)["a"].version is None
    assert by_name(result)["b"].binaries == ("x",)  # a [[bin]] with only a path is named by it
    assert edges(result) == {("c", "b", "runtime")}


def test_broken_manifest_that_cargo_never_reads_is_only_a_warning(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": ROOT,
        "Cargo.lock": "",
        "crates/a/Cargo.toml": crate("a"),
        "crates/a/tests/fixtures/bad/Cargo.toml": "not toml [",
    })
    assert {(s, p) for s, p, _ in problems(result)} == {
        ("warning", "crates/a/tests/fixtures/bad/Cargo.toml"),
    }


def test_workspace_table_of_wrong_types(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": '[workspace]\nmembers = "crates/*"\n[workspace.dependencies]\nx = 3\n',
        "Cargo.lock": "",
    })
    assert problems(result) == {
        ("error", "Cargo.toml", '"workspace.members" must be a list of strings, got "crates/*"'),
        ("error", "Cargo.toml",
         '"workspace.dependencies.x" must be a version string or a table, got 3'),
        ("warning", "Cargo.toml", "workspace has no members"),
    }


def test_bad_member_glob_is_an_error(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": '[workspace]\nmembers = ["crates/[a"]\n', "crates/a/Cargo.toml": crate("a"),
    })
    assert ("error", "Cargo.toml", "workspace.members: unclosed '[' in glob 'crates/[a'") in (
        problems(result)
    )


# --- bins, deployable, targets -----------------------------------------------------------


def test_bin_targets(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": ROOT,
        "Cargo.lock": "",
        "crates/main/Cargo.toml": crate("main-crate"),
        "crates/main/src/main.rs": MAIN,
        "crates/multi/Cargo.toml": crate("multi"),
        "crates/multi/src/lib.rs": LIB,
        "crates/multi/src/bin/zeta.rs": MAIN,
        "crates/multi/src/bin/alpha/main.rs": MAIN,
        "crates/multi/src/bin/alpha/helper.rs": LIB,
        "crates/named/Cargo.toml": crate(
            "named", "[[bin]]", 'name = "server"', 'path = "cmd/server.rs"',
        ),
        "crates/named/src/main.rs": MAIN,
        "crates/noauto/Cargo.toml": crate(
            "noauto", "autobins = false", "[[bin]]", 'name = "only"',
        ),
        "crates/noauto/src/main.rs": MAIN,
        "crates/noauto/src/bin/only.rs": MAIN,
        "crates/noauto/src/bin/skipped.rs": MAIN,
        "crates/lib/Cargo.toml": crate("lib-only"),
        "crates/lib/src/lib.rs": LIB,
    })
    pkgs = by_name(result)
    assert pkgs["main-crate"].binaries == ("main-crate",)
    assert pkgs["main-crate"].deployable_reason == "bin target src/main.rs"
    assert pkgs["multi"].binaries == ("alpha", "zeta")
    assert pkgs["multi"].entrypoint == ("alpha",)  # first sorted
    assert pkgs["multi"].deployable_reason == "bin target src/bin/alpha/main.rs"
    assert pkgs["named"].binaries == ("named", "server")
    assert pkgs["named"].entrypoint == ("named",)  # the package-named bin
    assert pkgs["noauto"].binaries == ("only",)
    assert not pkgs["lib-only"].deployable and pkgs["lib-only"].deployable_reason is None


def test_autobins_false_drops_inferred_bins(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": '[package]\nname = "x"\nversion = "1.0.0"\nautobins = false\n',
        "Cargo.lock": "",
        "src/main.rs": MAIN,
        "src/lib.rs": LIB,
    })
    assert not by_name(result)["x"].deployable


def test_targets_travel_with_the_package(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": crate(
            "t",
            'build = "tools/build.rs"',
            "[lib]", 'path = "lib/mod.rs"',
            "[[test]]", 'name = "integration"',
            "[[bench]]", 'name = "speed"', 'harness = false',
            "[[example]]", 'name = "demo"', 'path = "ex/demo.rs"',
        ),
        "Cargo.lock": "",
        "lib/mod.rs": LIB,
        "tests/integration/main.rs": MAIN,
        "build.rs": MAIN,  # ignored: package.build names another file
    })
    assert set(targets_of(by_name(result)["t"])) == {
        Target("lib", "t", "lib/mod.rs"),
        Target("build-script", "build", "tools/build.rs"),
        Target("test", "integration", "tests/integration/main.rs"),
        Target("bench", "speed", "benches/speed.rs"),
        Target("example", "demo", "ex/demo.rs"),
    }


def test_build_script_is_found_by_default_and_can_be_disabled(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": ROOT,
        "Cargo.lock": "",
        "crates/a/Cargo.toml": crate("a"),
        "crates/a/build.rs": MAIN,
        "crates/b/Cargo.toml": crate("b", "build = false"),
        "crates/b/build.rs": MAIN,
    })
    assert Target("build-script", "build", "build.rs") in targets_of(by_name(result)["a"])
    assert targets_of(by_name(result)["b"]) == ()
    # build scripts are stubbed in deps-base, never admitted as extra files
    assert workspace(result, ".").extra_files == ()


def test_target_path_outside_the_repository_is_an_error(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": crate("x", "[lib]", 'path = "../../lib.rs"'), "Cargo.lock": "",
    })
    assert problems(result) == {
        ("error", "Cargo.toml", 'lib target "x" points outside the repository (../../lib.rs)'),
    }


# --- toolchain, lockfile, tool files -----------------------------------------------------


def _toolchain_ws(tmp_path: Path, files: dict[str, str]) -> Workspace:
    result = scan(tmp_path, {"Cargo.toml": crate("x"), "Cargo.lock": "", **files})
    return workspace(result, ".")


def test_runtime_version_from_rust_toolchain_toml(tmp_path: Path) -> None:
    ws = _toolchain_ws(tmp_path, {
        "rust-toolchain.toml": '[toolchain]\nchannel = "1.83.0"\ncomponents = ["clippy"]\n',
    })
    assert ws.runtime_version == "1.83.0"
    # the image tag carries the version; the file itself would make rustup fetch a toolchain
    assert ws.extra_files == ()


def test_named_channel_toolchain_file_is_kept_for_the_image(tmp_path: Path) -> None:
    ws = _toolchain_ws(tmp_path, {
        "rust-toolchain.toml": '[toolchain]\nchannel = "nightly-2024-05-01"\n',
    })
    assert ws.runtime_version is None
    assert ws.extra_files == ("rust-toolchain.toml",)


def test_stable_channel_means_no_pinned_version(tmp_path: Path) -> None:
    ws = _toolchain_ws(tmp_path, {
        "rust-toolchain.toml": '[toolchain]\nchannel = "stable"\n',
        "Cargo.toml": crate("x", 'rust-version = "1.70"'),
    })
    assert ws.runtime_version is None  # the toolchain file wins over the MSRV


def test_legacy_rust_toolchain_file(tmp_path: Path) -> None:
    assert _toolchain_ws(tmp_path, {"rust-toolchain": "1.79\n"}).runtime_version == "1.79"


def test_rust_version_fallbacks(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "ws/Cargo.toml": (
            '[workspace]\nmembers = ["a"]\n[workspace.package]\nrust-version = "1.80"\n'
        ),
        "ws/Cargo.lock": "",
        "ws/a/Cargo.toml": crate("a", "rust-version.workspace = true"),
        "solo/Cargo.toml": '[package]\nname = "solo"\nversion = "1.0.0"\nrust-version = "1.75"\n',
        "solo/Cargo.lock": "",
    })
    assert workspace(result, "ws").runtime_version == "1.80"
    assert workspace(result, "solo").runtime_version == "1.75"


LOCK_V4 = "# This file is automatically @generated by Cargo.\nversion = 4\n\n[[package]]\n"


def test_rust_version_is_raised_to_what_the_lockfile_and_editions_need(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "old/Cargo.toml": crate("old", 'rust-version = "1.70"'),
        "old/Cargo.lock": LOCK_V4,
        "ed/Cargo.toml": ('[workspace]\nmembers = ["a"]\nresolver = "2"\n'
                          '[workspace.package]\nedition = "2024"\nrust-version = "1.80"\n'),
        "ed/Cargo.lock": LOCK_V4,
        "ed/a/Cargo.toml": ('[package]\nname = "a"\nversion = "0.1.0"\n'
                            'edition.workspace = true\nrust-version.workspace = true\n'),
        "new/Cargo.toml": crate("new", 'rust-version = "1.91.0"'),
        "new/Cargo.lock": LOCK_V4,
        "free/Cargo.toml": crate("free"),
        "free/Cargo.lock": LOCK_V4,
    })
    assert workspace(result, "old").runtime_version == "1.78"
    assert workspace(result, "ed").runtime_version == "1.85"
    assert workspace(result, "new").runtime_version == "1.91.0"  # already enough
    assert workspace(result, "free").runtime_version is None  # newest stable image
    assert problems(result) == {
        ("warning", "old/Cargo.toml",
         "building with Rust 1.78, above rust-version: Cargo.lock format 4 needs Rust 1.78 "
         "or newer"),
        ("warning", "ed/Cargo.toml",
         'building with Rust 1.85, above rust-version: edition "2024" needs Rust 1.85 or newer'),
    }


def test_a_pinned_toolchain_too_old_for_the_lockfile_is_kept_and_warned_about(
        tmp_path: Path) -> None:
    result = scan(tmp_path, {"Cargo.toml": crate("x"), "Cargo.lock": LOCK_V4,
                             "rust-toolchain": "1.75\n"})
    assert workspace(result, ".").runtime_version == "1.75"
    assert problems(result) == {(
        "warning", "rust-toolchain",
        "pins Rust 1.75, but Cargo.lock format 4 needs Rust 1.78 or newer: the image build "
        "will fail")}


def test_toolchain_and_cargo_config_found_from_the_root_upwards(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "rust-toolchain.toml": '[toolchain]\nchannel = "1.82"\n',
        ".cargo/config.toml": "[net]\ngit-fetch-with-cli = true\n",
        "services/.cargo/config": "[build]\n",
        "services/Cargo.toml": '[workspace]\nmembers = ["a"]\n',
        "services/Cargo.lock": "",
        "services/a/Cargo.toml": crate("a"),
        "services/a/.cargo/config.toml": "",  # cargo reads configs from the cwd up, not members
    })
    ws = workspace(result, "services")
    assert ws.extra_files == (".cargo/config.toml", "services/.cargo/config")
    assert ws.runtime_version == "1.82"


def test_broken_toolchain_file_is_a_warning(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": crate("x"), "Cargo.lock": "", "rust-toolchain.toml": "[toolchain\n",
    })
    assert {(s, p) for s, p, _ in problems(result)} == {("warning", "rust-toolchain.toml")}


def test_missing_lockfile_is_a_warning(tmp_path: Path) -> None:
    result = scan(tmp_path, {"Cargo.toml": ROOT, "crates/a/Cargo.toml": crate("a")})
    assert workspace(result, ".").lockfile is None
    assert problems(result) == {
        ("warning", "Cargo.toml",
         "no Cargo.lock next to this workspace root: images resolve dependency versions at "
         "build time; run `cargo generate-lockfile` and commit Cargo.lock"),
    }


def test_patched_path_crates_are_extra_files(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "Cargo.toml": ROOT + '[patch.crates-io]\nserde = { path = "third_party/serde" }\n',
        "Cargo.lock": "",
        "crates/a/Cargo.toml": crate("a"),
        "third_party/serde/Cargo.toml": crate("serde"),
        "third_party/serde/src/lib.rs": LIB,
    })
    # files, not the folder: base fingerprints hash every admitted file
    assert workspace(result, ".").extra_files == (
        "third_party/serde/Cargo.toml", "third_party/serde/src/lib.rs",
    )


# --- output ------------------------------------------------------------------------------


def test_output_is_sorted_and_stable(tmp_path: Path) -> None:
    files = {"Cargo.toml": ROOT, "Cargo.lock": ""}
    for i in range(30, 0, -1):
        files[f"crates/c{i:02}/Cargo.toml"] = crate(
            f"c{i:02}", "[dependencies]",
            *(f'c{j:02} = {{ path = "../c{j:02}" }}' for j in range(i - 1, max(i - 4, 0), -1)),
        )
    first = scan(tmp_path, files)
    second = cargo_ecosystem.scan(SourceTree.scan(tmp_path))
    assert first == second
    assert [p.name for p in first.packages] == sorted(p.name for p in first.packages)
    for pkg in first.packages:
        assert list(pkg.dependencies) == sorted(pkg.dependencies)


def test_ten_thousand_crates_scan_completely(tmp_path: Path) -> None:
    # correctness at scale only: the speed is measured by `python -m bench`, not timed here
    write_tree(tmp_path, {
        "Cargo.toml": ROOT + "[workspace.package]\nversion = \"1.0.0\"\n", "Cargo.lock": "",
    })
    for i in range(10_000):
        src = tmp_path / f"crates/c{i}/src"
        src.mkdir(parents=True)
        parents = sorted({i // 2, i // 3} - {i})
        deps = "".join(f'c{j} = {{ path = "../c{j}" }}\n' for j in parents)
        (src.parent / "Cargo.toml").write_text(crate(
            f"c{i}", f'[dependencies]\nserde = "1"\n{deps}', version="{ workspace = true }"
        ))
        (src / ("main.rs" if i % 10 == 0 else "lib.rs")).write_text("")
    result = cargo_ecosystem.scan(SourceTree.scan(tmp_path))
    assert len(result.packages) == 10_000 and result.problems == ()
    assert sum(p.deployable for p in result.packages) == 1_000


# --- release symbols ---------------------------------------------------------------------

STRIP = ("CARGO_PROFILE_RELEASE_STRIP=symbols",)
MEMBER = {"svc/Cargo.toml": crate("svc"), "svc/src/main.rs": "fn main() {}\n"}


def test_release_binaries_are_stripped_unless_the_project_chose(tmp_path: Path) -> None:
    plain = scan(tmp_path / "plain", {"Cargo.toml": '[workspace]\nmembers = ["svc"]\n', **MEMBER})
    assert workspace(plain, ".").build_env == STRIP
    for setting in ('strip = "none"', "strip = false", "debug = 1", 'debug = "line-tables-only"'):
        folder = tmp_path / setting.split()[0] / str(len(setting))
        chose = scan(folder, {
            "Cargo.toml": f'[workspace]\nmembers = ["svc"]\n\n[profile.release]\n{setting}\n',
            **MEMBER})
        assert workspace(chose, ".").build_env == (), setting
    other_profile = scan(tmp_path / "dev", {
        "Cargo.toml": '[workspace]\nmembers = ["svc"]\n\n[profile.dev]\nstrip = "none"\n'
                      '[profile.release]\nlto = true\n', **MEMBER})
    assert workspace(other_profile, ".").build_env == STRIP


def test_a_cargo_config_above_the_workspace_chooses_too(tmp_path: Path) -> None:
    files = {"rust/Cargo.toml": '[workspace]\nmembers = ["svc"]\n',
             **{f"rust/{k}": v for k, v in MEMBER.items()}}
    chose = scan(tmp_path / "a",
                 {**files, ".cargo/config.toml": '[profile.release]\ndebug = true\n'})
    assert workspace(chose, "rust").build_env == ()
    legacy = scan(tmp_path / "b", {**files, "rust/.cargo/config": "[profile.release]\nstrip = 0\n"})
    assert workspace(legacy, "rust").build_env == ()
    unrelated = scan(tmp_path / "c", {**files, ".cargo/config.toml": '[build]\njobs = 2\n'})
    assert workspace(unrelated, "rust").build_env == STRIP


def test_an_unreadable_cargo_config_is_a_warning_and_stripping_stays(tmp_path: Path) -> None:
    result = scan(tmp_path, {"Cargo.toml": '[workspace]\nmembers = ["svc"]\n', **MEMBER,
                             ".cargo/config.toml": "[profile.release\n"})
    assert workspace(result, ".").build_env == STRIP
    assert ("warning", ".cargo/config.toml",
            "not readable as TOML, so its [profile.release] is not honoured") in problems(result)
