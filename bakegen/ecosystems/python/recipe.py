"""The Python ecosystem: uv workspaces, Poetry projects and plain pyproject.toml packages.

Images keep one virtual environment at `/app/.venv` in every stage, because a venv hard-codes
its own path in the shebangs of its scripts: deps-base fills it with the third-party
dependencies of the whole workspace from the lockfile, production-base copies it as it is
(deps-base installs production dependencies only, so there is nothing to prune), and a
service adds only wheels of its own packages on top.

- uv: `uv sync --locked --no-install-local --all-packages --no-dev`.
- Poetry: `poetry install --no-root --no-directory --only main` into the active venv.
- pip (no lockfile): `pip install` of the third-party requirements read at generation time.

Services build wheels of themselves and their internal closure in the build stage, offline,
with the build backends deps-base prefetched into `/opt/buildtools`; the final stage
installs those wheels (`--no-deps`) from a bind mount, so it adds no second copy of anything.
"""

from __future__ import annotations

import json

from bakegen.ecosystems.base import BaseRecipe, ServiceRecipe, Stage, image_command
from bakegen.ecosystems.instructions import env, run, secret_mount, sh_quote, words
from bakegen.ecosystems.python.discover import ECOSYSTEM
from bakegen.ecosystems.python.pep import is_release, satisfies
from bakegen.ecosystems.python.start import server_environment
from bakegen.ecosystems.runtime import build_packages, runtime_packages
from bakegen.health import probed, python_probe
from bakegen.model import Package, Workspace
from bakegen.settings import PER_SERVICE, SHARED_IN_SERVICE, ServiceSettings
from bakegen.wording import listing

UV_VERSION = "0.13.9"
POETRY_VERSION = "2.5.1"
DEFAULT_PYTHON = "3.12"
BUILD_TOOLS = "/opt/buildtools"
UV_HOME = "/opt/uv"
WHEELS = "/wheels"
PIP_CACHE = "--mount=type=cache,target=/root/.cache/pip"
UV_CACHE = "--mount=type=cache,target=/root/.cache/uv"
POETRY_CACHE = "--mount=type=cache,target=/root/.cache/pypoetry"
PIP_ENV = ("PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_ROOT_USER_ACTION=ignore")
#: BuildKit secret id -> where pip, uv and Poetry read index credentials, mounted (optional)
#: on every step that downloads
SECRETS = {"netrc": "/root/.netrc", "pipconf": "/etc/pip.conf"}
CREDENTIALS = tuple(secret_mount(key, target) for key, target in SECRETS.items())
#: setuptools before 70.1 needs `wheel` to build wheels without build isolation
SETUPTOOLS_COMPANION = "wheel"
PROD_STAGE = "prod-deps"

#: keeps the distributions the requirements given as arguments reach, uninstalls the rest
_PRUNE_PY = """\
import importlib.metadata as md, subprocess, sys
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name as norm
dists = {norm(d.metadata["Name"]): d for d in md.distributions()}
keep, seen = {"pip", "setuptools", "wheel"}, set()
todo = [(Requirement(arg), {""}) for arg in sys.argv[1:]]
while todo:
    req, extras = todo.pop()
    name, asked = norm(req.name), frozenset(req.extras)
    if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras):
        continue
    if name in dists and (name, asked) not in seen:
        seen.add((name, asked))
        keep.add(name)
        todo += [(Requirement(r), {"", *asked}) for r in dists[name].requires or ()]
drop = sorted(set(dists) - keep)
print("keeps", len(keep & set(dists)), "of", len(dists), "installed; uninstalls", *drop)
if drop:
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q",
                    "--disable-pip-version-check", "--root-user-action=ignore", *drop], check=True)
"""
#: where every image keeps the virtual environment: scripts' shebangs hard-code this path
VENV = "/app/.venv"


def default_images(workspace: Workspace) -> tuple[str, str]:
    """`python:<version>-slim-bookworm` for both stages, so the venv's interpreter matches."""
    image = f"python:{workspace.runtime_version or DEFAULT_PYTHON}-slim-bookworm"
    return image, image


def base_recipe(
    workspace: Workspace, packages: tuple[Package, ...], dependencies: str = "shared"
) -> BaseRecipe:
    """deps-base: tools, build backends, then the workspace's third-party dependencies.

    With per-service dependencies production-base holds no venv: each service copies its
    own, pruned from deps-base's.
    """
    installs = {"uv": _uv_deps, "poetry": _poetry_deps}.get(workspace.manager, _pip_deps)
    deps = (*build_packages(workspace.build_packages), *installs(workspace, packages))
    environment = env(f"PATH={VENV}/bin:$PATH", "PYTHONUNBUFFERED=1")
    libraries = runtime_packages(workspace.runtime_packages)
    if dependencies == PER_SERVICE:
        return BaseRecipe(deps=deps, production=(*libraries, environment))
    return BaseRecipe(
        deps=deps,
        production=(
            *libraries,
            "# the same path as in deps-base: the venv's scripts name /app/.venv/bin/python",
            f"COPY --from=deps-base {VENV} {VENV}",
            environment,
        ),
    )


def service_recipe(
    workspace: Workspace,
    service: Package,
    closure: tuple[Package, ...],
    settings: ServiceSettings,
    dependencies: str = "shared",
) -> ServiceRecipe:
    """Build wheels of the service and its closure offline; install only those at runtime.

    With per-service dependencies a `prod-deps` stage prunes deps-base's venv to what the
    service and its workspace packages need, offline (it only uninstalls): uv by its
    lockfile graph (`uv sync --package`), pip and Poetry by the installed distributions'
    metadata, walked from the packages' declared requirements. The final stage starts
    from that venv.

    An application that is no package (Poetry `package-mode = false`) gets wheels of its
    path dependencies only, and its sources copied to the same place under /app, where it
    runs from.
    """
    built = (*closure, service) if service.packaged else closure
    folders = sorted({p.path for p in built})
    uv = workspace.manager == "uv"
    build = ["COPY . ./"]
    runtime: list[str] = []
    stages: tuple[Stage, ...] = ()
    if dependencies == PER_SERVICE:
        stages = (_uv_prune(workspace, service) if uv else _metadata_prune((*closure, service)),)
    if dependencies in (PER_SERVICE, SHARED_IN_SERVICE):
        # the workspace's whole venv, as production-base would hold it, for SHARED_IN_SERVICE
        source = PROD_STAGE if stages else "deps-base"
        runtime += [
            "# the same path as in deps-base: the venv's scripts name /app/.venv/bin/python",
            f"COPY --from={source} {VENV} {VENV}",
        ]
    if folders:
        build.append(_uv_wheels(folders) if uv else _pip_wheels(folders))
        runtime.append(_uv_install() if uv else _pip_install())
    if not service.packaged:
        source = "/workspace" if service.path == "." else f"/workspace/{service.path}"
        runtime += [
            f"COPY --from=build {json.dumps([source + '/', service.path + '/'])}",
            f"WORKDIR {'/app' if service.path == '.' else '/app/' + service.path}",
        ]
    default = _start_command(service)
    # with an empty `cmd` the image runs nothing: the listen address follows the default
    command = image_command(settings, default) or default
    listen = server_environment(command, settings.port)
    if listen is not None:
        runtime.append(listen)
    context = {p.path for p in (*closure, service)}
    recipe = ServiceRecipe(
        build=tuple(build),
        runtime=tuple(runtime),
        command=command,
        context=(".",) if "." in context else tuple(sorted(context)),
        stages=stages,
    )
    return probed(recipe, settings, python_probe)


def _uv_prune(workspace: Workspace, service: Package) -> Stage:
    project = () if workspace.root == "." else (f"--project {sh_quote(workspace.root)}",)
    sync = ("uv sync --locked --offline --no-install-local --no-dev",
            f"--package {sh_quote(service.name)}", *project)
    return Stage(
        name=PROD_STAGE,
        base="deps-base",
        instructions=(
            "# the service's own third-party dependencies: an exact sync uninstalls the rest",
            run(" ".join(sync)),
        ),
    )


def _metadata_prune(packages: tuple[Package, ...]) -> Stage:
    """pip and Poetry have no lockfile graph to prune by: walk the installed distributions'
    `Requires-Dist` from the packages' own requirements (markers and extras evaluated by
    pip's own `packaging`) and uninstall what is not reached."""
    wanted = sorted({r for p in packages if p.ecosystem == ECOSYSTEM for r in p.requirements})
    args = f" {words(wanted)}" if wanted else ""
    return Stage(
        name=PROD_STAGE,
        base="deps-base",
        instructions=(
            "# the service's own third-party dependencies, by the installed packages' metadata:",
            "# the rest of the venv is uninstalled (offline)",
            f"RUN {VENV}/bin/python -{args} <<'PRUNE'\n{_PRUNE_PY}PRUNE",
        ),
    )


def _build_requires(packages: tuple[Package, ...]) -> list[str]:
    """Every package's build backend requirements, known from the manifests at generation time."""
    found = {r for p in packages for r in p.build_requires}
    if any(r.lower().startswith("setuptools") for r in found):
        found.add(SETUPTOOLS_COMPANION)
    return sorted(found)


UV_LOCKED_NOTE = ("# third-party dependencies only, from the lockfile as it is "
                  "(--locked: stale fails)")
#: a uv workspace without uv.lock (the scan warns): `--locked` would fail the build
UV_UNLOCKED_NOTE = ("# no uv.lock: unlocked, versions resolve when this stage builds; "
                    "`uv lock` pins them")


def uv_requirement(required: str | None) -> str:
    """What pip installs as uv: bakegen's pin, unless the workspace's `required-version`
    excludes it (uv then refuses to run); then that requirement itself."""
    if required is None or satisfies(UV_VERSION, required):
        return f"uv=={UV_VERSION}"
    spec = f"=={required}" if is_release(required) else required
    return sh_quote(f"uv{spec.replace(' ', '')}")


def _uv_deps(workspace: Workspace, packages: tuple[Package, ...]) -> tuple[str, ...]:
    requires = _build_requires(packages)
    project = () if workspace.root == "." else (f"--project {sh_quote(workspace.root)}",)
    lines = [
        env(*PIP_ENV, f"PATH={UV_HOME}/bin:$PATH", "UV_COMPILE_BYTECODE=1", "UV_LINK_MODE=copy",
            "UV_PYTHON=python3", "UV_PYTHON_DOWNLOADS=never", f"UV_PROJECT_ENVIRONMENT={VENV}"),
        "# uv from PyPI, pinned, beside the image's Python: no second registry to reach",
        run(f"pip install --target {UV_HOME} {uv_requirement(workspace.manager_version)}",
            mounts=(PIP_CACHE, *CREDENTIALS)),
    ]
    if requires:
        lines += [
            "# build backends of the workspace packages, so service builds need no network",
            run(f"uv venv {BUILD_TOOLS}",
                f"uv pip install --python {BUILD_TOOLS}/bin/python {words(requires)}",
                mounts=(UV_CACHE, *CREDENTIALS)),
        ]
    lines += [
        "COPY . ./",
        UV_LOCKED_NOTE if workspace.lockfile else UV_UNLOCKED_NOTE,
        run(" ".join(("uv sync", *(("--locked",) if workspace.lockfile else ()),
                      "--no-install-local --all-packages --no-dev", *project)),
            mounts=(UV_CACHE, *CREDENTIALS)),
    ]
    return tuple(lines)


def _poetry_deps(workspace: Workspace, packages: tuple[Package, ...]) -> tuple[str, ...]:
    requires = _build_requires(packages)
    lines = [
        env(*PIP_ENV, "POETRY_NO_INTERACTION=1", f"VIRTUAL_ENV={VENV}"),
        run("python -m venv /opt/poetry", f"/opt/poetry/bin/pip install poetry=={POETRY_VERSION}",
            mounts=(PIP_CACHE, *CREDENTIALS)),
        *_pip_buildtools(requires),
        "COPY . ./",
        "# Poetry installs into the active venv (VIRTUAL_ENV); a stale poetry.lock fails",
        run(f"python -m venv {VENV}",
            f"cd {sh_quote(workspace.root)}",
            "/opt/poetry/bin/poetry install --no-root --no-directory --only main --compile",
            mounts=(POETRY_CACHE, *CREDENTIALS)),
    ]
    return tuple(lines)


def _pip_deps(workspace: Workspace, packages: tuple[Package, ...]) -> tuple[str, ...]:
    requirements = sorted({r for p in packages
                           for r in p.requirements})
    install = (f"{VENV}/bin/pip install {words(requirements)}",) if requirements else ()
    pinned = sorted({p.requirements_file for p in packages if p.requirements_file})
    note = (f"# pinned by {listing(pinned, 3)}, resolved with the pyproject.toml requirements"
            if pinned else
            "# no lockfile: versions resolve when this stage builds; a uv.lock would pin them")
    return (
        env(*PIP_ENV),
        *_pip_buildtools(_build_requires(packages)),
        note,
        run(f"python -m venv {VENV}", *install, mounts=(PIP_CACHE, *CREDENTIALS)),
    )


def _pip_buildtools(requires: list[str]) -> tuple[str, ...]:
    if not requires:
        return ()
    return (
        "# build backends of the workspace packages, so service builds need no network",
        run(f"python -m venv {BUILD_TOOLS}", f"{BUILD_TOOLS}/bin/pip install {words(requires)}",
            mounts=(PIP_CACHE, *CREDENTIALS)),
    )


def _uv_wheels(folders: list[str]) -> str:
    return run(*(
        f"uv build --wheel --no-build-isolation --offline --no-cache "
        f"--python {BUILD_TOOLS}/bin/python --out-dir {WHEELS} {sh_quote(folder)}"
        for folder in folders
    ))


def _pip_wheels(folders: list[str]) -> str:
    # pip reads a bare word as a project name: `./` makes every folder a path
    paths = [folder if folder == "." else f"./{folder}" for folder in folders]
    return run(f"{BUILD_TOOLS}/bin/pip wheel --no-deps --no-build-isolation --no-index "
               f"--wheel-dir {WHEELS} {words(paths)}")


def _uv_install() -> str:
    return run(
        f"{UV_HOME}/bin/uv pip install --python {VENV}/bin/python --no-deps --offline --no-cache "
        "--compile-bytecode /tmp/wheels/*.whl",
        mounts=(f"--mount=type=bind,from=build,source={WHEELS},target=/tmp/wheels",
                f"--mount=type=bind,from=build,source={UV_HOME},target={UV_HOME}"),
    )


def _pip_install() -> str:
    return run(
        f"{VENV}/bin/python -m pip install --no-deps --no-index --no-cache-dir "
        "--disable-pip-version-check --root-user-action=ignore /tmp/wheels/*.whl",
        mounts=(f"--mount=type=bind,from=build,source={WHEELS},target=/tmp/wheels",),
    )


def _start_command(service: Package) -> tuple[str, ...]:
    """What the scan found starts it, a console script run from the venv by its path; with
    no script and no `__main__.py`, a guess: the import package named like the project."""
    if len(service.entrypoint) == 1 and service.entrypoint[0] in service.binaries:
        return (f"{VENV}/bin/{service.entrypoint[0]}",)
    return service.entrypoint or ("python", "-m", service.name.replace("-", "_"))
