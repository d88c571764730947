"""Python services for `bakegen new`: a `pyproject.toml` with `[project.scripts]` and a package
whose `__main__.py` serves GET /health with `http.server`.

Conventions learnt from the workspace: `requires-python`, the build backend (hatchling,
setuptools or uv_build, with the siblings' `requires`), and the `src/` or flat layout.
Internal dependencies get a `[tool.uv.sources]` entry: `{ workspace = true }` in a uv
workspace, else `{ path = "..." }`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bakegen.ecosystems.python.pep import normalize_name
from bakegen.model import Package, Workspace
from bakegen.onboarding.context import Context, most_common, read_toml
from bakegen.onboarding.lock import LockStep
from bakegen.onboarding.names import module_name, python_name_problem
from bakegen.onboarding.register import MemberList
from bakegen.tree import join

VERSION = "0.1.0"
#: build backends whose configuration for a one-package project bakegen knows
BACKENDS = ("hatchling.build", "setuptools.build_meta", "uv_build")
DEFAULT_BACKEND = ("hatchling.build", ("hatchling",))

INIT_PY = '''"""@NAME@ service."""

__version__ = "@VERSION@"
'''

MAIN_PY = '''"""@NAME@: a minimal HTTP service scaffolded by `bakegen new`.

Run it as `@SCRIPT@` or `python -m @MODULE@`; GET /health answers {"status": "ok"} on $PORT.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE = @NAME_PY@
DEFAULT_PORT = @PORT@


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        ok = self.path.split("?", 1)[0] == "/health"
        payload = {"status": "ok", "service": SERVICE} if ok else {"error": "not found"}
        body = json.dumps(payload).encode()
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _port_default() -> int:
    try:
        return int(os.environ.get("PORT", DEFAULT_PORT))
    except ValueError:
        return DEFAULT_PORT


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=@SCRIPT_PY@, description=f"Run the {SERVICE} service (GET /health)."
    )
    parser.add_argument("--host", default="0.0.0.0", help="interface (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=_port_default(), help="port (default: $PORT or @PORT@)"
    )
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    signal.signal(signal.SIGTERM, _stop)
    print(f"{SERVICE} listening on :{args.port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
'''


class PythonLanguage:
    """`bakegen new NAME --lang python`."""

    ecosystem = "python"

    def name_problem(self, name: str) -> str | None:
        return python_name_problem(name)

    def package_name(self, name: str, siblings: tuple[Package, ...]) -> str:
        """PEP 503 normal form, the name the scan reports."""
        return normalize_name(name)

    def member_list(self, root: Path, workspace: Workspace) -> MemberList | None:
        """`[tool.uv.workspace] members` of a uv workspace; other workspaces list none."""
        if workspace.manager != "uv":
            return None
        manifest = join(workspace.root, "pyproject.toml")
        data = read_toml(root, manifest)
        table = _get(data, "tool", "uv", "workspace")
        if not isinstance(table, dict):
            return None
        members = table.get("members", [])
        exclude = table.get("exclude", [])
        return MemberList(
            manifest,
            "pyproject.toml",
            tuple(m for m in members if isinstance(m, str)) if isinstance(members, list) else (),
            tuple(e for e in exclude if isinstance(e, str)) if isinstance(exclude, list) else (),
        )

    def files(self, ctx: Context) -> dict[str, str]:
        """`pyproject.toml`, `<module>/__init__.py` and `<module>/__main__.py`."""
        module = module_name(ctx.name)
        siblings = [read_toml(ctx.root, p.manifest) for p in ctx.sample()]
        src = _uses_src_layout(ctx)
        package_dir = join(ctx.folder, f"src/{module}" if src else module)
        main = (
            MAIN_PY.replace("@NAME_PY@", json.dumps(ctx.name))
            .replace("@SCRIPT_PY@", json.dumps(ctx.name))
            .replace("@NAME@", ctx.name)
            .replace("@SCRIPT@", ctx.name)
            .replace("@MODULE@", module)
            .replace("@PORT@", str(ctx.port))
        )
        return {
            join(ctx.folder, "pyproject.toml"): pyproject_toml(ctx, module, src, siblings),
            join(package_dir, "__init__.py"): INIT_PY.replace("@NAME@", ctx.name).replace(
                "@VERSION@", VERSION
            ),
            join(package_dir, "__main__.py"): main,
        }

    def folder_name(self, name: str) -> str:
        return name

    def image_name(self, name: str) -> str:
        return name

    def dependency_name(self, raw: str) -> str:
        """PEP 503 normal form, as the scan names packages."""
        return normalize_name(raw)

    def standalone_lock(self, folder: str) -> LockStep | None:
        """None: a standalone project installs from its pyproject.toml."""
        return None

    def local_command(self, ctx: Context) -> str:
        if ctx.workspace is not None and ctx.workspace.manager == "uv":
            return (f"PORT={ctx.port} uv run {ctx.name}  "
                    f"(or python -m {module_name(ctx.name)})")
        return f"pip install -e {ctx.folder} && PORT={ctx.port} {ctx.name}"


def pyproject_toml(ctx: Context, module: str, src: bool, siblings: list[dict[str, Any]]) -> str:
    """The new project's manifest, in the siblings' build backend and Python range."""
    requires_python = most_common(
        (r for s in siblings if isinstance(r := _get(s, "project", "requires-python"), str)),
        _python_floor(ctx),
    )
    backend, build_requires = _backend(siblings)
    deps = sorted(p.name for p in ctx.dependencies)
    lines = [
        "[project]",
        f"name = {_q(ctx.name)}",
        f"version = {_q(VERSION)}",
        f"description = {_q(f'The {ctx.name} service.')}",
        f"requires-python = {_q(requires_python)}",
        f"dependencies = [{', '.join(_q(d) for d in deps)}]",
        "",
        "[project.scripts]",
        f"{_key(ctx.name)} = {_q(f'{module}.__main__:main')}",
        "",
    ]
    if deps:
        lines.append("[tool.uv.sources]")
        for dep in sorted(ctx.dependencies, key=lambda p: p.name):
            where = (
                "workspace = true"
                if ctx.members is not None
                else f"path = {_q(ctx.relative(dep.path))}, editable = true"
            )
            lines.append(f"{_key(dep.name)} = {{ {where} }}")
        lines.append("")
    lines += [
        "[build-system]",
        f"requires = [{', '.join(_q(r) for r in build_requires)}]",
        f"build-backend = {_q(backend)}",
    ]
    if backend == "hatchling.build":
        lines += ["", "[tool.hatch.build.targets.wheel]", f"packages = [{_q(_path(src, module))}]"]
    elif backend == "uv_build" and not src:
        lines += ["", "[tool.uv.build-backend]", 'module-root = ""']
    return "\n".join(lines) + "\n"


def _path(src: bool, module: str) -> str:
    return f"src/{module}" if src else module


def _backend(siblings: list[dict[str, Any]]) -> tuple[str, tuple[str, ...]]:
    found: list[tuple[str, tuple[str, ...]]] = []
    for data in siblings:
        backend = _get(data, "build-system", "build-backend")
        requires = _get(data, "build-system", "requires")
        if backend in BACKENDS and isinstance(requires, list):
            found.append((backend, tuple(r for r in requires if isinstance(r, str))))
    return most_common(found, DEFAULT_BACKEND)


def _uses_src_layout(ctx: Context) -> bool:
    sample = ctx.sample()
    with_src = sum(1 for p in sample if (ctx.root / p.path / "src").is_dir())
    return not sample or 2 * with_src >= len(sample)


def _python_floor(ctx: Context) -> str:
    version = ctx.workspace.runtime_version if ctx.workspace else None
    return f">={version}" if version else ">=3.10"


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _q(text: str) -> str:
    return json.dumps(text)


def _key(name: str) -> str:
    return name if name.replace("-", "").replace("_", "").isalnum() and name.isascii() else _q(name)
