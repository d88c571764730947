"""Node services for `bakegen new`: a `package.json` like its siblings' and a tiny HTTP server.

Conventions learnt from the workspace: the npm scope most siblings use, how siblings write
internal dependencies (`workspace:*`, `*`, the exact version, `^version`, `file:` paths),
`license` when every sibling shares one, and the JSON indentation of the root manifest.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from bakegen.errors import BakegenError
from bakegen.model import Package, Workspace
from bakegen.onboarding.context import Context, read_json
from bakegen.onboarding.lock import LockStep
from bakegen.onboarding.names import npm_name_problem, unscoped
from bakegen.onboarding.register import MemberList
from bakegen.tree import join

DEP_FIELDS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
#: dependency styles, preferred first when siblings are split evenly
STYLES = ("workspace:*", "workspace:^", "workspace:~", "*", "^", "~", "=", "file:", "link:")
VERSION = "0.1.0"
SERVER = "server.js"

SERVER_JS = """\
'use strict';

// @NAME@: a minimal HTTP service scaffolded by `bakegen new`.
// GET /health answers {"status":"ok"}; the port comes from $PORT (default @PORT@).

const http = require('http');

const SERVICE = @NAME_JS@;
const port = Number(process.env.PORT) || @PORT@;

const server = http.createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  const ok = path === '/health';
  const body = JSON.stringify(ok ? { status: 'ok', service: SERVICE } : { error: 'not found' });
  res.writeHead(ok ? 200 : 404, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
});

server.listen(port, () => {
  console.log(`${SERVICE} listening on :${port}`);
});

function shutdown() {
  server.close(() => process.exit(0));
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
"""


class NodeLanguage:
    """`bakegen new NAME --lang node`."""

    ecosystem = "node"

    def name_problem(self, name: str) -> str | None:
        return npm_name_problem(name)

    def package_name(self, name: str, siblings: tuple[Package, ...]) -> str:
        """`billing` becomes `@acme/billing` when most siblings live in the `@acme` scope."""
        if name.startswith("@"):
            return name
        scopes = Counter(p.name.split("/", 1)[0] for p in siblings if p.name.startswith("@"))
        if not scopes or 2 * sum(scopes.values()) < len(siblings):
            return name
        scope = min(scopes, key=lambda s: (-scopes[s], s))
        return f"{scope}/{name}"

    def member_list(self, root: Path, workspace: Workspace) -> MemberList | None:
        """`pnpm-workspace.yaml` `packages` for pnpm, else `package.json` `workspaces`,
        the file the scan itself reads."""
        manifest = join(workspace.root, "package.json")
        data = read_json(root, manifest)
        pnpm_file = join(workspace.root, "pnpm-workspace.yaml")
        has_workspaces = "workspaces" in data
        if (root / pnpm_file).is_file() and (workspace.manager == "pnpm" or not has_workspaces):
            globs = _pnpm_globs(root, pnpm_file)
            return None if globs is None else _member_list(pnpm_file, globs)
        if not has_workspaces:
            return None
        value = data["workspaces"]
        if isinstance(value, dict):
            value = value.get("packages", [])
        if not isinstance(value, list):
            return None
        return _member_list(manifest, [g for g in value if isinstance(g, str)])

    def files(self, ctx: Context) -> dict[str, str]:
        """`package.json` (with a `start` script) and `server.js`; a standalone package
        also gets its `package-lock.json`, which the scan needs to see it."""
        if ctx.workspace is None and ctx.dependencies:
            raise BakegenError.at(ctx.folder,
                "a Node package outside a workspace cannot depend on workspace "
                "packages; put it inside a workspace (--path) or drop --depends-on"
            )
        indent = _indent(ctx)
        manifest: dict[str, Any] = {"name": ctx.name, "version": VERSION, "private": True}
        licence = _shared_license(ctx)
        if licence:
            manifest["license"] = licence
        manifest["main"] = SERVER
        manifest["scripts"] = {"start": f"node {SERVER}"}
        if ctx.dependencies:
            style = dependency_style(ctx)
            manifest["dependencies"] = {
                dep.name: _spec(style, dep, ctx) for dep in sorted(ctx.dependencies, key=_name)
            }
        files = {
            join(ctx.folder, "package.json"): json.dumps(manifest, indent=indent) + "\n",
            join(ctx.folder, SERVER): SERVER_JS.replace("@NAME_JS@", _js_string(ctx.name))
            .replace("@NAME@", ctx.name)
            .replace("@PORT@", str(ctx.port)),
        }
        if ctx.workspace is None:
            files[join(ctx.folder, "package-lock.json")] = _standalone_lock(ctx.name, indent)
        return files

    def folder_name(self, name: str) -> str:
        """The name without its scope: `@acme/billing` lives in `billing`."""
        return unscoped(name)

    def image_name(self, name: str) -> str:
        return name

    def dependency_name(self, raw: str) -> str:
        return raw

    def standalone_lock(self, folder: str) -> LockStep | None:
        """None: a standalone package's lockfile is part of its skeleton."""
        return None

    def local_command(self, ctx: Context) -> str:
        return f"PORT={ctx.port} node {ctx.folder}/server.js"


def _member_list(manifest: str, globs: list[str]) -> MemberList:
    kind = manifest.rsplit("/", 1)[-1]
    return MemberList(
        manifest,
        kind,
        tuple(g for g in globs if not g.startswith("!")),
        tuple(g[1:] for g in globs if g.startswith("!")),
    )


def _pnpm_globs(root: Path, rel: str) -> list[str] | None:
    try:
        data = yaml.safe_load((root / rel).read_bytes().decode("utf-8")) or {}
    except (OSError, ValueError, yaml.YAMLError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("packages"), list):
        return None
    return [g for g in data["packages"] if isinstance(g, str)]


def dependency_style(ctx: Context) -> str:
    """How siblings write dependencies on workspace packages (one of STYLES)."""
    versions = {p.name: p.version for p in ctx.siblings}
    seen: Counter[str] = Counter()
    for pkg in ctx.sample():
        data = read_json(ctx.root, pkg.manifest)
        for field in DEP_FIELDS:
            deps = data.get(field)
            for key, spec in deps.items() if isinstance(deps, dict) else ():
                if key in versions and isinstance(spec, str):
                    style = _classify(spec.strip(), versions[key])
                    if style:
                        seen[style] += 1
    if not seen:
        manager = ctx.workspace.manager if ctx.workspace else "npm"
        return "workspace:*" if manager in ("pnpm", "yarn-berry", "bun") else "*"
    return min(seen, key=lambda s: (-seen[s], STYLES.index(s)))


def _classify(spec: str, version: str | None) -> str | None:
    if spec.startswith("workspace:"):
        return spec if spec in STYLES else "workspace:*"
    if spec.startswith(("file:", "link:")):
        return spec.split(":", 1)[0] + ":"
    if spec == "*":
        return "*"
    if version and spec in (version, f"={version}"):
        return "="
    if version and spec in (f"^{version}", f"~{version}"):
        return spec[0]
    return None


def _spec(style: str, dep: Package, ctx: Context) -> str:
    if style in ("file:", "link:"):
        return style + ctx.relative(dep.path)
    if style in ("^", "~", "="):
        if not dep.version:
            return "*"
        return dep.version if style == "=" else style + dep.version
    return style


def _shared_license(ctx: Context) -> str | None:
    licences = {read_json(ctx.root, p.manifest).get("license") for p in ctx.sample()}
    if len(licences) == 1:
        only = licences.pop()
        return only if isinstance(only, str) else None
    return None


def _indent(ctx: Context) -> int | str:
    """The indentation of the workspace's root manifest (2 when unknown)."""
    rel = join(ctx.workspace.root, "package.json") if ctx.workspace else None
    try:
        text = (ctx.root / rel).read_bytes().decode("utf-8") if rel else ""
    except OSError:
        text = ""
    match = re.search(r"\n([ \t]+)\"", text)
    if not match:
        return 2
    indent = match.group(1)
    return indent if "\t" in indent else len(indent)


def _standalone_lock(name: str, indent: int | str) -> str:
    """What `npm install` writes for a package without dependencies (lockfile v3)."""
    lock = {
        "name": name,
        "version": VERSION,
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": {"name": name, "version": VERSION}},
    }
    return json.dumps(lock, indent=indent) + "\n"


def _js_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _name(pkg: Package) -> str:
    return pkg.name
