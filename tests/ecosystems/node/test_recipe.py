"""Node Dockerfile recipes: parsed with a real Dockerfile parser, and run with a real npm."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import dockerfile
import pytest

from bakegen.ecosystems import node as node_ecosystem
from bakegen.ecosystems.base import BaseRecipe
from bakegen.ecosystems.node.start import NEXT
from bakegen.model import EcosystemScan, Package, Workspace
from bakegen.settings import ServiceSettings
from bakegen.tree import SourceTree
from tests.builders import copy_real_workspace, copy_sample, write_tree

ECO = node_ecosystem
BERRY_LOCK = "__metadata:\n  version: 8\n"
CLASSIC_LOCK = "# yarn lockfile v1\n"
LOCKS = {
    "npm": ("package-lock.json", "{}"),
    "yarn-classic": ("yarn.lock", CLASSIC_LOCK),
    "yarn-berry": ("yarn.lock", BERRY_LOCK),
    "pnpm": ("pnpm-lock.yaml", ""),
    "bun": ("bun.lock", "{}"),
}


def scan(tmp_path: Path, files: dict[str, Any]) -> EcosystemScan:
    write_tree(tmp_path, files)
    return ECO.scan(SourceTree.scan(tmp_path))


def monorepo(tmp_path: Path, manager: str = "npm", **root_fields: Any) -> EcosystemScan:
    """api -> lib (runtime), api -> tsconfig (dev); lib has a held-back postinstall."""
    lockfile, content = LOCKS[manager]
    return scan(tmp_path, {
        "package.json": {"name": "r", "private": True, "workspaces": ["apps/*", "packages/*"],
                         **root_fields},
        lockfile: content,
        "apps/api/package.json": {
            "name": "@acme/api", "scripts": {"start": "node dist/main.js", "build": "tsc"},
            "dependencies": {"@acme/lib": "*"}, "devDependencies": {"@acme/tsconfig": "*"},
        },
        "packages/lib/package.json": {
            "name": "@acme/lib", "scripts": {"build": "tsc", "postinstall": "node gen.js"},
        },
        "packages/tsconfig/package.json": {"name": "@acme/tsconfig"},
        "packages/other/package.json": {"name": "@acme/other"},
    })


def parts(result: EcosystemScan) -> tuple[Workspace, dict[str, Package]]:
    return result.workspaces[0], {p.name: p for p in result.packages}


def base_text(recipe: BaseRecipe) -> str:
    lines = ["FROM node AS deps-base", "WORKDIR /workspace", *recipe.deps]
    for stage in recipe.intermediate:
        lines += [f"FROM {stage.base} AS {stage.name}", *stage.instructions]
    lines += ["FROM node AS production-base", "WORKDIR /app", *recipe.production]
    return "\n".join(lines) + "\n"


def parse_base(ws: Workspace, packages: tuple[Package, ...]) -> list[dockerfile.Command]:
    return list(dockerfile.parse_string(base_text(ECO.base_recipe(ws, packages))))


def parse_service(
    ws: Workspace, service: Package, closure: tuple[Package, ...],
    settings: ServiceSettings | None = None,
) -> list[dockerfile.Command]:
    recipe = ECO.service_recipe(ws, service, closure, settings or ServiceSettings())
    text = "\n".join([
        "FROM deps-base AS build", "WORKDIR /workspace", *recipe.build,
        "FROM production-base", "WORKDIR /app", *recipe.runtime,
    ])
    return list(dockerfile.parse_string(text + "\n"))


def runs(commands: list[dockerfile.Command]) -> list[str]:
    return [c.value[0] for c in commands if c.cmd == "RUN"]


def stage(commands: list[dockerfile.Command], name: str) -> list[dockerfile.Command]:
    """The instructions of one `FROM ... AS name` stage."""
    out: list[dockerfile.Command] = []
    inside = False
    for command in commands:
        if command.cmd == "FROM":
            inside = command.value[-1] == name
        elif inside:
            out.append(command)
    return out


# --- images ------------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "image"), [
    ("20", "node:20-bookworm-slim"),
    ("24", "node:24-bookworm-slim"),
    (None, "node:22-bookworm-slim"),
    ("14", "node:14-bullseye-slim"),
])
def test_default_images_follow_the_repo(version: str | None, image: str) -> None:
    ws = Workspace("node", ".", "npm", "package-lock.json", ("package.json",),
                   runtime_version=version)
    assert ECO.default_images(ws) == (image, image)


# --- base recipe -------------------------------------------------------------------------


def test_npm_base_recipe(tmp_path: Path) -> None:
    ws, pkgs = parts(monorepo(tmp_path))
    commands = parse_base(ws, tuple(pkgs.values()))
    deps = stage(commands, "deps-base")
    assert [c.cmd for c in deps] == ["WORKDIR", "COPY", "RUN", "RUN"]
    assert deps[1].value == (".", "./")
    install = deps[-1]
    assert install.flags == (
        "--mount=type=cache,target=/root/.npm",
        "--mount=type=secret,id=npmrc,target=/root/.npmrc",
    )
    assert install.value == ("npm ci --no-audit --no-fund",)
    prod = stage(commands, "prod-deps")
    assert runs(prod)[0] == "npm prune --omit=dev --no-audit --no-fund"
    assert "mv \"$d\" \"/prod/$d\"" in runs(prod)[1]
    production = stage(commands, "production-base")
    env = next(c for c in production if c.cmd == "ENV")
    assert env.value[:2] == ("NODE_ENV", "production")
    copy = production[-1]
    assert (copy.cmd, copy.flags, copy.value) == ("COPY", ("--from=prod-deps",), ("/prod/", "./"))
    assert "sharing=shared" not in base_text(ECO.base_recipe(ws, tuple(pkgs.values())))


def test_member_install_scripts_are_held_back_from_deps_base(tmp_path: Path) -> None:
    ws, pkgs = parts(monorepo(tmp_path))
    deps = runs(stage(parse_base(ws, tuple(pkgs.values())), "deps-base"))
    strip, install = deps
    words = shlex.split(strip)
    assert words[:2] == ["node", "-e"]
    assert words[3:] == ["preinstall,install,postinstall,prepare", "packages/lib/package.json"]
    assert install.startswith("npm ci")


def test_stripping_script_really_edits_the_manifests(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    ws, pkgs = parts(monorepo(tmp_path))
    strip = runs(stage(parse_base(ws, tuple(pkgs.values())), "deps-base"))[0]
    subprocess.run(["sh", "-c", strip], cwd=tmp_path, check=True)
    edited = json.loads((tmp_path / "packages/lib/package.json").read_text())
    assert edited["scripts"] == {"build": "tsc"}
    assert edited["name"] == "@acme/lib"


@pytest.mark.parametrize(("manager", "install", "prod"), [
    ("yarn-classic", "yarn install --frozen-lockfile --non-interactive",
     "yarn install --production --prefer-offline --non-interactive --frozen-lockfile"),
    ("yarn-berry", "yarn install --immutable", "yarn workspaces focus --all --production"),
    ("pnpm", "pnpm install --frozen-lockfile --store-dir /pnpm/store",
     "pnpm install --prod --prefer-offline --frozen-lockfile --store-dir /pnpm/store"),
    # unpinned bun may install isolated (.bun stores): the hoisted tree is what gets pruned
    ("bun", "bun install --frozen-lockfile --linker hoisted",
     "bun install --production --frozen-lockfile --linker hoisted"),
])
def test_each_manager_installs_once_and_derives_production_from_the_cache(
    tmp_path: Path, manager: str, install: str, prod: str
) -> None:
    ws, pkgs = parts(monorepo(tmp_path, manager))
    commands = parse_base(ws, tuple(pkgs.values()))
    deps_install = stage(commands, "deps-base")[-1]
    assert deps_install.value == (install,)
    cache = deps_install.flags[0]
    assert cache.startswith("--mount=type=cache,target=/")
    prod_runs = [c for c in stage(commands, "prod-deps") if c.cmd == "RUN"]
    derive = next(c for c in prod_runs if prod in c.value[0])
    assert derive.flags == deps_install.flags, "production must reuse deps-base's mounts"
    home_file = ".yarnrc.yml" if manager == "yarn-berry" else ".npmrc"
    assert derive.flags[1].endswith(f",target=/root/{home_file}")
    if manager != "yarn-berry":  # these re-copy packages, so they start from empty folders
        assert derive.value[0].startswith("find . -name node_modules -type d -prune -exec rm")


@pytest.mark.parametrize(("declared", "setup"), [
    ("yarn@4.5.3", "corepack prepare yarn@4.5.3 --activate"),
    ("pnpm@9.12.0", "corepack prepare pnpm@9.12.0 --activate"),
    ("npm@11.11.0", "npm install --global --no-audit --no-fund npm@11.11.0"),
    ("bun@1.1.38", "npm install --global --no-audit --no-fund bun@1.1.38"),
])
def test_pinned_manager_is_installed_before_the_copy(
    tmp_path: Path, declared: str, setup: str
) -> None:
    lock = {"yarn": ("yarn.lock", BERRY_LOCK), "pnpm": ("pnpm-lock.yaml", ""),
            "npm": ("package-lock.json", "{}"), "bun": ("bun.lock", "{}")}[declared.split("@")[0]]
    ws, pkgs = parts(scan(tmp_path, {
        "package.json": {"name": "r", "private": True, "workspaces": ["apps/*"],
                         "packageManager": declared},
        lock[0]: lock[1], "apps/a/package.json": {"name": "a"},
    }))
    deps = stage(parse_base(ws, tuple(pkgs.values())), "deps-base")
    copy_at = next(i for i, c in enumerate(deps) if c.cmd == "COPY")
    assert any(setup in c.value[0] for c in deps[:copy_at] if c.cmd == "RUN")


def test_yarn_berry_uses_node_modules_and_the_global_cache(tmp_path: Path) -> None:
    ws, pkgs = parts(monorepo(tmp_path, "yarn-berry"))
    envs = [c.value for c in stage(parse_base(ws, tuple(pkgs.values())), "deps-base")
            if c.cmd == "ENV"]
    assert ("YARN_NODE_LINKER", "node-modules", "YARN_ENABLE_GLOBAL_CACHE", "true") in envs


def test_without_a_lockfile_installs_are_not_frozen(tmp_path: Path) -> None:
    ws, pkgs = parts(scan(tmp_path, {
        "package.json": {"name": "r", "private": True, "workspaces": ["apps/*"]},
        "apps/a/package.json": {"name": "a"},
    }))
    assert ws.lockfile is None
    deps = runs(stage(parse_base(ws, tuple(pkgs.values())), "deps-base"))
    assert deps == ["npm install --no-audit --no-fund"]


def test_documenso_base_recipe(tmp_path: Path) -> None:
    repo = copy_real_workspace("documenso", tmp_path)
    result = ECO.scan(SourceTree.scan(repo))
    ws, pkgs = parts(result)
    deps = runs(stage(parse_base(ws, tuple(pkgs.values())), "deps-base"))
    assert deps[0] == "npm install --global --no-audit --no-fund npm@11.11.0"
    # apps/docs runs `fumadocs-mdx` on postinstall, which needs its sources
    assert shlex.split(deps[1])[-1] == "apps/docs/package.json"
    assert deps[2] == "npm ci --no-audit --no-fund"


# --- service recipe ----------------------------------------------------------------------


def closure_of(pkgs: dict[str, Package], *names: str) -> tuple[Package, ...]:
    return tuple(pkgs[n] for n in names)


def test_sample_service_recipe(tmp_path: Path) -> None:
    result = ECO.scan(SourceTree.scan(copy_sample(tmp_path)))
    ws, pkgs = parts(result)
    web = pkgs["@acme/web"]
    recipe = ECO.service_recipe(ws, web, closure_of(pkgs, "@acme/shared"), ServiceSettings())
    commands = parse_service(ws, web, closure_of(pkgs, "@acme/shared"))
    build = stage(commands, "build")
    copies = [c.value for c in build if c.cmd == "COPY"]
    assert copies == [("packages/shared", "/workspace/packages/shared"),
                      ("apps/web", "/workspace/apps/web")]
    assert runs(build)[0] == "yarn workspace @acme/web run build"
    assert "-- apps/web package.json packages/shared" in runs(build)[1]
    final = commands[-2]
    assert (final.cmd, final.flags, final.value) == ("COPY", ("--from=build",), ("/out/", "./"))
    assert recipe.command == ("node", "server.js")  # run from the package folder
    assert commands[-1].cmd == "WORKDIR" and commands[-1].value == ("/app/apps/web",)
    assert recipe.context == ("apps/web", "packages/shared")


def test_build_runs_held_back_scripts_and_builds_dependencies_first(tmp_path: Path) -> None:
    ws, pkgs = parts(monorepo(tmp_path))
    closure = closure_of(pkgs, "@acme/tsconfig", "@acme/lib")
    build = stage(parse_service(ws, pkgs["@acme/api"], closure), "build")
    # one COPY of each package, then its steps: services sharing a library share these layers
    steps = [(c.cmd, [s.strip() for s in c.value[0].split("&&")] if c.cmd == "RUN" else c.value)
             for c in build[1:-1]]
    assert steps == [
        ("COPY", ("packages/tsconfig", "/workspace/packages/tsconfig")),
        ("COPY", ("packages/lib", "/workspace/packages/lib")),
        ("RUN", ["npm run postinstall --workspace=packages/lib",
                 "npm run build --workspace=packages/lib"]),
        ("COPY", ("apps/api", "/workspace/apps/api")),
        ("RUN", ["npm run build --workspace=apps/api"]),
    ]


def test_runtime_ships_the_runtime_closure_only(tmp_path: Path) -> None:
    ws, pkgs = parts(monorepo(tmp_path))
    closure = closure_of(pkgs, "@acme/tsconfig", "@acme/lib")
    recipe = ECO.service_recipe(ws, pkgs["@acme/api"], closure, ServiceSettings())
    pack = runs(stage(parse_service(ws, pkgs["@acme/api"], closure), "build"))[-1]
    tar = next(s for s in pack.split("&&") if "--create" in s)
    assert shlex.split(tar)[-4:] == ["--", "apps/api", "package.json", "packages/lib"]
    for excluded in ("node_modules", ".npmrc", ".yarnrc.yml"):
        assert f"--exclude={excluded}" in tar
    assert "-path '*/node_modules/.prisma'" in pack
    assert "chmod -R a+rX /out" in pack
    assert recipe.context == ("apps/api", "packages/lib", "packages/tsconfig")
    assert recipe.runtime == ("COPY --from=build /out/ ./", "WORKDIR /app/apps/api")


@pytest.mark.parametrize("manager", ["npm", "pnpm", "yarn-berry", "yarn-classic"])
def test_command_runs_start_through_a_tool_the_runtime_image_has(
    tmp_path: Path, manager: str
) -> None:
    lockfile, content = LOCKS[manager]
    ws, pkgs = parts(scan(tmp_path, {
        "package.json": {"name": "r", "private": True, "workspaces": ["apps/*"]},
        lockfile: content,
        "apps/web/package.json": {"name": "web", "scripts": {"start": "yarn serve",
                                                             "serve": "react-router-serve b.js"},
                                  "dependencies": {"@react-router/serve": "7"}},
    }))
    recipe = ECO.service_recipe(ws, pkgs["web"], (), ServiceSettings())
    # a production dependency's bin, found on PATH: never the package manager
    assert recipe.command == ("react-router-serve", "b.js")
    assert recipe.runtime[-1] == (
        "ENV PATH=/app/apps/web/node_modules/.bin:/app/node_modules/.bin:$PATH"
    )


def test_next_app_ships_the_standalone_server_on_the_bare_runtime(tmp_path: Path) -> None:
    ws, pkgs = parts(scan(tmp_path, {
        "package.json": {"name": "r", "private": True, "workspaces": ["apps/*"]},
        "pnpm-lock.yaml": "",
        "apps/web/package.json": {"name": "web", "scripts": {"start": "next start",
                                                             "build": "next build"},
                                  "dependencies": {"next": "15"}},
    }))
    recipe = ECO.service_recipe(ws, pkgs["web"], (), ServiceSettings())
    assert recipe.bare_runtime and recipe.command == ("node", "server.js")
    assert "ENV NEXT_PRIVATE_STANDALONE=true NEXT_TELEMETRY_DISABLED=1" in recipe.build
    pack = recipe.build[-1]
    assert "cp -a .next/standalone/. \"$root\"" in pack and "dest=/out/apps/web/" in pack
    assert "--exclude=node_modules" not in pack  # the standalone output brings its own
    assert recipe.runtime[-1] == "WORKDIR /app/apps/web"


def test_workspace_below_the_root_installs_and_builds_in_its_folder(tmp_path: Path) -> None:
    ws, pkgs = parts(scan(tmp_path, {
        "web/package.json": {"name": "r", "private": True, "workspaces": ["apps/*", "libs/*"]},
        "web/pnpm-lock.yaml": "",
        "web/apps/site/package.json": {"name": "site", "scripts": {"start": "node s.js",
                                                                    "build": "vite build"},
                                       "dependencies": {"ui": "workspace:*"}},
        "web/libs/ui/package.json": {"name": "ui"},
    }))
    base = parse_base(ws, tuple(pkgs.values()))
    workdirs = [c.value for c in stage(base, "deps-base") if c.cmd == "WORKDIR"]
    assert workdirs[-1] == ("/workspace/web",)
    service = parse_service(ws, pkgs["site"], (pkgs["ui"],))
    build = stage(service, "build")
    assert [c.value for c in build if c.cmd == "WORKDIR"][-1] == ("/workspace/web",)
    assert runs(build)[0] == "pnpm --filter site run build"
    assert "-- web/apps/site web/libs/ui web/package.json" in runs(build)[1]
    recipe = ECO.service_recipe(ws, pkgs["site"], (pkgs["ui"],), ServiceSettings())
    assert recipe.command == ("node", "s.js")
    assert recipe.context == ("web/apps/site", "web/libs/ui")


def test_workdir_keeps_a_dollar_in_a_folder_name_literal(tmp_path: Path) -> None:
    ws, pkgs = parts(scan(tmp_path, {
        "$HOME/package.json": {"name": "r", "private": True, "workspaces": ["apps/*"]},
        "$HOME/package-lock.json": "{}",
        "$HOME/apps/a/package.json": {"name": "a"},
    }))
    deps = ECO.base_recipe(ws, tuple(pkgs.values())).deps
    assert "WORKDIR /workspace/\\$HOME" in deps
    workdir = next(c for c in dockerfile.parse_string("\n".join(deps) + "\n")
                   if c.cmd == "WORKDIR")
    assert workdir.value == ("/workspace/\\$HOME",)


def test_names_and_paths_are_quoted_on_run_lines(tmp_path: Path) -> None:
    ws, pkgs = parts(scan(tmp_path, {
        "package.json": {"name": "r", "private": True, "workspaces": ["apps/*"]},
        "yarn.lock": CLASSIC_LOCK,
        "apps/my app/package.json": {"name": "odd$(name)", "scripts": {"build": "x"}},
    }))
    build = runs(stage(parse_service(ws, pkgs["odd$(name)"], ()), "build"))
    assert shlex.split(build[0]) == ["yarn", "workspace", "odd$(name)", "run", "build"]
    assert "'apps/my app'" in build[1]


# --- the recipe, executed ----------------------------------------------------------------


_STAGE_PATHS = re.compile(r"(?<![\w/.-])(/workspace|/prod|/out|/tmp/runtime\.tar)\b")


def execute(lines: tuple[str, ...], stage_root: Path, workdir: str) -> str:
    """Run a stage's RUN lines with its absolute paths moved below `stage_root`."""
    for line in lines:
        instruction, _, rest = line.partition(" ")
        if instruction == "WORKDIR":
            workdir = rest
        elif instruction == "RUN":
            rest = re.sub(r"^(--mount=\S+ )+", "", rest)
            rest = _STAGE_PATHS.sub(lambda m: str(stage_root) + m.group(1), rest)
            (stage_root / "tmp").mkdir(exist_ok=True)
            cwd = stage_root / workdir.lstrip("/")
            done = subprocess.run(["sh", "-c", rest], cwd=cwd, capture_output=True, text=True)
            assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    return workdir


def test_npm_recipe_runs_for_real(tmp_path: Path) -> None:
    """deps-base, prod-deps, build and the final CMD, with npm offline (internal deps only)."""
    if shutil.which("npm") is None or shutil.which("tar") is None:
        pytest.skip("npm or tar is not installed")
    repo = write_tree(tmp_path / "repo", {
        "package.json": {"name": "r", "private": True, "workspaces": ["apps/*", "packages/*"]},
        "apps/api/package.json": {"name": "@t/api", "scripts": {"start": "node main.js"},
                                  "dependencies": {"@t/lib": "*"},
                                  "devDependencies": {"@t/tools": "*"}},
        "apps/api/main.js": 'console.log(require("@t/lib")());\n',
        "packages/lib/package.json": {"name": "@t/lib", "main": "dist/index.js",
                                      "scripts": {"postinstall": "node gen.js",
                                                  "build": "node build.js"}},
        "packages/lib/gen.js": 'require("fs").writeFileSync(__dirname + "/gen.txt", "gen")\n',
        "packages/lib/build.js": (  # also generates a client into node_modules, as prisma does
            'const fs = require("fs"); fs.mkdirSync(__dirname + "/dist", {recursive: true});\n'
            'const gen = fs.readFileSync(__dirname + "/gen.txt", "utf8");\n'
            'fs.writeFileSync(__dirname + "/dist/index.js", '
            '`module.exports = () => "${gen}+built+" + require(".prisma/client")`)\n'
            'const client = __dirname + "/../../node_modules/.prisma/client";\n'
            'fs.mkdirSync(client, {recursive: true});\n'
            'fs.writeFileSync(client + "/index.js", "module.exports = \'prisma\'")\n'
        ),
        "packages/tools/package.json": {"name": "@t/tools"},
    })
    env = dict(os.environ, npm_config_cache=str(tmp_path / "npm-cache"))
    subprocess.run(["npm", "install", "--package-lock-only", "--offline", "--ignore-scripts",
                    "--no-audit", "--no-fund"], cwd=repo, check=True, capture_output=True,
                   env=env)
    result = ECO.scan(SourceTree.scan(repo))
    ws, pkgs = parts(result)
    base = ECO.base_recipe(ws, tuple(pkgs.values()))
    closure = closure_of(pkgs, "@t/tools", "@t/lib")
    service = ECO.service_recipe(ws, pkgs["@t/api"], closure, ServiceSettings())

    deps = tmp_path / "deps"
    for rel in (*ws.manifests, ws.lockfile or "", *ws.extra_files):
        (deps / "workspace" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo / rel, deps / "workspace" / rel)
    workdir = execute(base.deps, deps, "/workspace")
    prod = tmp_path / "prod-deps"
    shutil.copytree(deps, prod, symlinks=True)
    execute(base.intermediate[0].instructions, prod, workdir)
    build = tmp_path / "build"
    shutil.copytree(deps, build, symlinks=True)
    shutil.copytree(repo, build / "workspace", dirs_exist_ok=True)  # the service's context
    execute(service.build, build, "/workspace")

    app = tmp_path / "app"
    shutil.copytree(prod / "prod", app, symlinks=True)
    shutil.copytree(build / "out", app, symlinks=True, dirs_exist_ok=True)
    assert not (app / "apps/api/node_modules").exists()
    assert not (app / "packages/tools").exists(), "a dev-only package must not ship"
    assert os.readlink(app / "node_modules/@t/lib") == "../../packages/lib"
    ran = subprocess.run(list(service.command), cwd=app / "apps/api", capture_output=True,
                         text=True, check=True)
    assert ran.stdout.strip() == "gen+built+prisma"


@pytest.mark.parametrize(("postinstall", "stripped"), [
    ("pnpm dlx sherif@latest", "prepare,postinstall"),
    ("patch-package", "prepare"),  # patches node_modules: the production install needs it
])
def test_production_install_never_reruns_root_scripts_that_fetch(
    tmp_path: Path, postinstall: str, stripped: str
) -> None:
    ws, pkgs = parts(scan(tmp_path, {
        "package.json": {"name": "r", "private": True, "workspaces": ["apps/*"],
                         "scripts": {"postinstall": postinstall, "prepare": "husky"}},
        "pnpm-lock.yaml": "",
        "apps/web/package.json": {"name": "web", "scripts": {"start": "node x.js"}},
    }))
    assert ws.root_scripts == (("postinstall", postinstall), ("prepare", "husky"))
    prod = runs(stage(parse_base(ws, tuple(pkgs.values())), "prod-deps"))
    words = shlex.split(prod[0])
    assert words[:2] == ["node", "-e"] and words[3:] == [stripped, "package.json"]


# ---- dependencies = "per-service"

def _two_services(tmp_path: Path, manager: str) -> tuple[Workspace, dict[str, Package]]:
    """api -> lib -> ms and web -> react: disjoint third-party sets."""
    lockfile, content = LOCKS[manager]
    return parts(scan(tmp_path, {
        "package.json": {"name": "r", "private": True, "workspaces": ["apps/*", "packages/*"]},
        lockfile: content,
        "apps/api/package.json": {"name": "api", "scripts": {"start": "node a.js"},
                                  "dependencies": {"lib": "*", "express": "4"}},
        "apps/web/package.json": {"name": "web", "scripts": {"start": "node w.js"},
                                  "dependencies": {"escape-html": "1"}},
        "packages/lib/package.json": {"name": "lib", "dependencies": {"ms": "2"}},
    }))


def _per_service(
    ws: Workspace, pkgs: dict[str, Package], name: str, closure: tuple[str, ...] = ()
) -> list[dockerfile.Command]:
    recipe = ECO.service_recipe(
        ws, pkgs[name], tuple(pkgs[c] for c in closure), ServiceSettings(), "per-service"
    )
    lines = ["FROM deps-base AS build", "WORKDIR /workspace", *recipe.build]
    for extra in recipe.stages:
        lines += [f"FROM {extra.base} AS {extra.name}", *extra.instructions]
    lines += ["FROM production-base", "WORKDIR /app", *recipe.runtime]
    return list(dockerfile.parse_string("\n".join(lines) + "\n"))


@pytest.mark.parametrize("manager", sorted(LOCKS))
def test_per_service_production_base_holds_no_node_modules(tmp_path: Path, manager: str) -> None:
    ws, pkgs = _two_services(tmp_path, manager)
    recipe = ECO.base_recipe(ws, tuple(pkgs.values()), "per-service")
    assert recipe.intermediate == ()
    assert not any("prod-deps" in line for line in recipe.production)
    shared = ECO.base_recipe(ws, tuple(pkgs.values()))
    assert [s.name for s in shared.intermediate] == ["prod-deps"]


@pytest.mark.parametrize(
    ("manager", "scoped"),
    [
        ("pnpm", "--store-dir /pnpm/store --filter api..."),
        ("yarn-berry", "yarn workspaces focus api --production"),
    ],
)
def test_per_service_install_is_scoped_to_the_service(
    tmp_path: Path, manager: str, scoped: str
) -> None:
    ws, pkgs = _two_services(tmp_path, manager)
    commands = _per_service(ws, pkgs, "api", ("lib",))
    installs = runs(stage(commands, "prod-deps"))
    assert any(scoped in run for run in installs), installs
    # it derives from deps-base's install and cache mount, never a plain network install
    install = next(c for c in stage(commands, "prod-deps") if scoped in c.value[0])
    assert any(flag.startswith("--mount=type=cache,") for flag in install.flags)
    final = [c for c in commands if c.cmd == "COPY"][-2:]
    assert [c.flags for c in final] == [("--from=prod-deps",), ("--from=build",)]


@pytest.mark.parametrize("manager", ["yarn-classic", "bun", "npm"])
def test_per_service_without_a_scoped_install_prunes_one_shared_install(
    tmp_path: Path, manager: str
) -> None:
    """Every service runs the same workspace-wide production step (built once per bake),
    then prunes it to the folders of its runtime closure: yarn 1 and bun have no scoped
    install, and npm's (`npm ci --workspace`) would reinstall once per service."""
    ws, pkgs = _two_services(tmp_path, manager)
    api = runs(stage(_per_service(ws, pkgs, "api", ("lib",)), "prod-deps"))
    web = runs(stage(_per_service(ws, pkgs, "web"), "prod-deps"))
    production = "npm prune --omit=dev" if manager == "npm" else "--production"
    assert api[:-2] == web[:-2] and any(production in run for run in api[:-2])
    assert api[-2].startswith("node -e ") and api[-2].endswith("' apps/api packages/lib")
    assert web[-2].endswith("' apps/web")


def test_prune_script_keeps_only_what_the_service_reaches(tmp_path: Path) -> None:
    """The prune step, run by a real node on a hoisted tree: nested and scoped packages."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    ws, pkgs = _two_services(tmp_path, "yarn-classic")
    write_tree(tmp_path, {
        "node_modules/express/package.json": {"name": "express",
                                              "dependencies": {"debug": "2", "@x/y": "1"}},
        "node_modules/express/node_modules/debug/package.json": {"name": "debug"},
        "node_modules/@x/y/package.json": {"name": "@x/y"},
        "node_modules/@x/z/package.json": {"name": "@x/z"},
        "node_modules/debug/package.json": {"name": "debug"},
        "node_modules/ms/package.json": {"name": "ms"},
        "node_modules/escape-html/package.json": {"name": "escape-html"},
    })
    for name, target in (("api", "apps/api"), ("web", "apps/web"), ("lib", "packages/lib")):
        (tmp_path / "node_modules" / name).symlink_to(f"../{target}")
    prune = runs(stage(_per_service(ws, pkgs, "api", ("lib",)), "prod-deps"))[-2]
    subprocess.run([node, *shlex.split(prune)[1:]], cwd=tmp_path, check=True)
    modules = tmp_path / "node_modules"
    assert sorted(os.listdir(modules)) == ["@x", "api", "express", "lib", "ms"]
    assert os.listdir(modules / "@x") == ["y"]
    assert (modules / "express/node_modules/debug/package.json").is_file()


def test_per_service_npm_never_installs_again(tmp_path: Path) -> None:
    """With or without a lockfile: deps-base installed; the stage only prunes and walks."""
    ws, pkgs = _two_services(tmp_path, "npm")
    for workspace in (ws, replace(ws, lockfile=None)):
        installs = runs(stage(_per_service(workspace, pkgs, "web"), "prod-deps"))
        assert not [run for run in installs if "npm ci" in run or "npm install" in run]
        assert installs[0] == "npm prune --omit=dev --no-audit --no-fund"


def test_per_service_leaves_next_standalone_alone(tmp_path: Path) -> None:
    ws, pkgs = _two_services(tmp_path, "pnpm")
    web = replace(pkgs["web"], framework=NEXT)
    recipe = ECO.service_recipe(ws, web, (), ServiceSettings(), "per-service")
    assert recipe.bare_runtime and recipe.stages == ()


def test_per_service_npm_runs_no_root_lifecycle_script(tmp_path: Path) -> None:
    """`npm prune` runs no lifecycle script, so the root's `prepare` (husky, a
    devDependency) needs no stripping, and the step stays the shared base's."""
    ws, pkgs = parts(monorepo(tmp_path, "npm", scripts={"prepare": "husky"}))
    installs = runs(stage(_per_service(ws, pkgs, "@acme/api", ("@acme/lib",)), "prod-deps"))
    assert not [run for run in installs if "prepare package.json" in run]
    [shared] = ECO.base_recipe(ws, tuple(pkgs.values())).intermediate
    assert shared.instructions[0] == "RUN " + installs[0]


def _bun_services(tmp_path: Path, manager: str) -> tuple[Workspace, dict[str, Package]]:
    lockfile, content = LOCKS[manager]
    return parts(scan(tmp_path, {
        "package.json": {"name": "r", "private": True, "workspaces": ["apps/*"]},
        lockfile: content,
        "apps/edge/package.json": {"name": "edge", "scripts": {"start": "bun run src/main.ts"}},
        "apps/api/package.json": {"name": "api", "scripts": {"start": "node main.js"}},
    }))


def test_a_service_started_by_bun_runs_on_debian_with_the_workspace_bun(
    tmp_path: Path,
) -> None:
    ws, pkgs = _bun_services(tmp_path, "bun")
    recipe = ECO.service_recipe(ws, pkgs["edge"], (), ServiceSettings(port=3000, health="/up"))
    assert recipe.command == ("bun", "src/main.ts")
    [bun_stage] = [s for s in recipe.stages if s.name == "bun-runtime"]
    # the file deps-base's `npm install --global bun@<pin>` put on PATH, symlinks followed
    assert (bun_stage.base, bun_stage.instructions) == (
        "deps-base", ('RUN cp -L "$(command -v bun)" /bun',))
    # no node in the image: plain Debian, production-base's user, tini and CA bundle
    assert recipe.final_base == "${BUN_RUNTIME_IMAGE}"
    assert recipe.image_args == (("BUN_RUNTIME_IMAGE", "debian:bookworm-slim"),)
    assert [line for line in recipe.runtime if not line.startswith("#")] == [
        "COPY --from=production-base /etc/passwd /etc/group /etc/",
        "COPY --from=production-base /usr/bin/tini /usr/bin/tini",
        'ENTRYPOINT ["/usr/bin/tini", "--"]',
        "COPY --from=production-base /etc/ssl/certs/ca-certificates.crt "
        "/etc/ssl/certs/ca-certificates.crt",
        "ENV NODE_ENV=production",
        "COPY --from=bun-runtime --chmod=0755 /bun /usr/local/bin/bun",
        # shared mode: the workspace's production tree lives in production-base
        "COPY --from=production-base /app/ ./",
        "COPY --from=build /out/ ./",
        "WORKDIR /app/apps/edge",
    ]
    assert recipe.healthcheck.startswith("bun -e 'fetch(")
    assert recipe.links_production_base  # the bake file still links it for those files
    # per-service: its own prod-deps stage instead of production-base's tree
    own = ECO.service_recipe(ws, pkgs["edge"], (), ServiceSettings(), "per-service")
    assert [s.name for s in own.stages] == ["prod-deps", "bun-runtime"]
    assert "COPY --from=production-base /app/ ./" not in own.runtime
    assert "COPY --from=prod-deps /prod/ ./" in own.runtime
    # the workspace's node services stay on production-base, node alone
    plain = ECO.service_recipe(ws, pkgs["api"], (), ServiceSettings())
    assert (plain.final_base, plain.image_args) == ("", ())
    assert not any("bun" in line for line in plain.runtime)
    told = ECO.service_recipe(ws, pkgs["api"], (), ServiceSettings(cmd=("bun", "main.js")))
    assert told.final_base == "${BUN_RUNTIME_IMAGE}"


def test_outside_a_bun_workspace_no_bun_is_copied(tmp_path: Path) -> None:
    ws, pkgs = _bun_services(tmp_path, "npm")
    recipe = ECO.service_recipe(ws, pkgs["edge"], (), ServiceSettings(cmd=("bun", "x.ts")))
    assert recipe.command == ("npm", "run", "start")  # and the scan warns about it
    assert all(s.name != "bun-runtime" for s in recipe.stages)


@pytest.mark.parametrize(("pin", "flag"), [
    ("bun@1.1.38", ""), ("bun@1.2.18", ""), ("bun@1.2.19", " --linker hoisted"),
    ("bun@1.4.5", " --linker hoisted"), ("bun@2.0.0-canary.3", " --linker hoisted"),
])
def test_bun_installs_hoisted_where_it_knows_the_linker(
    tmp_path: Path, pin: str, flag: str
) -> None:
    ws, pkgs = parts(monorepo(tmp_path, "bun", packageManager=pin))
    commands = parse_base(ws, tuple(pkgs.values()))
    assert stage(commands, "deps-base")[-1].value == (f"bun install --frozen-lockfile{flag}",)
    prod = [c.value[0] for c in stage(commands, "prod-deps") if c.cmd == "RUN"]
    assert any(v.endswith(f"bun install --production --frozen-lockfile{flag}") for v in prod)
