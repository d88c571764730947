"""Python Dockerfile recipes, joined the way the renderer does and parsed back."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import dockerfile

from bakegen.ecosystems import python as python_ecosystem
from bakegen.ecosystems.base import BaseRecipe, ServiceRecipe
from bakegen.ecosystems.instructions import exec_form
from bakegen.ecosystems.python.recipe import UV_VERSION
from bakegen.ecosystems.runtime import runtime_setup
from bakegen.model import EcosystemScan, Package, Workspace
from bakegen.settings import ServiceSettings
from bakegen.tree import SourceTree
from tests.builders import copy_sample, write_tree

ECO = python_ecosystem
#: optional BuildKit secrets on every downloading step (docs/security.md)
CREDENTIAL_MOUNTS = (
    "--mount=type=secret,id=netrc,target=/root/.netrc",
    "--mount=type=secret,id=pipconf,target=/etc/pip.conf",
)


def base_dockerfile(workspace: Workspace, recipe: BaseRecipe) -> tuple[dockerfile.Command, ...]:
    build, runtime = ECO.default_images(workspace)
    lines = [
        f"FROM {build} AS deps-base", "WORKDIR /workspace", *recipe.deps,
        *(line for stage in recipe.intermediate
          for line in (f"FROM {stage.base} AS {stage.name}", *stage.instructions)),
        f"FROM {runtime} AS production-base", *runtime_setup(runtime), "WORKDIR /app",
        *recipe.production,
    ]
    return tuple(dockerfile.parse_string("\n".join(lines) + "\n"))


def service_dockerfile(recipe: ServiceRecipe) -> tuple[dockerfile.Command, ...]:
    lines = [
        "FROM deps-base AS build", "WORKDIR /workspace", *recipe.build,
        "FROM production-base", "WORKDIR /app", *recipe.runtime,
        "USER app", f"CMD {exec_form(recipe.command)}",
    ]
    return tuple(dockerfile.parse_string("\n".join(lines) + "\n"))


def runs(commands: tuple[dockerfile.Command, ...]) -> list[tuple[tuple[str, ...], str]]:
    return [(c.flags, c.value[0]) for c in commands if c.cmd == "RUN"]


def stages(commands: tuple[dockerfile.Command, ...]) -> list[list[dockerfile.Command]]:
    found: list[list[dockerfile.Command]] = []
    for command in commands:
        if command.cmd == "FROM":
            found.append([])
        found[-1].append(command)
    return found


def scan(tmp_path: Path, files: dict[str, str]) -> EcosystemScan:
    write_tree(tmp_path, files)
    return ECO.scan(SourceTree.scan(tmp_path))


def _sample(tmp_path: Path) -> tuple[Workspace, dict[str, Package]]:
    result = ECO.scan(SourceTree.scan(copy_sample(tmp_path)))
    return result.workspaces[0], {p.name: p for p in result.packages}


def test_default_images_follow_the_repo() -> None:
    ws = Workspace("python", ".", "uv", "uv.lock", (), runtime_version="3.11")
    assert ECO.default_images(ws) == ("python:3.11-slim-bookworm",) * 2
    unknown = Workspace("python", ".", "pip", None, ())
    assert ECO.default_images(unknown) == ("python:3.12-slim-bookworm",) * 2


def test_uv_base(tmp_path: Path) -> None:
    ws, packages = _sample(tmp_path)
    commands = base_dockerfile(ws, ECO.base_recipe(ws, tuple(packages.values())))
    deps, production = stages(commands)
    assert [c.value for c in deps if c.cmd == "COPY"] == [(".", "./")]
    env = dict(zip(*[iter(next(c.value for c in deps if c.cmd == "ENV"))] * 2, strict=True))
    assert env["UV_PROJECT_ENVIRONMENT"] == "/app/.venv"
    assert env["UV_LINK_MODE"] == "copy" and env["UV_COMPILE_BYTECODE"] == "1"
    dep_runs = runs(tuple(deps))
    assert (("--mount=type=cache,target=/root/.cache/pip", *CREDENTIAL_MOUNTS),
            f"pip install --target /opt/uv uv=={UV_VERSION}") in dep_runs
    sync = [r for r in dep_runs if "uv sync" in r[1]]
    assert sync == [(("--mount=type=cache,target=/root/.cache/uv", *CREDENTIAL_MOUNTS),
                     "uv sync --locked --no-install-local --all-packages --no-dev")]
    # backends are prefetched before the manifests arrive, so manifest edits keep them cached
    tools = next(i for i, c in enumerate(deps) if c.cmd == "RUN" and "/opt/buildtools" in
                 c.value[0])
    copy = next(i for i, c in enumerate(deps) if c.cmd == "COPY")
    assert tools < copy and "hatchling" in deps[tools].value[0]
    assert all("sharing=shared" not in flag for c in commands for flag in c.flags)
    copies = [c for c in production if c.cmd == "COPY" and c.flags != ("--from=runtime-tools",)]
    assert [(c.flags, c.value) for c in copies] == [
        (("--from=deps-base",), ("/app/.venv", "/app/.venv"))]
    assert ("PATH", "/app/.venv/bin:$PATH") in zip(
        *[iter(next(c.value for c in production if c.cmd == "ENV"))] * 2, strict=True)


def test_uv_service(tmp_path: Path) -> None:
    ws, packages = _sample(tmp_path)
    recipe = ECO.service_recipe(ws, packages["acme-worker"], (packages["acme-common"],),
                                ServiceSettings())
    assert recipe.context == ("python/common", "python/worker")
    assert recipe.command == ("/app/.venv/bin/acme-worker",)
    build, final = stages(service_dockerfile(recipe))
    [build_run] = runs(tuple(build))
    assert "uv sync" not in build_run[1] and "pip install" not in build_run[1]
    for folder in ("python/common", "python/worker"):
        assert (f"uv build --wheel --no-build-isolation --offline --no-cache --python "
                f"/opt/buildtools/bin/python --out-dir /wheels {folder}") in build_run[1]
    [(flags, command)] = runs(tuple(final))
    assert flags == ("--mount=type=bind,from=build,source=/wheels,target=/tmp/wheels",
                     "--mount=type=bind,from=build,source=/opt/uv,target=/opt/uv")
    assert command == ("/opt/uv/bin/uv pip install --python /app/.venv/bin/python --no-deps "
                       "--offline --no-cache --compile-bytecode /tmp/wheels/*.whl")
    assert [c for c in final if c.cmd == "COPY"] == []  # no second copy of site-packages
    assert final[-1].json and final[-1].value == ("/app/.venv/bin/acme-worker",)


def test_service_command_overrides_and_module_fallback(tmp_path: Path) -> None:
    ws, packages = _sample(tmp_path)
    worker = packages["acme-worker"]
    custom = ECO.service_recipe(ws, worker, (), ServiceSettings(cmd=("acme-worker", "--port", "1")))
    assert custom.command == ("acme-worker", "--port", "1")
    bare = Package("python", "my-app", "apps/my app", "apps/my app/pyproject.toml", ".")
    recipe = ECO.service_recipe(ws, bare, (), ServiceSettings())
    assert recipe.command == ("python", "-m", "my_app")
    assert "'apps/my app'" in recipe.build[1]  # quoted for the shell


def test_uv_workspace_below_the_root(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "py thon/pyproject.toml": '[tool.uv.workspace]\nmembers = ["a"]\n',
        "py thon/uv.lock": "",
        "py thon/a/pyproject.toml": '[project]\nname = "a"\n',
    })
    ws = result.workspaces[0]
    deps = ECO.base_recipe(ws, result.packages).deps
    assert any(line.endswith("--all-packages --no-dev --project 'py thon'") for line in deps)
    # no [build-system]: PEP 517's setuptools fallback, plus wheel for old setuptools
    assert any("'setuptools>=40.8.0' wheel" in line for line in deps)


def test_poetry_base_and_service(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "svc/pyproject.toml": (
            '[tool.poetry]\nname = "svc"\nversion = "1"\n[tool.poetry.dependencies]\n'
            'python = "^3.11"\nlib = { path = "../lib", develop = true }\n'
            '[tool.poetry.scripts]\nsvc = "svc:main"\n'
            '[build-system]\nrequires = ["poetry-core>=1.0.0"]\n'
            'build-backend = "poetry.core.masonry.api"\n'
        ),
        "svc/poetry.lock": "",
        "lib/pyproject.toml": '[tool.poetry]\nname = "lib"\nversion = "1"\n',
    })
    ws = result.workspaces[0]
    assert ECO.default_images(ws)[0] == "python:3.11-slim-bookworm"
    deps, _ = stages(base_dockerfile(ws, ECO.base_recipe(ws, result.packages)))
    install = [r for r in runs(tuple(deps)) if "poetry install" in r[1]]
    assert install == [(("--mount=type=cache,target=/root/.cache/pypoetry", *CREDENTIAL_MOUNTS),
                        "python -m venv /app/.venv  && cd svc  && /opt/poetry/bin/poetry install "
                        "--no-root --no-directory --only main --compile")]
    assert any("'poetry-core>=1.0.0'" in r[1] and "setuptools" in r[1] for r in runs(tuple(deps)))
    packages = {p.name: p for p in result.packages}
    recipe = ECO.service_recipe(ws, packages["svc"], (packages["lib"],), ServiceSettings())
    build, final = stages(service_dockerfile(recipe))
    assert runs(tuple(build)) == [((), "/opt/buildtools/bin/pip wheel --no-deps --no-build-"
                                   "isolation --no-index --wheel-dir /wheels ./lib ./svc")]
    [(flags, command)] = runs(tuple(final))
    assert flags == ("--mount=type=bind,from=build,source=/wheels,target=/tmp/wheels",)
    assert command.startswith("/app/.venv/bin/python -m pip install --no-deps --no-index ")
    assert recipe.context == ("lib", "svc")


def test_pip_base_installs_quoted_requirements(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "a/pyproject.toml": '[project]\nname = "a"\ndependencies = ["requests>=2,<3", '
                            '"tomli; python_version < \'3.11\'", "b @ file:../b"]\n',
        "b/pyproject.toml": '[project]\nname = "b"\ndependencies = ["click"]\n'
                            '[build-system]\nrequires = ["hatchling"]\n',
    })
    ws = result.workspaces[0]
    deps, _ = stages(base_dockerfile(ws, ECO.base_recipe(ws, result.packages)))
    commands = [r[1] for r in runs(tuple(deps))]
    assert ("python -m venv /app/.venv  && /app/.venv/bin/pip install click 'requests>=2,<3' "
            "'tomli; python_version < '\"'\"'3.11'\"'\"''") in commands
    assert all("file:" not in c for c in commands)  # b is built with the service, not fetched


def test_recipes_are_json_serialisable_text(tmp_path: Path) -> None:
    ws, packages = _sample(tmp_path)
    recipe = ECO.base_recipe(ws, tuple(packages.values()))
    assert json.loads(json.dumps(recipe.deps)) == list(recipe.deps)


def test_non_package_app_copies_its_sources_and_wheels_only_its_path_dependencies(
    tmp_path: Path,
) -> None:
    result = scan(tmp_path, {
        "site/pyproject.toml": (
            '[tool.poetry]\nname = "site"\nversion = "1"\npackage-mode = false\n'
            '[tool.poetry.dependencies]\npython = "^3.11"\nfastapi = "*"\nuvicorn = "*"\n'
            'lib = { path = "../lib" }\n'),
        "site/poetry.lock": "# lock\n",
        "site/app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        "lib/pyproject.toml": '[tool.poetry]\nname = "lib"\nversion = "1"\n',
    })
    ws = result.workspaces[0]
    packages = {p.name: p for p in result.packages}
    recipe = ECO.service_recipe(ws, packages["site"], (packages["lib"],), ServiceSettings(port=81))
    commands = service_dockerfile(recipe)
    wheels = [run for _, run in runs(stages(commands)[0])]
    assert len(wheels) == 1 and "./lib" in wheels[0] and "./site" not in wheels[0]
    final = stages(commands)[1]
    copies = [c.value for c in final if c.cmd == "COPY"]
    assert copies == [("/workspace/site/", "site/")]
    assert [c.value for c in final if c.cmd == "WORKDIR"][-1] == ("/app/site",)
    assert ("UVICORN_HOST=0.0.0.0", "UVICORN_PORT=81") in [
        tuple(c.value[i] + "=" + c.value[i + 1] for i in range(0, len(c.value), 2))
        for c in final if c.cmd == "ENV"]
    assert recipe.command == ("uvicorn", "app.main:app")
    assert recipe.context == ("lib", "site")


def test_uv_per_service_prunes_the_venv_per_service(tmp_path: Path) -> None:
    ws, packages = _sample(tmp_path)
    base = ECO.base_recipe(ws, tuple(packages.values()), "per-service")
    _, production = stages(base_dockerfile(ws, base))
    assert not [c for c in production if c.cmd == "COPY" and c.flags == ("--from=deps-base",)]
    recipe = ECO.service_recipe(ws, packages["acme-worker"], (packages["acme-common"],),
                                ServiceSettings(), "per-service")
    [prune] = recipe.stages
    assert (prune.name, prune.base) == ("prod-deps", "deps-base")
    # exact sync of deps-base's venv to one package: it only uninstalls, so --offline holds
    assert any("uv sync --locked --offline --no-install-local --no-dev --package acme-worker"
               in line for line in prune.instructions)
    assert recipe.runtime[1] == "COPY --from=prod-deps /app/.venv /app/.venv"
    assert "uv pip install" in recipe.runtime[2]  # the service's wheels go on top of it


def test_uv_per_service_below_the_root_names_the_project(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "py thon/pyproject.toml": '[tool.uv.workspace]\nmembers = ["a"]\n',
        "py thon/uv.lock": "",
        "py thon/a/pyproject.toml": '[project]\nname = "a"\n',
    })
    ws, [pkg] = result.workspaces[0], result.packages
    [prune] = ECO.service_recipe(ws, pkg, (), ServiceSettings(), "per-service").stages
    assert prune.instructions[-1].endswith("--package a --project 'py thon'")


def test_poetry_and_pip_prune_by_metadata_when_per_service(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pyproject.toml": "[tool.poetry]\npackage-mode = false\n[tool.poetry.dependencies]\n"
                          'a = { path = "a" }\nb = { path = "b" }\n',
        "poetry.lock": "",
        "a/pyproject.toml": '[tool.poetry]\nname = "a"\nversion = "1"\n'
                            "[tool.poetry.dependencies]\n"
                            'requests = { version = "^2", extras = ["socks", "Use_Chardet"] }\n'
                            'lib = { path = "../lib" }\n'
                            '[tool.poetry.group.dev.dependencies]\npytest = "*"\n',
        "b/pyproject.toml": '[tool.poetry]\nname = "b"\nversion = "1"\n'
                            '[tool.poetry.dependencies]\nattrs = "^23"\n',
        "lib/pyproject.toml": '[tool.poetry]\nname = "lib"\nversion = "1"\n'
                              '[tool.poetry.dependencies]\nsix = "^1"\n',
    })
    # the root's path dependencies join its poetry.lock, though the root is no package
    assert [(w.root, w.manager, w.packages) for w in result.workspaces] == [
        (".", "poetry", ("a", "b", "lib"))]
    ws, packages = result.workspaces[0], {p.name: p for p in result.packages}
    assert packages["a"].requirements == ("requests[socks,use-chardet]",)
    base = ECO.base_recipe(ws, result.packages, "per-service")
    assert not [line for line in base.production if "COPY --from=deps-base" in line]
    recipe = ECO.service_recipe(ws, packages["a"], (packages["lib"],), ServiceSettings(),
                                "per-service")
    [prune] = recipe.stages
    assert (prune.name, prune.base) == ("prod-deps", "deps-base")
    # its own and its library's requirements, extras kept; b's attrs and dev's pytest not
    assert prune.instructions[-1].startswith(
        "RUN /app/.venv/bin/python - 'requests[socks,use-chardet]' six <<'PRUNE'\n")
    assert prune.instructions[-1].endswith("\nPRUNE")
    assert "COPY --from=prod-deps /app/.venv /app/.venv" in recipe.runtime
    # shared: one venv in production-base, no prune stage
    assert ECO.service_recipe(ws, packages["a"], (packages["lib"],), ServiceSettings()).stages \
        == ()


def test_pip_per_service_prunes_to_the_closure_requirements(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "lib/pyproject.toml": '[project]\nname = "lib"\nversion = "1"\n'
                              'dependencies = ["six>=1.16"]\n',
        "svc/pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n'
                              "dependencies = [\"lib\", \"tomli; python_version < '3.11'\"]\n"
                              '[project.scripts]\nsvc = "svc:main"\n',
    })
    ws, packages = result.workspaces[0], {p.name: p for p in result.packages}
    assert ws.manager == "pip"
    recipe = ECO.service_recipe(ws, packages["svc"], (packages["lib"],), ServiceSettings(),
                                "per-service")
    [prune] = recipe.stages
    # markers travel to the script, which evaluates them with pip's own `packaging`
    assert prune.instructions[-1].startswith(
        "RUN /app/.venv/bin/python - 'six>=1.16' 'tomli; python_version < '\"'\"'3.11'\"'\"'' "
        "<<'PRUNE'\n")
    lone = ECO.service_recipe(ws, dataclasses.replace(packages["svc"], requirements=()), (),
                              ServiceSettings(), "per-service")
    assert lone.stages[0].instructions[-1].startswith("RUN /app/.venv/bin/python - <<'PRUNE'\n")


def test_uv_required_version_keeps_the_pin_it_allows_and_replaces_one_it_excludes(
    tmp_path: Path,
) -> None:
    from bakegen.ecosystems.python.recipe import uv_requirement

    assert uv_requirement(None) == f"uv=={UV_VERSION}"
    assert uv_requirement(">=0.9.25") == f"uv=={UV_VERSION}"
    assert uv_requirement("==0.5.*") == "'uv==0.5.*'"
    assert uv_requirement("0.5.0") == "uv==0.5.0"
    assert uv_requirement(">=0.4.25, <0.5") == "'uv>=0.4.25,<0.5'"
    members = {"svc/pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n'
                                     'dependencies = []\n'}
    for where, text in (
        ("pyproject.toml", '[tool.uv]\nrequired-version = "==0.5.*"\n'),
        # uv.toml is read instead of [tool.uv] when both are there
        ("uv.toml", 'required-version = "==0.5.*"\n'),
    ):
        root = tmp_path / where.replace(".", "-")
        pyproject = '[tool.uv.workspace]\nmembers = ["svc"]\n'
        if where == "pyproject.toml":
            pyproject += text
        files = {"pyproject.toml": pyproject, "uv.lock": "version = 1\n", **members}
        if where == "uv.toml":
            files["uv.toml"] = text
            files["pyproject.toml"] += '[tool.uv]\nrequired-version = ">=0.9"\n'
        result = scan(root, files)
        ws = result.workspaces[0]
        assert ws.manager_version == "==0.5.*", where
        recipe = ECO.base_recipe(ws, result.packages)
        installs = [line for line in recipe.deps if "pip install --target /opt/uv" in line]
        assert installs and "'uv==0.5.*'" in installs[0], where
