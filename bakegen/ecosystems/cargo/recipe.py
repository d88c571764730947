"""Dockerfile steps for Cargo workspaces.

deps-base holds only manifests, Cargo.lock and tool files, so it never changes with a
source edit. It writes a stub for every target of every member (an empty lib, `fn main() {}`
for the rest), vendors every third-party crate once with `cargo vendor --locked` (through
BuildKit cache mounts of cargo's download caches), and compiles the dependencies of every
service with exactly the command the service build runs later, so feature resolution, and
therefore every compiled dependency, matches. Then it cleans the members' own (stub)
artifacts.

Two container facts drive that shape:

* The cache mounts exist only while a RUN runs and start empty on a fresh CI runner, even
  when deps-base itself comes from a registry cache. Vendoring puts the sources into the
  image, so service builds compile fully offline without depending on a warm cache mount.
* Cargo decides a workspace crate is fresh by mtime, and COPY keeps the files' mtimes from
  the checkout, often older than the stub build. Removing the members' stub artifacts
  in deps-base makes the service build compile them from the real sources, whatever the
  clocks say; dependencies (vendored, fingerprinted by version) stay compiled.

Members' build scripts are stubbed like any other target rather than copied: a build
script often reads files next to it (protos, assets) that deps-base does not have, and
editing it must not invalidate the dependency layer. A stub still makes cargo compile the
crate's build-dependencies in deps-base.
"""

from __future__ import annotations

from bakegen.ecosystems.base import BaseRecipe, ServiceRecipe
from bakegen.ecosystems.cargo.discover import ECOSYSTEM
from bakegen.ecosystems.cargo.manifest import targets_of
from bakegen.ecosystems.instructions import (
    exec_form,
    literal_path,
    run,
    secret_mount,
    sh_quote,
    words,
)
from bakegen.ecosystems.runtime import build_packages, runtime_packages
from bakegen.errors import BakegenError
from bakegen.health import compiled_probe
from bakegen.model import Package, Workspace
from bakegen.settings import ServiceSettings
from bakegen.tree import is_within, join, parent

DEFAULT_BUILD_IMAGE = "rust:1-slim-bookworm"
RUNTIME_IMAGE = "debian:bookworm-slim"
# not directly under /: cargo resolves a --config file's paths from the file's grandparent
# folder and panics when there is none
CARGO_DIR = "/cargo"
TARGET_DIR = f"{CARGO_DIR}/target"
VENDOR_DIR = f"{CARGO_DIR}/vendor"
VENDOR_CONFIG = f"{CARGO_DIR}/vendor.toml"
OUT_DIR = "/out"
#: where the image keeps the binaries (on PATH)
BIN_DIR = "/usr/local/bin"
CACHE_MOUNTS = ("/usr/local/cargo/registry", "/usr/local/cargo/git")
#: BuildKit secret id -> where cargo reads registry tokens for `cargo vendor` (optional, see
#: docs/security.md)
SECRETS = {"cargo-credentials": "/usr/local/cargo/credentials.toml"}
CREDENTIALS = secret_mount("cargo-credentials", SECRETS["cargo-credentials"])
#: paths or commands per RUN, so a 1,000-crate workspace keeps instructions a sane size
CHUNK = 200
SERVICE_BUILDS_PER_RUN = 50
_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
_WIDTH = 88


def default_images(workspace: Workspace) -> tuple[str, str]:
    """(build image, runtime image): the repo's Rust version on Debian bookworm slim."""
    version = workspace.runtime_version
    build = f"rust:{version}-slim-bookworm" if version else DEFAULT_BUILD_IMAGE
    return build, RUNTIME_IMAGE


def base_recipe(
    workspace: Workspace, packages: tuple[Package, ...], dependencies: str = "shared"
) -> BaseRecipe:
    """deps-base: stubs, one vendored download, dependencies compiled for every service.

    `dependencies` changes nothing: a service image holds only its own binaries.
    """
    members = sorted(
        (p for p in packages if p.ecosystem == ECOSYSTEM and p.workspace == workspace.root),
        key=lambda p: p.path,
    )
    return BaseRecipe(
        deps=(
            f"ENV {' '.join((f'CARGO_TARGET_DIR={TARGET_DIR}', *workspace.build_env))}",
            *build_packages(workspace.build_packages),
            "COPY . ./",
            *stub_runs(members),
            vendor_run(workspace),
            *dependency_runs(workspace, members),
            *clean_runs(workspace, members),
        ),
        production=runtime_packages(workspace.runtime_packages),
    )


def service_recipe(
    workspace: Workspace,
    service: Package,
    closure: tuple[Package, ...],
    settings: ServiceSettings,
    dependencies: str = "shared",
) -> ServiceRecipe:
    """Build the service's bins offline on deps-base; ship only those binaries.

    Every bin of the crate ships unless `binaries` names some. When all ship, the build is
    deps-base's own `cargo build -p <crate>`, so no dependency is compiled twice.

    `dependencies` changes nothing, as in `base_recipe`.
    """
    bins = service_bins(service, settings)
    every = set(bins) == set(service.binaries)
    built = words(f"{TARGET_DIR}/release/{b}" for b in bins)
    build_run = run(
        _in_root(workspace) + _cargo_build(service.name, () if every else bins),
        f"mkdir -p {OUT_DIR}",
        f"cp {built} {OUT_DIR}/",
    )
    runtime = tuple(
        _copy_from_build(f"{OUT_DIR}/{b}", f"{BIN_DIR}/{b}") for b in bins
    )
    if len(bins) > 1:
        others = ", ".join(bins[1:])
        runtime = (
            f"# bins {', '.join(bins)} in {BIN_DIR}; CMD runs {bins[0]} "
            f"({main_reason(service, settings, bins[0])}); run {others} by name",
            *runtime,
        )
    recipe = ServiceRecipe(
        build=("COPY . ./", build_run),
        runtime=runtime,
        command=(f"{BIN_DIR}/{bins[0]}",),
        context=service_context(service, closure),
    )
    return compiled_probe(recipe, settings)


def service_bins(service: Package, settings: ServiceSettings) -> tuple[str, ...]:
    """The bins the image ships, the one CMD runs first.

    Default: every bin of the crate. `binaries` in the config narrows that list (its first
    entry runs unless it lists the crate's main bin); any bin `cmd` or `entrypoint` names
    ships too.
    """
    if not service.binaries:
        raise BakegenError.at(service.manifest,
            f'crate "{service.name}" has no bin target to run; '
            "add src/main.rs or a [[bin]]"
        )
    main = _main(service)
    chosen: tuple[str, ...] = service.binaries
    if settings.binaries is not None:
        unknown = [b for b in settings.binaries if b not in service.binaries]
        if unknown:
            raise BakegenError(
                f'config: [service."{service.name}"] binaries names {", ".join(unknown)}, '
                f"not a bin of {service.manifest} (its bins: {', '.join(service.binaries)})"
            )
        chosen = settings.binaries
        if main not in chosen:
            main = chosen[0]
    words = (*(settings.entrypoint or ()), *(settings.cmd or ()))
    named = {arg.rsplit("/", 1)[-1] for arg in words}
    rest = {b for b in service.binaries if b in named or b in chosen} - {main}
    return (main, *sorted(rest))


def main_reason(service: Package, settings: ServiceSettings, main: str) -> str:
    """Why CMD runs that bin, for the Dockerfile's comment."""
    if main != _main(service):
        return "first in binaries"
    return service.entrypoint_reason or "the crate's main bin"


def _main(service: Package) -> str:
    """The bin the scan chose to run (default-run, the crate's name, else the first)."""
    main = service.entrypoint[0].rsplit("/", 1)[-1] if service.entrypoint else ""
    if main in service.binaries:
        return main
    return service.name if service.name in service.binaries else service.binaries[0]


def service_context(service: Package, closure: tuple[Package, ...]) -> tuple[str, ...]:
    """Folders of the service and its build closure, plus target files living outside them."""
    crates = [service, *(p for p in closure if p.ecosystem == ECOSYSTEM)]
    paths = {p.path for p in crates}
    for pkg in crates:
        for target in targets_of(pkg):
            file = join(pkg.path, target.path)
            if not is_within(file, pkg.path):
                paths.add(file)
    return tuple(sorted(paths))


def stub_runs(members: list[Package]) -> tuple[str, ...]:
    """RUN lines writing a stub file for every target of every member, CHUNK files a line."""
    stubs = sorted(
        {(join(pkg.path, t.path), t.kind == "lib") for pkg in members for t in targets_of(pkg)}
    )
    runs = []
    for start in range(0, len(stubs), CHUNK):
        chunk = stubs[start : start + CHUNK]
        folders = sorted({parent(path) for path, _ in chunk} - {"."})
        libs = [path for path, is_lib in chunk if is_lib]
        mains = [path for path, is_lib in chunk if not is_lib]
        steps = []
        if folders:
            steps.append("mkdir -p " + words(folders, _WIDTH))
        if libs:
            steps.append("touch " + words(libs, _WIDTH))
        if mains:
            steps.append("printf 'fn main() {}\\n' | tee " + words(mains, _WIDTH) + " >/dev/null")
        runs.append(run(*steps))
    return tuple(runs)


def vendor_run(workspace: Workspace) -> str:
    """Download every third-party crate once, into the image, through the cache mounts."""
    mounts = (*(f"--mount=type=cache,target={c}" for c in CACHE_MOUNTS), CREDENTIALS)
    locked = "--locked " if workspace.lockfile else ""
    return run(
        f"mkdir -p {CARGO_DIR} && {_in_root(workspace)}"
        f"cargo vendor {locked}--versioned-dirs {VENDOR_DIR} > {VENDOR_CONFIG}",
        mounts=mounts,
    )


def dependency_runs(workspace: Workspace, members: list[Package]) -> tuple[str, ...]:
    """Compile what each service's build will need, with the very same cargo command."""
    services = [p for p in members if p.deployable and p.binaries and not p.has_dockerfile]
    if not services:
        return (run(_in_root(workspace) + _cargo("build --release --workspace")),)
    runs = []
    for start in range(0, len(services), SERVICE_BUILDS_PER_RUN):
        chunk = services[start : start + SERVICE_BUILDS_PER_RUN]
        first, *rest = (_cargo_build(p.name) for p in chunk)
        runs.append(run(_in_root(workspace) + first, *rest))
    return tuple(runs)


def clean_runs(workspace: Workspace, members: list[Package]) -> tuple[str, ...]:
    """Drop the members' stub artifacts so no service ever links a stub."""
    names = sorted({p.name for p in members})
    flags = [f"-p {sh_quote(n)}" for n in names]
    return tuple(
        run(_in_root(workspace) + _cargo("clean --release " + " ".join(flags[i : i + CHUNK])))
        for i in range(0, len(flags), CHUNK)
    )


def _cargo_build(name: str, bins: tuple[str, ...] = ()) -> str:
    selected = "".join(f" --bin {sh_quote(b)}" for b in bins)
    return _cargo(f"build --release -p {sh_quote(name)}{selected}")


def _cargo(command: str) -> str:
    """`cargo build --release --locked --offline ...`: the vendored sources, never the network."""
    verb, _, rest = command.partition(" ")
    profile, _, rest = rest.partition(" ")
    locked = " --locked" if verb == "build" else ""
    return f"cargo {verb} {profile}{locked} --offline --config {VENDOR_CONFIG} {rest}".rstrip()


def _in_root(workspace: Workspace) -> str:
    # cargo reads .cargo/config.toml and rustup the toolchain file from the working folder up
    return "" if workspace.root == "." else f"cd {sh_quote(workspace.root)} && "


def _copy_from_build(source: str, dest: str) -> str:
    if all(c in _SAFE or c == "/" for c in source + dest):
        return f"COPY --from=build --chmod=0755 {source} {dest}"
    # COPY expands variables even in its JSON form: backslashes and `$` must stay literal
    return f"COPY --from=build --chmod=0755 {exec_form([literal_path(source), literal_path(dest)])}"
