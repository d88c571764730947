"""The two naive plans bakegen is measured against, written for any scanned workspace.

* **A**: one self-contained Dockerfile per service that copies the whole repository and
  installs everything from the lockfile. The install step is the same in every Dockerfile of
  an ecosystem, so BuildKit runs it once per bake; but any edit anywhere invalidates it.
* **A2**: per-service Dockerfiles as teams write them: the workspace's manifests and
  lockfile, the service's own install, then the sources of the service and its libraries,
  its build, and a runtime stage with what the build produced.

Both use the same base images, BuildKit cache mounts and non-root user as bakegen's plan,
so the comparison is about the plan's shape, not about its images. The plans are data
(`NaivePlan`) rendered to Dockerfiles and a bake file in the workspace copy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bakegen.ecosystems.node.static import STATIC
from bakegen.model import Package, ScanResult, Workspace
from bakegen.plan import Plan, ServicePlan

PLANS = ("A", "A2")
#: where plan A2 puts a static site's build output
STATIC_ROOT = "/site"
_STATIC_SERVER = (
    'const http = require("http"), fs = require("fs"), path = require("path");'
    ' const root = "ROOT";'
    ' http.createServer((req, res) => {'
    ' let file = path.join(root, decodeURIComponent(req.url.split("?")[0]));'
    ' if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory())'
    ' file = path.join(root, "index.html");'
    ' res.end(fs.readFileSync(file));'
    ' }).listen(process.env.PORT || 8080);'
)
#: the base images, as bake variables of the same names and defaults as bakegen's plan, so
#: that both plans build on the same images (and the kit's overrides reach both)
NODE_IMAGE, NODE_RUNTIME = "${NODE_IMAGE}", "${NODE_RUNTIME_IMAGE}"
PYTHON_IMAGE, PYTHON_RUNTIME = "${PYTHON_IMAGE}", "${PYTHON_RUNTIME_IMAGE}"
RUST_IMAGE, RUST_RUNTIME = "${RUST_IMAGE}", "${RUST_RUNTIME_IMAGE}"
UV_VERSION = "0.13.9"
NPM_CACHE = "--mount=type=cache,target=/root/.npm"
UV_CACHE = "--mount=type=cache,target=/root/.cache/uv"
CARGO_CACHE = "--mount=type=cache,target=/usr/local/cargo/registry"


@dataclass(frozen=True, slots=True)
class NaiveService:
    """One service of a naive plan: its bake target and Dockerfile text."""

    target: str
    dockerfile: str
    text: str


@dataclass(frozen=True, slots=True)
class NaivePlan:
    """Every service's Dockerfile of plan `kind`, under `folder` in the workspace."""

    kind: str
    folder: str
    services: tuple[NaiveService, ...]
    #: bake variable -> default image, as in bakegen's plan
    images: tuple[tuple[str, str], ...] = ()

    @property
    def bake_file(self) -> str:
        return f"{self.folder}/docker-bake.hcl"


def naive_plan(kind: str, scan: ScanResult, services: Sequence[ServicePlan],
               images: Mapping[str, str]) -> NaivePlan:
    """Plan `kind` ("A" or "A2") for bakegen's `services`: the same targets, ports and base
    images (`images`: bake variable -> default, e.g. from `image_defaults(plan)`)."""
    if kind not in PLANS:
        raise ValueError(f"unknown naive plan {kind!r}")
    folder = f"naive-{kind.lower()}"
    by_id = {_id(p): p for p in scan.packages}
    workspaces = {(w.ecosystem, w.root): w for w in scan.workspaces}
    naive = []
    for svc in sorted(services, key=lambda s: s.target):
        pkg = svc.package
        ws = workspaces[(pkg.ecosystem, pkg.workspace)]
        text = _RENDER[(kind, pkg.ecosystem)](ws, pkg, build_order(pkg, by_id), svc.settings.port)
        args = [f"ARG {name}={images[name]}" for name in sorted(images) if f"${{{name}}}" in text]
        naive.append(NaiveService(svc.target, f"{folder}/{svc.target}.Dockerfile",
                                  "\n".join(args) + "\n" + text))
    return NaivePlan(kind, folder, tuple(naive), tuple(sorted(images.items())))


def image_defaults(plan: Plan) -> dict[str, str]:
    """Every base-image variable of bakegen's plan with its default."""
    return {var.name: var.default for base in plan.bases
            for var in (base.build_image, base.runtime_image)}


def build_order(service: Package, by_id: Mapping[str, Package]) -> tuple[Package, ...]:
    """The service's internal dependencies, dependencies first, then the service."""
    seen: dict[str, Package] = {}

    def visit(pkg: Package) -> None:
        for dep in sorted(d.name for d in pkg.dependencies):
            child = by_id.get(f"{pkg.ecosystem}:{dep}")
            if child is not None and _id(child) not in seen:
                visit(child)
        seen.setdefault(_id(pkg), pkg)

    visit(service)
    return tuple(seen.values())


def render_bake(plan: NaivePlan, cache_ref: str | None = None) -> str:
    """A bake file with one target per service and a `default` group of all of them.

    `cache_ref` (e.g. `${REGISTRY}`) adds per-target registry cache import and export,
    as a CI set-up of the naive plan would have.
    """
    lines = ['variable "REGISTRY" {', '  default = "localhost:5000/naive"', "}", "",
             'variable "TAG" {', '  default = "latest"', "}", ""]
    for name, default in plan.images:
        lines += [f'variable "{name}" {{', f'  default = "{default}"', "}", ""]
    args = ", ".join(f'{name} = "${{{name}}}"' for name, _ in plan.images)
    lines += [
             'group "default" {', "  targets = " + json.dumps([s.target for s in plan.services]),
             "}"]
    for svc in plan.services:
        lines += ["", f'target "{svc.target}" {{', '  context = "."',
                  f'  dockerfile = "{svc.dockerfile}"', f"  args = {{ {args} }}",
                  f'  tags = ["${{REGISTRY}}/{svc.target}:${{TAG}}"]']
        if cache_ref is not None:
            ref = f"type=registry,ref={cache_ref}/{svc.target}:buildcache"
            lines += [f'  cache-from = ["{ref}"]', f'  cache-to = ["{ref},mode=max"]']
        lines.append("}")
    return "\n".join(lines) + "\n"


def write_plan(root: Path, plan: NaivePlan) -> Path:
    """Write the plan's Dockerfiles and bake file under `root`; the bake file's path."""
    folder = root / plan.folder
    folder.mkdir(parents=True, exist_ok=True)
    for svc in plan.services:
        (root / svc.dockerfile).write_text(svc.text, encoding="utf-8")
    bake = root / plan.bake_file
    bake.write_text(render_bake(plan), encoding="utf-8")
    return bake


def _id(pkg: Package) -> str:
    return f"{pkg.ecosystem}:{pkg.name}"


def _user(port: int | None) -> str:
    """The port the service listens on, and the same non-root user as bakegen's images."""
    expose = f"ENV PORT={port}\nEXPOSE {port}\n" if port is not None else ""
    return expose + ("RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 "
                     "--gid 10001 --no-create-home app\nUSER 10001:10001")


def _node_a(ws: Workspace, pkg: Package, order: tuple[Package, ...], port: int | None) -> str:
    builds = " && ".join(f"npm run build --workspace={p.path} --if-present" for p in order)
    return "\n".join([
        f"FROM {NODE_IMAGE}", "WORKDIR /repo", "COPY . .",
        f"RUN {NPM_CACHE} npm ci --no-audit --no-fund",
        f"RUN {builds}", "ENV NODE_ENV=production", _user(port),
        _node_start(pkg, f"/repo/{pkg.path}/dist"), ""])


def _node_a2(ws: Workspace, pkg: Package, order: tuple[Package, ...], port: int | None) -> str:
    manifests = [m for m in ws.manifests if m.endswith("package.json")]
    copies = [f"COPY {m} {Path(m).parent.as_posix()}/" if "/" in m else f"COPY {m} ./"
              for m in sorted(manifests)]
    sources = [f"COPY {p.path} {p.path}" for p in order]
    builds = " && ".join(f"npm run build --workspace={p.path} --if-present" for p in order)
    return "\n".join([
        f"FROM {NODE_IMAGE} AS build", "WORKDIR /repo",
        f"COPY {ws.lockfile} ./", *copies, *_node_build_files(ws),
        f"RUN {NPM_CACHE} npm ci --no-audit --no-fund --workspace={pkg.path} "
        "--include-workspace-root",
        *sources, f"RUN {builds}",
        "", f"FROM {NODE_RUNTIME}", *_node_a2_runtime(pkg), _user(port),
        _node_start(pkg, STATIC_ROOT), ""])


def _node_a2_runtime(pkg: Package) -> tuple[str, ...]:
    if _is_static(pkg):
        return (f"COPY --from=build /repo/{pkg.path}/dist {STATIC_ROOT}",)
    return ("WORKDIR /repo", "COPY --from=build /repo ./", "ENV NODE_ENV=production")


def _is_static(pkg: Package) -> bool:
    return pkg.framework == STATIC


def _node_start(pkg: Package, site_root: str) -> str:
    """The CMD: the package's start script, or for a static site the Node file server on
    its built folder at `site_root`."""
    return _static_cmd(site_root) if _is_static(pkg) else _node_cmd(pkg)


def _static_cmd(root: str) -> str:
    """A static site as teams without a web server image serve it: a few lines of Node
    answering files, and index.html for any other path (the kit has no nginx image)."""
    return "CMD " + json.dumps(["node", "-e", _STATIC_SERVER.replace("ROOT", root)])


def _node_build_files(ws: Workspace) -> list[str]:
    return [f"COPY {f} ./" for f in ws.build_files if "/" not in f]


def _node_cmd(pkg: Package) -> str:
    return f"WORKDIR /repo/{pkg.path}\nCMD " + json.dumps(list(_node_entry(pkg)))


def _node_entry(pkg: Package) -> tuple[str, ...]:
    start = dict(pkg.scripts).get("start", "")
    words = start.split()
    if words[:1] == ["node"]:
        return tuple(words)
    return ("npm", "run", "start")


def _python_a(ws: Workspace, pkg: Package, order: tuple[Package, ...], port: int | None) -> str:
    return "\n".join([
        f"FROM {PYTHON_IMAGE}", f"RUN pip install --no-cache-dir uv=={UV_VERSION}",
        "WORKDIR /repo", "COPY . .",
        f"RUN {UV_CACHE} cd {ws.root} && UV_LINK_MODE=copy uv sync --frozen --all-packages "
        "--no-dev --no-editable",
        f"ENV PATH=/repo/{ws.root}/.venv/bin:$PATH", _user(port), _python_cmd(pkg), ""])


def _python_a2(ws: Workspace, pkg: Package, order: tuple[Package, ...], port: int | None) -> str:
    copies = [f"COPY {m} {m}" for m in sorted(ws.manifests)]
    sources = [f"COPY {p.path} {p.path}" for p in order]
    sync = (f"cd {ws.root} && UV_LINK_MODE=copy uv sync --frozen --no-dev --no-editable "
            f"--package {pkg.name}")
    return "\n".join([
        f"FROM {PYTHON_IMAGE} AS build", f"RUN pip install --no-cache-dir uv=={UV_VERSION}",
        "WORKDIR /repo", f"COPY {ws.lockfile} {ws.lockfile}", *copies,
        f"RUN {UV_CACHE} {sync} --no-install-workspace", *sources, f"RUN {UV_CACHE} {sync}",
        "", f"FROM {PYTHON_RUNTIME}",
        f"COPY --from=build /repo/{ws.root}/.venv /repo/{ws.root}/.venv",
        f"ENV PATH=/repo/{ws.root}/.venv/bin:$PATH", _user(port), _python_cmd(pkg), ""])


def _python_cmd(pkg: Package) -> str:
    return "CMD " + json.dumps([pkg.binaries[0]] if pkg.binaries else ["python", "-m",
                                                                         pkg.name])


def _cargo_a(ws: Workspace, pkg: Package, order: tuple[Package, ...], port: int | None) -> str:
    return "\n".join([
        f"FROM {RUST_IMAGE} AS build", "WORKDIR /repo", "COPY . .",
        f"RUN {CARGO_CACHE} cd {ws.root} && cargo build --release --locked",
        "", f"FROM {RUST_RUNTIME}", *_cargo_runtime(ws, pkg, port), ""])


def _cargo_a2(ws: Workspace, pkg: Package, order: tuple[Package, ...], port: int | None) -> str:
    members = list(order)
    copies = [f"COPY {ws.root}/Cargo.toml {ws.lockfile} {ws.root}/",
              *(f"COPY {p.manifest} {p.manifest}" for p in members)]
    stubs = " && ".join(
        f"mkdir -p {p.path}/src && printf 'fn main() {{}}\\n' > {p.path}/src/main.rs"
        if p.binaries else f"mkdir -p {p.path}/src && touch {p.path}/src/lib.rs"
        for p in members)
    return "\n".join([
        f"FROM {RUST_IMAGE} AS build", "WORKDIR /repo", *copies,
        f"RUN {stubs}",
        f"RUN {CARGO_CACHE} cd {ws.root} && cargo build --release --locked -p {pkg.name}",
        *(f"COPY {p.path} {p.path}" for p in members),
        "RUN " + " && ".join(f"touch {p.path}/src/*.rs" for p in members)
        + f" && cd {ws.root} && cargo build --release --locked -p {pkg.name}",
        "", f"FROM {RUST_RUNTIME}", *_cargo_runtime(ws, pkg, port), ""])


def _cargo_runtime(ws: Workspace, pkg: Package, port: int | None) -> list[str]:
    binary = pkg.binaries[0] if pkg.binaries else pkg.name
    return [f"COPY --from=build /repo/{ws.root}/target/release/{binary} /usr/local/bin/{binary}",
            _user(port), "CMD " + json.dumps([binary])]


_Renderer = Callable[[Workspace, Package, tuple[Package, ...], int | None], str]
_RENDER: dict[tuple[str, str], _Renderer] = {
    ("A", "node"): _node_a, ("A2", "node"): _node_a2,
    ("A", "python"): _python_a, ("A2", "python"): _python_a2,
    ("A", "cargo"): _cargo_a, ("A2", "cargo"): _cargo_a2,
}
