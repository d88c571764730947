"""Plain, frozen records that flow through scan -> graph -> plan -> render."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from bakegen.errors import Problem

#: the ecosystem of a service that is a Dockerfile and nothing else (see scan.standalone)
DOCKER = "docker"


class DepKind(str, enum.Enum):
    """How a package needs another: at run time, to build, or only to develop/test."""

    RUNTIME = "runtime"
    BUILD = "build"
    DEV = "dev"

    @property
    def rank(self) -> int:
        """Strength used when two edges join the same pair: runtime > build > dev."""
        return {DepKind.RUNTIME: 2, DepKind.BUILD: 1, DepKind.DEV: 0}[self]


@dataclass(frozen=True, slots=True, order=True)
class Dependency:
    """An internal dependency: `name` is the workspace package's real name."""

    name: str
    kind: DepKind = DepKind.RUNTIME


@dataclass(frozen=True, slots=True)
class Package:
    """One package of one ecosystem found in the workspace.

    `path` and `manifest` are POSIX paths relative to the repository root ("." for the root).
    `dependencies` holds internal dependencies only (names of packages of the same workspace).
    `entrypoint` is the command that starts the package when it is a service, if one was found.
    `binaries` names what the package can run: Rust bin targets, Python console scripts,
    Node `bin` entries.
    """

    ecosystem: str
    name: str
    path: str
    manifest: str
    workspace: str
    version: str | None = None
    dependencies: tuple[Dependency, ...] = ()
    deployable: bool = False
    deployable_reason: str | None = None
    entrypoint: tuple[str, ...] = ()
    #: why `entrypoint` is that command (what a start script was resolved to)
    entrypoint_reason: str | None = None
    #: why the found start command cannot run in the image; warned about only when the
    #: package stays a service with no `cmd` of its own (rejected candidates need no word)
    entrypoint_problem: str | None = None
    binaries: tuple[str, ...] = ()
    scripts: tuple[tuple[str, str], ...] = ()
    has_dockerfile: bool = False
    #: the repo's own Dockerfile for it, its build context (repository-relative), and the
    #: compose service name it is declared under
    dockerfile: str | None = None
    docker_context: str | None = None
    service_name: str | None = None
    #: the stage of that Dockerfile to build (compose `build.target`)
    docker_stage: str | None = None
    #: why a heuristic service candidate (start script, bin target, ...) is not a service
    rejected: str | None = None
    #: third-party requirements an install needs without a lockfile (Python: PEP 508
    #: strings) or from its manifest (Go: `module@version` of every required module)
    requirements: tuple[str, ...] = ()
    #: the file pinning some of them (a plain pip project's requirements.txt), if any
    requirements_file: str | None = None
    #: what building the package needs first (Python: `[build-system] requires`)
    build_requires: tuple[str, ...] = ()
    #: False when the package is an application that is not built as a package (Poetry
    #: `package-mode = false`): its dependencies are installed and its sources copied
    packaged: bool = True
    #: a framework whose production build and server the recipe shapes (Node: `next`, `nitro`)
    framework: str | None = None
    #: build targets as (`kind:name`, source path) pairs (Cargo: `bin:router-svc`, `src/main.rs`;
    #: Go: `bin:seed`, `cmd/seed`, the package folder relative to the module)
    targets: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        """Graph node id: unique across ecosystems (`node:@acme/api`, `cargo:geo`)."""
        return f"{self.ecosystem}:{self.name}"

    def script(self, name: str) -> str | None:
        """The package's script of that name (Node `scripts`), if any."""
        return dict(self.scripts).get(name)


@dataclass(frozen=True, slots=True)
class Workspace:
    """One workspace of one ecosystem: a root manifest, its tool, its lockfile, its members.

    `root` is the directory of the workspace root manifest ("." for the repository root).
    `manager` is the tool that installs it: npm, yarn-classic, yarn-berry, pnpm, bun,
    cargo, uv, poetry or pip. `manifests` lists every manifest (root and members) that an
    install from the lockfile needs, and `extra_files` other small files it needs
    (`.yarnrc.yml`, `pnpm-workspace.yaml`, `rust-toolchain.toml`, ...).
    `runtime_version` is the language version the repo asks for (`20`, `3.12`, `1.83`).
    """

    ecosystem: str
    root: str
    manager: str
    lockfile: str | None
    manifests: tuple[str, ...]
    extra_files: tuple[str, ...] = ()
    runtime_version: str | None = None
    manager_version: str | None = None
    packages: tuple[str, ...] = ()
    #: root build configuration services need but dependency installs do not
    #: (`tsconfig.base.json`, `babel.config.js`, `turbo.json`, ...)
    build_files: tuple[str, ...] = ()
    #: the root manifest's install scripts (Node `postinstall`, ...), whether or not the
    #: root is a package itself
    root_scripts: tuple[tuple[str, str], ...] = ()
    #: Debian packages the runtime image needs for native libraries the lockfile links
    #: (Cargo: `libssl3` for openssl-sys); the slim runtime bases carry none of them
    runtime_packages: tuple[str, ...] = ()
    #: Debian packages deps-base installs before the dependencies, to build those published
    #: as source only (Python: a compiler and libpq-dev for psycopg2)
    build_packages: tuple[str, ...] = ()
    #: `NAME=value` settings every build of the workspace runs with (Cargo: release
    #: binaries stripped of symbols unless the project's release profile says otherwise)
    build_env: tuple[str, ...] = ()
    #: True for a workspace the repo declares (npm/yarn/pnpm/bun `workspaces`, Cargo
    #: `[workspace]`, `[tool.uv.workspace]`); False for standalone projects bakegen grouped
    declared: bool = True

    @property
    def key(self) -> str:
        return f"{self.ecosystem}:{self.root}"


@dataclass(frozen=True, slots=True)
class EcosystemScan:
    """What one ecosystem found: its workspaces, packages and problems."""

    workspaces: tuple[Workspace, ...] = ()
    packages: tuple[Package, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class Skipped:
    """A manifest or Dockerfile the scan found and left out, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan of the repository found, sorted for stable output."""

    root: str
    workspaces: tuple[Workspace, ...] = ()
    packages: tuple[Package, ...] = ()
    problems: tuple[Problem, ...] = field(default=())
    #: files holding literal registry credentials: left out of every build context
    secret_files: tuple[str, ...] = ()
    #: what the scan left out: excluded paths, standalone projects nothing builds
    skipped: tuple[Skipped, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    def package(self, package_id: str) -> Package:
        for pkg in self.packages:
            if pkg.id == package_id:
                return pkg
        raise KeyError(package_id)

    def workspace_of(self, pkg: Package) -> Workspace:
        for ws in self.workspaces:
            if ws.ecosystem == pkg.ecosystem and ws.root == pkg.workspace:
                return ws
        raise KeyError(pkg.id)
