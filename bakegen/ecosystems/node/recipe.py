"""Dockerfile steps for Node workspaces, per package manager.

Layout inside the images: the build context is the repository root, so `/workspace` (build
stages) and `/app` (runtime) mirror repository paths. A workspace below the root installs in
`/workspace/<root>`, and its `node_modules` land in `/app/<root>/node_modules`.

- **deps-base** copies manifests, lockfile and tool files (`COPY . ./`, the base
  `.dockerignore` admits nothing else) and installs every dependency once from the
  unmodified lockfile, with frozen flags and the manager's cache on a BuildKit cache mount.
- **prod-deps** (intermediate) derives production-only `node_modules` from that install
  without a second download: `npm prune`, `yarn workspaces focus --production`, or an
  offline-preferring reinstall from the same cache mount (yarn 1, pnpm and bun re-copy
  packages when switching to production, so they reinstall from scratch). It then moves
  every `node_modules` folder (root and nested) into `/prod`, keeping relative paths, and
  production-base copies `/prod` to `/app`. Workspace packages are relative symlinks there
  (`node_modules/@acme/shared -> ../../packages/shared`); they resolve because each service
  copies the folders of its runtime closure to the same relative place under `/app`.
- **build** (per service) copies the closure's sources, runs the lifecycle scripts held back
  from deps-base and every `build` script, dependencies first, then packs the runtime
  closure's folders (without `node_modules`, which hold dev dependencies, nor `.npmrc`-like
  files, which may hold tokens) into `/out`, readable by all; the final stage copies `/out`
  in one layer, however many packages the closure has. A Prisma client generated into
  `node_modules/.prisma` during the build travels along, since prod-deps never had it.

Lifecycle scripts: third-party packages need their install scripts (native modules, binary
downloads) and the root's own `postinstall` usually patches `node_modules` (patch-package),
so installs run scripts. But a workspace package's `preinstall`/`install`/`postinstall`/
`prepare` would run in deps-base before its sources exist (`prepare: tsc`,
`postinstall: fumadocs-mdx`) and fail, so deps-base deletes those four scripts from member
manifests before installing (a throw-away copy: the lockfile does not record scripts), and
the service build runs them, with sources present, just before the package's `build`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from bakegen import static_server
from bakegen.ecosystems.base import BaseRecipe, ServiceRecipe, Stage
from bakegen.ecosystems.instructions import (
    copy_paths,
    literal_path,
    run,
    secret_mount,
    sh_quote,
    words,
)
from bakegen.ecosystems.node.manifest import INSTALL_SCRIPTS, relative_to, run_script_command
from bakegen.ecosystems.node.start import NEXT, NITRO
from bakegen.ecosystems.node.static import STATIC
from bakegen.ecosystems.runtime import CA_BUNDLE, bare_runtime_setup
from bakegen.health import bun_probe, node_probe, probed
from bakegen.model import DepKind, Package, Workspace
from bakegen.settings import PER_SERVICE, SHARED_IN_SERVICE, ServiceSettings
from bakegen.tree import is_within, join

DEFAULT_NODE_MAJOR = "22"
#: where each manager keeps its download cache (mounted, never part of a layer)
CACHE_TARGETS = {
    "npm": "/root/.npm",
    "yarn-classic": "/usr/local/share/.cache/yarn",
    "yarn-berry": "/root/.yarn/berry/cache",
    "pnpm": "/pnpm/store",
    "bun": "/root/.bun/install/cache",
}
PROD_DIR = "/prod"
PROD_STAGE = "prod-deps"
OUT_DIR = "/out"
WORKSPACE_DIR = "/workspace"
#: files that may carry registry tokens and have no business in a runtime image
SECRET_PRONE = (".npmrc", ".yarnrc", ".yarnrc.yml")
#: BuildKit secret id -> where npm/pnpm/yarn classic (`npmrc`) and yarn berry read tokens
SECRETS = {"npmrc": "/root/.npmrc", "yarnrc": "/root/.yarnrc.yml"}
_STRIP_SCRIPTS_JS = (
    'const fs=require("fs");const drop=process.argv[1].split(",");'
    "for(const f of process.argv.slice(2)){"
    'const p=JSON.parse(fs.readFileSync(f,"utf8"));'
    "if(p.scripts)for(const s of drop)delete p.scripts[s];"
    'fs.writeFileSync(f,JSON.stringify(p,null,2)+"\\n")}'
)
# Prunes an installed, hoisted node_modules tree (yarn 1, bun) to what the package folders
# given as arguments reach through dependencies, resolved as Node does (the nearest
# node_modules up the folders), and deletes the rest: yarn 1 has no focus command
_PRUNE_TO_JS = (
    'const fs=require("fs"),path=require("path");const root=process.cwd();'
    'const keep=new Set();const queue=[];function mark(dir){'
    'const real=fs.realpathSync(dir);if(!keep.has(real)){keep.add(real);queue.push(real)}}'
    'function find(from,name){for(let d=from;;d=path.dirname(d)){'
    'const c=path.join(d,"node_modules",name);'
    'if(fs.existsSync(path.join(c,"package.json")))return c;'
    'if(d===root||d===path.dirname(d))return null}}'
    'for(const d of process.argv.slice(1))mark(path.resolve(d));while(queue.length){'
    'const dir=queue.pop();'
    'const p=JSON.parse(fs.readFileSync(path.join(dir,"package.json"),"utf8"));'
    'for(const f of["dependencies","optionalDependencies","peerDependencies"])'
    'for(const n of Object.keys(p[f]||{})){const c=find(dir,n);if(c)mark(c)}}'
    'function sweep(nm){if(!fs.existsSync(nm))return;'
    'for(const e of fs.readdirSync(nm)){if(e===".bin"||e.startsWith("."))continue;'
    'const full=path.join(nm,e);'
    'if(e.startsWith("@")&&!fs.existsSync(path.join(full,"package.json"))){sweep(full);'
    'if(!fs.readdirSync(full).length)fs.rmdirSync(full);continue}let real;try{'
    'real=fs.realpathSync(full)}catch{fs.rmSync(full,{force:true});continue}'
    'if(!keep.has(real)){fs.rmSync(full,{recursive:true,force:true});continue}'
    'if(!fs.lstatSync(full).isSymbolicLink())sweep(path.join(full,"node_modules"))}}'
    'for(const d of keep)if(!d.includes(path.sep+"node_modules"+path.sep))'
    'sweep(path.join(d,"node_modules"));'
    'sweep(path.join(root,"node_modules"));'
)
# `prisma generate` (a build step) writes the client into node_modules/.prisma, which the
# production node_modules from prod-deps lack: carry every such folder to the same place
_GENERATED_IN_NODE_MODULES = (
    "find . -type d -path '*/node_modules/.prisma' -prune -exec sh -c "
    """'for d; do mkdir -p "/out/${d%/.prisma}" && cp -a "$d" "/out/$d"; done' sh {} +"""
)
_REMOVE_NODE_MODULES = "find . -name node_modules -type d -prune -exec rm -rf {} +"
#: a script downloading what it runs: it must not run again in a production install
_FETCHES = re.compile(r"\b(npx|pnpx|bunx|dlx|curl|wget)\b")
# node:25+ images lack corepack, and the yarn 1 links node:25 still has clash with its bins
_ENSURE_COREPACK = (
    "if ! command -v corepack >/dev/null 2>&1; then"
    " rm -f /usr/local/bin/yarn /usr/local/bin/yarnpkg"
    " && npm install --global --no-audit --no-fund corepack; fi"
)


def default_images(workspace: Workspace) -> tuple[str, str]:
    """(build, runtime) Debian slim images of the Node major the repo asks for."""
    major = workspace.runtime_version or DEFAULT_NODE_MAJOR
    number = int(major) if major.isdigit() else int(DEFAULT_NODE_MAJOR)
    if number >= 16:
        image = f"node:{number}-bookworm-slim"
    elif number >= 12:
        image = f"node:{number}-bullseye-slim"  # no bookworm builds of older Node
    else:
        image = f"node:{number}-slim"
    return image, image


def base_recipe(
    workspace: Workspace, packages: tuple[Package, ...], dependencies: str = "shared"
) -> BaseRecipe:
    """deps-base (one full install), prod-deps (pruned copy) and production-base steps.

    With per-service dependencies production-base holds no node_modules: each service
    derives its own from deps-base (`service_recipe`).
    """
    manager = workspace.manager
    deps: list[str] = [*_manager_setup(workspace), "COPY . ./"]
    if workspace.root != ".":
        deps.append(_workdir(workspace.root))
    held_back = sorted(
        relative_to(p.manifest, workspace.root)
        for p in packages
        if p.path != workspace.root and any(p.script(s) is not None for s in INSTALL_SCRIPTS)
    )
    if held_back:
        deps += [
            "# install scripts of workspace packages need their sources: services' builds run them",
            _strip_scripts(INSTALL_SCRIPTS, held_back),
        ]
    deps.append(run(_install(workspace), mounts=_mounts(manager), mounts_inline=True))
    environment = "ENV NODE_ENV=production NPM_CONFIG_UPDATE_NOTIFIER=false"
    if dependencies == PER_SERVICE:
        return BaseRecipe(deps=tuple(deps), production=(environment,))
    production = (environment, f"COPY --from={PROD_STAGE} {PROD_DIR}/ ./")
    return BaseRecipe(
        deps=tuple(deps), intermediate=(_prod_deps_stage(workspace, None),), production=production
    )


def _prod_deps_stage(
    workspace: Workspace, service: Package | None, closure: tuple[Package, ...] = ()
) -> Stage:
    """Production node_modules derived from deps-base, for `service` only or the workspace."""
    return Stage(
        name=PROD_STAGE,
        base="deps-base",
        instructions=(
            *_production_install(workspace, fetching_root_scripts(workspace), service, closure),
            _collect_node_modules(),
        ),
    )


def service_recipe(
    workspace: Workspace,
    service: Package,
    closure: tuple[Package, ...],
    settings: ServiceSettings,
    dependencies: str = "shared",
) -> ServiceRecipe:
    """Build the closure dependencies-first on deps-base; ship the runtime closure's folders.

    `settings` (a `cmd` override, ports) are applied by the renderer, not here. With
    per-service dependencies a `prod-deps` stage derives the service's own production
    node_modules from deps-base and the final stage copies them first (a Next.js or nitro
    server brings its traced node_modules instead).
    """
    # One COPY and one RUN per package, dependencies first, each copying only that package:
    # services sharing libraries then share those steps' cache keys, so BuildKit builds
    # each library once per bake (and once per change) instead of once per service.
    build: list[str] = list(copy_paths(workspace.build_files, WORKSPACE_DIR))
    if workspace.root != ".":
        build.append(_workdir(workspace.root))
    next_app = service.framework == NEXT
    for pkg in (*closure, service):
        if pkg is service and next_app:
            # Next.js reads it as the default of `output`: a config that sets no `output`
            # builds the standalone server (server.js and the traced node_modules it needs);
            # set only for the app's own step, so its libraries' steps stay shared
            build.append("ENV NEXT_PRIVATE_STANDALONE=true NEXT_TELEMETRY_DISABLED=1")
        build.extend(copy_paths((pkg.path,), WORKSPACE_DIR))
        commands = _build_commands(workspace, (pkg,))
        if commands:
            build.append(run(*commands))
    if service.framework == STATIC:
        return _static_site(service, closure, settings, tuple(build))
    if next_app:
        build.append(_pack_next_standalone(service.path))
    elif service.framework == NITRO:
        build.append(_pack_nitro_output(service.path))
    else:
        build.append(_pack_runtime(runtime_paths(workspace, service, closure)))
    command = service_command(service)
    bare = service.framework in (NEXT, NITRO)
    own_dependencies = dependencies in (PER_SERVICE, SHARED_IN_SERVICE) and not bare
    # the workspace's whole production set: the same stage in every such service
    scope = (service, closure) if dependencies == PER_SERVICE else (None, ())
    runtime = [f"COPY --from=build {OUT_DIR}/ ./"]
    if own_dependencies:
        runtime.insert(0, f"COPY --from={PROD_STAGE} {PROD_DIR}/ ./")
    if next_app:
        # the standalone server binds to HOSTNAME, which Docker sets to the container's id
        runtime.insert(0, "ENV NODE_ENV=production HOSTNAME=0.0.0.0 NEXT_TELEMETRY_DISABLED=1")
    if service.path != ".":
        runtime.append(_app_workdir(service.path))
    if command and command[0] not in ("node", "npm", "sh", "bash", "bun"):
        bins = [f"/app/{join(service.path, 'node_modules/.bin')}", "/app/node_modules/.bin"]
        runtime.append(f"ENV PATH={':'.join(dict.fromkeys(bins))}:$PATH")
    recipe = ServiceRecipe(
        build=tuple(build),
        runtime=tuple(runtime),
        command=command,
        context=tuple(sorted({service.path, *(p.path for p in closure)})),
        bare_runtime=bare,
        stages=(_prod_deps_stage(workspace, *scope),) if own_dependencies else (),
    )
    if workspace.manager == "bun" and "bun" in _command_heads(command, settings):
        return probed(_on_bun(recipe, own_dependencies), settings, bun_probe)
    return probed(recipe, settings, node_probe)


#: the runtime image of a service that runs on bun: bun brings its own JavaScript engine
#: and root certificates, so plain Debian does (node's image would add node's ~50 MB)
BUN_RUNTIME_VARIABLE = "BUN_RUNTIME_IMAGE"
BUN_RUNTIME_IMAGE = "debian:bookworm-slim"
#: the bun deps-base installed (the workspace's pin), as one file: npm's global bin is a
#: symlink into its prefix, which a NODE_IMAGE override may place elsewhere
_BUN_STAGE = Stage(
    name="bun-runtime",
    base="deps-base",
    instructions=('RUN cp -L "$(command -v bun)" /bun',),
)


def _on_bun(recipe: ServiceRecipe, own_dependencies: bool) -> ServiceRecipe:
    """The final stage on plain Debian with bun: production-base's user, tini and CA
    bundle, bun, the production dependencies (the service's own stage, else
    production-base's shared tree), then the service as on node."""
    shared = () if own_dependencies else ("COPY --from=production-base /app/ ./",)
    return replace(
        recipe,
        stages=(*recipe.stages, _BUN_STAGE),
        runtime=(
            *bare_runtime_setup(BUN_RUNTIME_IMAGE),
            # production-base made sure it has one (Debian slim has none)
            f"COPY --from=production-base {CA_BUNDLE} {CA_BUNDLE}",
            "ENV NODE_ENV=production",
            f"COPY --from={_BUN_STAGE.name} --chmod=0755 /bun /usr/local/bin/bun",
            *shared,
            *recipe.runtime,
        ),
        final_base=f"${{{BUN_RUNTIME_VARIABLE}}}",
        image_args=((BUN_RUNTIME_VARIABLE, BUN_RUNTIME_IMAGE),),
    )


def _command_heads(command: tuple[str, ...], settings: ServiceSettings) -> set[str]:
    """The programs the image may start first: the resolved start and any override."""
    return {words[0] for words in (command, settings.cmd, settings.entrypoint) if words}


def _static_site(
    service: Package, closure: tuple[Package, ...], settings: ServiceSettings,
    build: tuple[str, ...],
) -> ServiceRecipe:
    """Built like any service; then the site alone, on the static server FROM scratch."""
    folder = WORKSPACE_DIR if service.path == "." else f"{WORKSPACE_DIR}/{service.path}"
    return ServiceRecipe(
        build=build,
        runtime=static_server.runtime(settings.port),
        command=static_server.command(),
        context=tuple(sorted({service.path, *(p.path for p in closure)})),
        stages=(static_server.site_stage(folder),),
        healthcheck="" if settings.healthcheck else static_server.probe(settings.health or "/"),
        final_base="scratch",
        tools=(static_server.tool(),),
    )


def service_command(service: Package) -> tuple[str, ...]:
    """The exec-form CMD, run from the package's folder (the image's WORKDIR), as a package
    manager runs scripts: what the `start` script resolves to (`start`), else `node .`."""
    return service.entrypoint or ("node", ".")


def runtime_paths(
    workspace: Workspace, service: Package, closure: tuple[Package, ...]
) -> tuple[str, ...]:
    """Folders the running service needs: itself and what it reaches through runtime edges,
    plus the workspace's root manifest (npm reads it to run a workspace's script)."""
    paths = {p.path for p in runtime_closure(service, closure)}
    root_manifest = join(workspace.root, "package.json")
    if root_manifest in workspace.manifests:
        paths.add(root_manifest)
    return tuple(sorted(p for p in paths if not any(
        other != p and is_within(p, other) for other in paths
    )))


def runtime_closure(service: Package, closure: tuple[Package, ...]) -> tuple[Package, ...]:
    """The service and the packages of `closure` it reaches through runtime edges."""
    by_name = {p.name: p for p in closure}
    needed: dict[str, Package] = {service.name: service}
    queue = [service]
    while queue:
        for dep in queue.pop().dependencies:
            target = by_name.get(dep.name)
            if dep.kind is DepKind.RUNTIME and target and target.name not in needed:
                needed[target.name] = target
                queue.append(target)
    return tuple(sorted(needed.values(), key=lambda p: p.path))


def _manager_setup(workspace: Workspace) -> list[str]:
    """Put the pinned manager on PATH before the copy, so the layer survives manifest edits."""
    manager, version = workspace.manager, workspace.manager_version
    if manager == "npm":
        if not version:
            return []
        return [run("npm install --global --no-audit --no-fund " + sh_quote(f"npm@{version}"),
                    mounts=(_cache("npm"),), mounts_inline=True)]
    if manager == "bun":
        return [run("npm install --global --no-audit --no-fund "
                    + sh_quote(f"bun@{version or 'latest'}"),
                    mounts=(_cache("npm"),), mounts_inline=True)]
    tool = "pnpm" if manager == "pnpm" else "yarn"
    steps = [_ENSURE_COREPACK, f"corepack enable {tool}"]
    if version:
        steps.append(f"corepack prepare {sh_quote(f'{tool}@{version}')} --activate")
    lines = ["ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0"]
    if manager == "yarn-berry":
        # corepack fetches Yarn 2+ from repo.yarnpkg.com unless told to use the npm registry,
        # which every build that installs Node packages reaches anyway (mirrors included)
        lines.append("ARG COREPACK_NPM_REGISTRY=https://registry.npmjs.org")
    lines.append(run(*steps))
    if manager == "yarn-berry":
        # node-modules: Plug'n'Play would need the zip cache in the image; the global cache
        # keeps downloads on the cache mount instead of in .yarn/cache
        lines.append("ENV YARN_NODE_LINKER=node-modules YARN_ENABLE_GLOBAL_CACHE=true")
    return lines


#: the first bun with isolated installs (the default for workspaces whose lockfile bun 1.3+
#: wrote) and `--linker`
_BUN_ISOLATED_SINCE = (1, 2, 19)


def _bun_linker(workspace: Workspace) -> str:
    """` --linker hoisted` where bun may install isolated: one node_modules tree, which the
    production pruning walks (pnpm-style `.bun` stores it cannot), as yarn 2+ gets the
    node-modules linker. Older bun knows only hoisted, and not the option."""
    version = workspace.manager_version
    if version is not None:
        numbers = tuple(int(n) for n in re.findall(r"\d+", version.split("-")[0])[:3])
        if numbers < _BUN_ISOLATED_SINCE:
            return ""
    return " --linker hoisted"


def _install(workspace: Workspace) -> str:
    """The full install: frozen to the lockfile, so a stale lockfile fails the build."""
    locked = workspace.lockfile is not None
    return {
        "npm": "npm ci --no-audit --no-fund" if locked else "npm install --no-audit --no-fund",
        "yarn-classic": "yarn install --frozen-lockfile --non-interactive" if locked
        else "yarn install --non-interactive",
        "yarn-berry": "yarn install --immutable" if locked else "yarn install",
        "pnpm": f"pnpm install {'--frozen-lockfile' if locked else '--no-frozen-lockfile'} "
        f"--store-dir {CACHE_TARGETS['pnpm']}",
        "bun": ("bun install --frozen-lockfile" if locked else "bun install")
        + _bun_linker(workspace),
    }[workspace.manager]


def fetching_root_scripts(workspace: Workspace) -> tuple[str, ...]:
    """The root's install scripts that download a tool to run it (`npx`, `pnpm dlx`, `curl`)."""
    return tuple(
        name for name, command in workspace.root_scripts
        if name != "prepare" and _FETCHES.search(command)
    )


def _production_install(
    workspace: Workspace,
    fetching_scripts: tuple[str, ...],
    service: Package | None = None,
    closure: tuple[Package, ...] = (),
) -> list[str]:
    """Turn deps-base's install into production-only node_modules, without a second download.

    For a `service`, only what it and its workspace dependencies need at runtime: pnpm
    reinstalls that scope preferring the store deps-base filled (a cache mount may be empty
    when deps-base came from a registry cache, so not `--offline`), yarn 2+ focuses the
    workspace. npm, yarn 1 and bun run the workspace-wide production step (the same in
    every service, so BuildKit runs it once per bake), then delete what the service's
    packages do not reach in the installed tree (a scoped `npm ci --workspace` per service
    would reinstall once per service).
    """
    manager = workspace.manager
    root_manifest = join(workspace.root, "package.json") in workspace.manifests
    keep_root_scripts_out = [
        "# the root's `prepare` (git hooks) needs devDependencies a production install lacks",
        *(["# and its install scripts that fetch tools (`pnpm dlx`) ran once in deps-base"]
          if fetching_scripts else []),
        _strip_scripts(("prepare", *fetching_scripts), ["package.json"]),
    ] if root_manifest else []
    if manager == "npm":
        # the workspace-wide step first, the same in every service: BuildKit runs it once
        steps = [run("npm prune --omit=dev --no-audit --no-fund")]
        return steps if service is None else [*steps, *_walk_prune(workspace, service, closure)]
    if manager == "yarn-berry":
        scope = "--all" if service is None else sh_quote(service.name)
        focus = [f"yarn workspaces focus {scope} --production"]
        if (workspace.manager_version or "4").split(".")[0] in ("2", "3"):
            focus.insert(0, "yarn plugin import workspace-tools")  # built in from 4
        return [run(*focus, mounts=_mounts(manager), mounts_inline=True)]
    frozen = workspace.lockfile is not None
    reinstall = {
        "yarn-classic": "yarn install --production --prefer-offline --non-interactive"
        + (" --frozen-lockfile" if frozen else ""),
        "pnpm": "pnpm install --prod --prefer-offline "
        f"{'--frozen-lockfile' if frozen else '--no-frozen-lockfile'} "
        f"--store-dir {CACHE_TARGETS['pnpm']}"
        + ("" if service is None else f" --filter {sh_quote(service.name + '...')}"),
        "bun": "bun install --production" + (" --frozen-lockfile" if frozen else "")
        + _bun_linker(workspace),
    }[manager]
    steps = [
        *keep_root_scripts_out,
        run(_REMOVE_NODE_MODULES, reinstall, mounts=_mounts(manager), mounts_inline=True),
    ]
    if service is not None and manager in ("yarn-classic", "bun"):
        steps += _walk_prune(workspace, service, closure)
    return steps


def _walk_prune(workspace: Workspace, service: Package, closure: tuple[Package, ...]) -> list[str]:
    """Delete from the workspace-wide production install what the service's packages do not
    reach: a file walk, no second install."""
    args = words(relative_to(p.path, workspace.root) for p in runtime_closure(service, closure))
    return [
        "# keep what the service's packages reach in the installed tree, delete the rest",
        run(f"node -e '{_PRUNE_TO_JS}' {args}"),
    ]


def _collect_node_modules() -> str:
    """Move every node_modules folder of the workspace to /prod, at the same relative path."""
    move = 'for d; do mkdir -p "/prod/${d%/node_modules}" && mv "$d" "/prod/$d"; done'
    return run(
        f"mkdir -p {PROD_DIR}",
        "cd /workspace",
        f"find . -name node_modules -type d -prune -exec sh -c '{move}' sh {{}} +",
        f"chmod -R a+rX {PROD_DIR}",
    )


def _build_commands(workspace: Workspace, ordered: Iterable[Package]) -> list[str]:
    """Held-back install scripts, then `build`, of each package, dependencies first."""
    commands = []
    for pkg in ordered:
        scripts = [s for s in INSTALL_SCRIPTS if pkg.path != workspace.root]
        scripts.append("build")
        for script in scripts:
            if pkg.script(script) is not None:
                command = run_script_command(
                    workspace.manager, workspace.root, pkg.path, pkg.name, script
                )
                commands.append(words(command))
    return commands


def _pack_runtime(paths: tuple[str, ...]) -> str:
    """Copy the runtime folders into /out in one step (one final layer, GNU tar excludes)."""
    excludes = " ".join(f"--exclude={name}" for name in ("node_modules", *SECRET_PRONE))
    archive = "/tmp/runtime.tar"
    return run(
        f"mkdir -p {OUT_DIR}",
        "cd /workspace",
        f"tar --create --file={archive} {excludes} -- {words(paths)}",
        f"tar --extract --file={archive} --directory={OUT_DIR}",
        f"rm {archive}",
        _GENERATED_IN_NODE_MODULES,
        f"chmod -R a+rX {OUT_DIR}",
    )


def _strip_scripts(scripts: Iterable[str], manifests: list[str]) -> str:
    """A RUN deleting `scripts` from the given manifests (paths relative to WORKDIR)."""
    return run(f"node -e '{_STRIP_SCRIPTS_JS}' {','.join(scripts)} {words(manifests)}")


def _pack_next_standalone(path: str) -> str:
    """Ship only Next.js's standalone output, `.next/static` and `public` into /out/<path>.

    Next writes the server under `.next/standalone/<path relative to its tracing root>`
    (the monorepo root it finds by its lockfile, or the app itself): wherever it is, the
    app lands at /out/<path> and the traced node_modules where server.js finds them.
    """
    dest = f"{OUT_DIR}/{path}/" if path != "." else f"{OUT_DIR}/"
    app = sh_quote(dest)
    return run(
        f"cd /workspace/{sh_quote(path)}" if path != "." else "cd /workspace",
        "server=$(cd .next/standalone 2>/dev/null && find . -name server.js"
        " -not -path '*/node_modules/*' -not -path '*/.next/*' | sort | head -n 1)",
        'if [ -z "$server" ]; then echo "bakegen: no .next/standalone/**/server.js: the'
        " Next.js config sets an output other than standalone; set output: 'standalone'"
        ' or a cmd for this service" >&2; exit 1; fi',
        'rel=${server#./}; rel=${rel%server.js}',
        f'dest={app}; root=${{dest%"$rel"}}',
        'if [ "$root$rel" != "$dest" ]; then echo "bakegen: unexpected standalone layout'
        ' $server" >&2; exit 1; fi',
        'mkdir -p "$root" "${dest}.next"',
        'cp -a .next/standalone/. "$root"',
        'cp -a .next/static "${dest}.next/static"',
        'if [ -d public ]; then cp -a public "${dest}public"; fi',
        f"chmod -R a+rX {OUT_DIR}",
    )


def _pack_nitro_output(path: str) -> str:
    """Ship only nitro's `.output` (server bundle with its traced node_modules, public)."""
    dest = f"{OUT_DIR}/{path}" if path != "." else OUT_DIR
    return run(
        f"cd /workspace/{sh_quote(path)}" if path != "." else "cd /workspace",
        "if [ ! -f .output/server/index.mjs ]; then echo \"bakegen: the build wrote no"
        " .output/server/index.mjs (nitro's node-server output); set a cmd for this"
        ' service" >&2; exit 1; fi',
        f"mkdir -p {sh_quote(dest)}",
        f"cp -a .output {sh_quote(dest + '/.output')}",
        f"chmod -R a+rX {OUT_DIR}",
    )


def _app_workdir(path: str) -> str:
    return "WORKDIR /app/" + literal_path(path)


def _workdir(root: str) -> str:
    """WORKDIR expands variables: a `$` or `\\` in a folder name must stay literal."""
    return "WORKDIR /workspace/" + literal_path(root)


def _credentials(manager: str) -> str:
    """The optional registry-credentials secret: yarn 2+ reads a home `.yarnrc.yml`, every
    other manager a home `.npmrc` (docs/security.md)."""
    secret_id = "yarnrc" if manager == "yarn-berry" else "npmrc"
    return secret_mount(secret_id, SECRETS[secret_id])


def _cache(manager: str) -> str:
    return f"--mount=type=cache,target={CACHE_TARGETS[manager]}"


def _mounts(manager: str) -> tuple[str, str]:
    """The download cache and the optional credentials every installing step mounts."""
    return _cache(manager), _credentials(manager)
