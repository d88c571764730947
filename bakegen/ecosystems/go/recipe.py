"""Dockerfile steps for Go modules: downloaded once, cross-compiled natively, static binaries.

deps-base holds only go.work, go.mod and go.sum files and downloads every module the
workspace requires into the image's module cache (`go mod download`; the download cache is a
BuildKit cache mount, the extracted modules a layer, so a fresh CI runner pulling deps-base
needs no network). It runs on the builder's own platform (`FROM --platform=$BUILDPLATFORM`),
and so does each service's build stage: Go cross-compiles (`CGO_ENABLED=0 GOOS=$TARGETOS
GOARCH=$TARGETARCH`), so an arm64 image builds without emulation. Builds are offline
(`GOPROXY=off`), `-trimpath -ldflags="-s -w"`, and the image holds the binaries only, on the
slim runtime base with tini, the CA bundle and the non-root user.
"""

from __future__ import annotations

import dataclasses

from bakegen.ecosystems.base import BaseRecipe, ServiceRecipe, Stage
from bakegen.ecosystems.go.discover import ECOSYSTEM
from bakegen.ecosystems.instructions import run, secret_mount, sh_quote, words
from bakegen.errors import BakegenError
from bakegen.health import PROBE_STAGE, binary_probe, copy_probe, probed
from bakegen.model import Package, Workspace
from bakegen.settings import ServiceSettings

DEFAULT_BUILD_IMAGE = "golang:1-bookworm"
RUNTIME_IMAGE = "debian:bookworm-slim"
OUT_DIR = "/out"
#: where the image keeps the binaries (on PATH)
BIN_DIR = "/usr/local/bin"
MOD_CACHE = "/go/pkg/mod"
DOWNLOAD_CACHE = f"--mount=type=cache,target={MOD_CACHE}/cache/download"
BUILD_CACHE = "--mount=type=cache,target=/root/.cache/go-build"
#: BuildKit secret id -> where it is mounted: private modules need a ~/.netrc for `go mod
#: download` (GOPRIVATE/GONOSUMDB from the config's environment are the user's to set)
SECRETS = {"netrc": "/root/.netrc"}
CREDENTIALS = secret_mount("netrc", SECRETS["netrc"])
#: the toolchain the image has, never a download; module mode without edits to go.mod
GO_ENV = ("GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly", f"GOMODCACHE={MOD_CACHE}")
#: what every build of a service runs with: the target platform, no network, no cgo
CROSS = "CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOPROXY=off"
FLAGS = '-trimpath -buildvcs=false -ldflags="-s -w"'
MODULES_PER_RUN = 50
#: module@version words per `go mod download`
CHUNK = 200

# No single quotes in these lines: they are written with printf '%s\n' '<line>' ...
_GO_PROBE = (
    "// bakegen-probe PATH PORT: GET PATH on 127.0.0.1 at env PORT (else PORT), exit 0 on 2xx/3xx",
    "package main",
    "",
    'import (',
    '    "net"',
    '    "os"',
    '    "time"',
    ')',
    "",
    "func main() {",
    '    path, port := "/", "80"',
    "    if len(os.Args) > 1 {",
    "        path = os.Args[1]",
    "    }",
    "    if len(os.Args) > 2 {",
    "        port = os.Args[2]",
    "    }",
    '    if p := os.Getenv("PORT"); p != "" {',
    "        port = p",
    "    }",
    '    conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 4*time.Second)',
    "    if err != nil {",
    "        os.Exit(1)",
    "    }",
    "    conn.SetDeadline(time.Now().Add(4 * time.Second))",
    '    conn.Write([]byte("GET " + path + " HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n"))',
    "    head := make([]byte, 12)",
    "    n, _ := conn.Read(head)",
    '    if n < 12 || string(head[:7]) != "HTTP/1." || (head[9] != 50 && head[9] != 51) {',
    "        os.Exit(1)",
    "    }",
    "}",
)


def default_images(workspace: Workspace) -> tuple[str, str]:
    """(build image, runtime image): the workspace's Go on Debian bookworm, slim Debian."""
    version = workspace.runtime_version
    return (f"golang:{version}-bookworm" if version else DEFAULT_BUILD_IMAGE), RUNTIME_IMAGE


def base_recipe(
    workspace: Workspace, packages: tuple[Package, ...], dependencies: str = "shared"
) -> BaseRecipe:
    """deps-base: the manifests and every required module, downloaded once.

    `dependencies` changes nothing: a Go image holds only its own static binaries.
    """
    modules = sorted((p for p in packages
                      if p.ecosystem == ECOSYSTEM and p.workspace == workspace.root),
                     key=lambda p: p.path)
    return BaseRecipe(
        deps=(
            f"ENV {' '.join(GO_ENV)}",
            "COPY . ./",
            *_download_runs(workspace, modules),
        ),
        build_platform=True,
    )


def service_recipe(
    workspace: Workspace,
    service: Package,
    closure: tuple[Package, ...],
    settings: ServiceSettings,
    dependencies: str = "shared",
) -> ServiceRecipe:
    """Cross-compile the module's binaries (all, or the configured `binaries`) offline."""
    bins = service_binaries(service, settings)
    packages = [_package_dir(service, name) for name in bins]
    steps = [f"cd {sh_quote(service.path)}"] if service.path != "." else []
    steps.append(f"{CROSS} go build {FLAGS} -o {OUT_DIR}/ {words(packages)}")
    build = run(*steps, mounts=(BUILD_CACHE,))
    runtime = tuple(f"COPY --from=build --chmod=0755 {OUT_DIR}/{b} {BIN_DIR}/{b}" for b in bins)
    if len(bins) > 1:
        runtime = (f"# binaries {', '.join(bins)} in {BIN_DIR}; CMD runs {bins[0]}", *runtime)
    recipe = ServiceRecipe(
        build=("COPY . ./", build),
        runtime=runtime,
        command=(f"{BIN_DIR}/{bins[0]}",),
        context=tuple(sorted({service.path, *(p.path for p in closure)})),
        build_platform=True,
    )
    with_probe = probed(recipe, settings, binary_probe)
    if with_probe is recipe:
        return recipe
    return dataclasses.replace(with_probe, stages=(*recipe.stages, go_probe_stage()),
                               runtime=(*recipe.runtime, copy_probe()))


def service_binaries(service: Package, settings: ServiceSettings) -> tuple[str, ...]:
    """The binaries the image ships, the one CMD runs first: every `package main` of the
    module unless `binaries` names some."""
    if not service.binaries:
        raise BakegenError.at(service.manifest, (
            f'module "{service.name}" has no package main to run; add main.go at its root '
            "or cmd/<name>/main.go"))
    if settings.binaries is None:
        return service.binaries
    unknown = [b for b in settings.binaries if b not in service.binaries]
    if unknown:
        raise BakegenError(
            f'config: [service."{service.name}"] binaries names {", ".join(unknown)}, not a '
            f"binary of {service.manifest} (its binaries: {', '.join(service.binaries)})")
    return settings.binaries


def go_probe_stage() -> Stage:
    """The HEALTHCHECK's probe: a static std-only Go program built like the services."""
    source = " \\\n    ".join(f"'{line}'" for line in _GO_PROBE)
    instructions = (
        "ARG TARGETOS",
        "ARG TARGETARCH",
        "WORKDIR /tmp/probe",
        f"RUN printf '%s\\n' \\\n    {source} \\\n    > main.go \\\n"
        f" && {CROSS} GOFLAGS= GO111MODULE=off go build {FLAGS} -o /bakegen-probe main.go",
    )
    return Stage(name=PROBE_STAGE, base="--platform=$BUILDPLATFORM deps-base",
                 instructions=instructions)


def _package_dir(service: Package, binary: str) -> str:
    """The package folder `go build` compiles for a binary, relative to the module."""
    path = dict(service.targets).get(f"bin:{binary}", f"cmd/{binary}")
    return "." if path == "." else f"./{path}"


def _download_runs(workspace: Workspace, modules: list[Package]) -> tuple[str, ...]:
    """`go mod download module@version ...`: the third-party modules the go.mod files
    require, named one by one. A bare `go mod download` would also fetch the required
    versions of the workspace's own modules (go.work replaces them only when building)."""
    mounts = (DOWNLOAD_CACHE, CREDENTIALS)
    if workspace.declared:  # go.work: one download at its root, sums of every member
        wanted = sorted({r for m in modules for r in m.requirements})
        if not wanted:
            return ("# no third-party module to download",)
        where = [f"cd {sh_quote(workspace.root)}"] if workspace.root != "." else []
        return tuple(run(*where, f"go mod download {words(wanted[i:i + CHUNK], 88)}",
                         mounts=mounts) for i in range(0, len(wanted), CHUNK))
    steps = [f"(cd {sh_quote(m.path)} && GOWORK=off go mod download {words(m.requirements)})"
             for m in modules if m.requirements]
    if not steps:
        return ("# no third-party module to download",)
    return tuple(run(*steps[i:i + MODULES_PER_RUN], mounts=mounts)
                 for i in range(0, len(steps), MODULES_PER_RUN))

