"""A seeded synthetic monorepo: Node (yarn classic + pnpm), Cargo and uv workspaces.

`design(n, seed)` decides everything (pure, fast, deterministic); `write_repo` puts it on
disk. The shape follows real monorepos rather than a uniform random graph:

* each workspace has a small *core* (about 2% of its packages) that many packages use
  (high fan-in), and the rest is split into *domains* of 20-60 packages whose members
  depend on earlier members of the same domain and on a few core packages, so closures
  stay in the tens, as in a layered codebase, instead of swallowing the whole repository;
* about 10% of the packages are deployable (Node `start` script, Rust `src/main.rs`,
  Python `[project.scripts]`) and nothing depends on a deployable package;
* third-party dependencies come from a per-workspace pool (popular ones drawn far more
  often) and the lockfiles hold every reachable pool entry, in the format the real tool
  writes: yarn.lock v1, pnpm-lock.yaml v9, Cargo.lock v4, uv.lock;
* `node_modules`, `target`, `.venv`, `__pycache__` and `dist` folders hold thousands of
  files (and symlinks, some pointing outside the repository) that a scanner must skip.

Run `python -m bench.synth 1000 /tmp/repo-1k` to write one.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import hashlib
import itertools
import json
import os
import random
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: bump when the output changes, so cached repositories are rebuilt
GENERATOR_VERSION = 4
MARKER = ".bench-synth.json"
DEPLOYABLE_RATIO = 0.10
DEV_EDGE_RATIO = 0.12
#: share of the packages in each workspace, in this order
SHARES = (("yarn", 0.35), ("pnpm", 0.20), ("cargo", 0.25), ("uv", 0.20))
ECOSYSTEM_OF = {"yarn": "node", "pnpm": "node", "cargo": "cargo", "uv": "python"}

_WORDS = (
    "auth", "billing", "cache", "catalog", "checkout", "config", "crypto", "data", "events",
    "feed", "files", "flags", "forms", "geo", "graph", "http", "i18n", "identity", "images",
    "inbox", "index", "infra", "jobs", "ledger", "logging", "mail", "maps", "media",
    "metrics", "models", "notify", "orders", "pay", "pdf", "pricing", "profile", "queue",
    "rates", "render", "reports", "rpc", "rules", "search", "session", "shipping", "sms",
    "social", "storage", "stream", "sync", "tasks", "tax", "theme", "tracing", "ui", "users",
    "video", "vault", "web", "workflow",
)
_NODE_POPULAR = (
    "react", "react-dom", "lodash", "express", "typescript", "zod", "axios", "dayjs", "uuid",
    "chalk", "commander", "debug", "ms", "semver", "yargs", "fastify", "pino", "dotenv",
    "jest", "eslint", "prettier", "vitest", "@types/node", "@types/react", "@babel/core",
    "@babel/runtime", "tslib", "rxjs", "graphql", "next", "webpack", "esbuild", "rollup",
    "vite", "postcss", "tailwindcss", "classnames", "date-fns", "immer", "redux",
    "@reduxjs/toolkit", "body-parser", "cors", "helmet", "jsonwebtoken", "bcryptjs",
    "ioredis", "pg", "mongoose", "nanoid", "glob", "minimatch", "picomatch", "fast-glob",
    "micromatch", "braces", "fill-range", "to-regex-range", "is-number",
)
_NODE_SCOPES = ("@types", "@babel", "@emotion", "@opentelemetry", "@aws-sdk", "@smithy",
                "@jest", "@sentry", "@radix-ui", "@tanstack")
_CARGO_POPULAR = (
    "serde", "serde_json", "serde_derive", "tokio", "anyhow", "thiserror", "tracing",
    "tracing-subscriber", "clap", "reqwest", "hyper", "axum", "tower", "futures", "bytes",
    "rand", "chrono", "uuid", "regex", "once_cell", "log", "env_logger", "itertools", "sqlx",
    "prost", "tonic", "async-trait", "parking_lot", "dashmap", "base64", "sha2", "hex", "url",
    "http", "mio", "libc", "proc-macro2", "quote", "syn", "cfg-if", "bitflags", "memchr",
    "smallvec",
)
_PYTHON_POPULAR = (
    "requests", "urllib3", "certifi", "idna", "charset-normalizer", "pydantic",
    "pydantic-core", "fastapi", "starlette", "uvicorn", "httpx", "anyio", "sniffio", "click",
    "rich", "typer", "sqlalchemy", "alembic", "numpy", "pandas", "python-dateutil", "pytz",
    "six", "attrs", "pyyaml", "jinja2", "markupsafe", "boto3", "botocore", "s3transfer",
    "jmespath", "structlog", "orjson", "redis", "celery", "pytest", "pluggy", "iniconfig",
    "packaging", "coverage", "mypy", "ruff", "typing-extensions", "annotated-types", "h11",
    "httpcore", "tenacity", "protobuf", "grpcio",
)
_PREFIXES = ("fast", "tiny", "micro", "simple", "super", "easy", "is", "get", "has", "to",
             "parse", "stream", "async", "pretty", "safe", "deep", "lazy", "smart")
_FILLER = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
    "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. "
) * 64


@dataclass(frozen=True, slots=True)
class ThirdParty:
    """One registry package of a workspace's pool; `deps` are indices into the same pool."""

    name: str
    version: str
    deps: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Member:
    """One package of a workspace.

    `deps` are (index of another member of the same workspace, "runtime" | "dev");
    `third_party` are (pool index, is-dev).
    """

    name: str
    path: str
    deployable: bool
    deps: tuple[tuple[int, str], ...]
    third_party: tuple[tuple[int, bool], ...]


@dataclass(frozen=True, slots=True)
class Layout:
    """One workspace: `kind` is yarn, pnpm, cargo or uv; `root` its folder."""

    kind: str
    root: str
    members: tuple[Member, ...]
    pool: tuple[ThirdParty, ...]
    #: pool indices of the root manifest's own dev tools (Node workspaces only)
    tools: tuple[int, ...] = ()

    @property
    def ecosystem(self) -> str:
        return ECOSYSTEM_OF[self.kind]

    def used_pool(self) -> list[int]:
        """Pool indices a lockfile holds: every direct use and what those need, sorted."""
        seen: set[int] = set()
        stack = [*self.tools, *(i for m in self.members for i, _ in m.third_party)]
        while stack:
            i = stack.pop()
            if i not in seen:
                seen.add(i)
                stack.extend(self.pool[i].deps)
        return sorted(seen, key=lambda i: (self.pool[i].name, i))


@dataclass(frozen=True, slots=True)
class SynthRepo:
    """A synthetic repository on disk and what a correct scan must find in it."""

    root: Path
    n: int
    seed: int
    layouts: tuple[Layout, ...]

    @property
    def package_count(self) -> int:
        return sum(len(lay.members) for lay in self.layouts)

    @property
    def service_count(self) -> int:
        return sum(m.deployable for lay in self.layouts for m in lay.members)

    def counts(self) -> dict[str, tuple[int, int]]:
        """ecosystem -> (packages, services)."""
        result: dict[str, tuple[int, int]] = {}
        for lay in self.layouts:
            pkgs, svcs = result.get(lay.ecosystem, (0, 0))
            result[lay.ecosystem] = (
                pkgs + len(lay.members), svcs + sum(m.deployable for m in lay.members)
            )
        return dict(sorted(result.items()))

    def edges(self) -> set[tuple[str, str, str]]:
        """Every internal edge as (ecosystem:from, ecosystem:to, kind)."""
        return {
            (f"{lay.ecosystem}:{m.name}", f"{lay.ecosystem}:{lay.members[j].name}", kind)
            for lay in self.layouts
            for m in lay.members
            for j, kind in m.deps
        }

    def stats(self) -> dict[str, float]:
        """Shape of the graph: mean fan-out, widest fan-in, leaf share, service closures."""
        fan_out, fan_in_max, leaves, closures = [], 0, 0, []
        for lay in self.layouts:
            deps = [[j for j, _ in m.deps] for m in lay.members]
            fan_in = [0] * len(deps)
            for targets in deps:
                fan_out.append(len(targets))
                for j in targets:
                    fan_in[j] += 1
            fan_in_max = max(fan_in_max, *fan_in)
            leaves += sum(1 for f in fan_in if f == 0)
            for i, member in enumerate(lay.members):
                if member.deployable:
                    closures.append(len(_closure(deps, i)))
        closures.sort()
        return {
            "fan_out_mean": sum(fan_out) / len(fan_out),
            "fan_in_max": fan_in_max,
            "leaves_pct": 100 * leaves / len(fan_out),
            "closure_median": closures[len(closures) // 2] if closures else 0,
            "closure_max": closures[-1] if closures else 0,
        }

    def a_library_source(self) -> str:
        """A source file of a core library (many dependents): the one-file change to test."""
        lay = self.layouts[0]
        member = next(m for m in lay.members if not m.deployable)
        return f"{member.path}/{_main_source(lay.kind, member)}"


def _closure(deps: list[list[int]], start: int) -> set[int]:
    seen: set[int] = set()
    stack = list(deps[start])
    while stack:
        j = stack.pop()
        if j not in seen:
            seen.add(j)
            stack.extend(deps[j])
    return seen


# --- design -----------------------------------------------------------------------------


def design(n: int, seed: int = 0) -> tuple[Layout, ...]:
    """Decide every workspace, package, edge and lockfile entry for `n` packages."""
    if n < len(SHARES):
        raise ValueError(f"need at least {len(SHARES)} packages, got {n}")
    sizes = [max(1, round(n * share)) for _, share in SHARES]
    sizes[0] += n - sum(sizes)
    rng = random.Random(f"bakegen-bench-{seed}")
    return tuple(
        _design_workspace(kind, size, random.Random(f"{rng.random()}-{kind}"))
        for (kind, _), size in zip(SHARES, sizes, strict=True)
    )


def _design_workspace(kind: str, m: int, rng: random.Random) -> Layout:
    pool = _design_pool(kind, min(4000, 250 + m // 2), rng)
    core = max(1, m // 50)
    deployable = [False] * m
    wanted = max(1, round(m * DEPLOYABLE_RATIO))
    for i in rng.sample(range(core, m) if m - core >= wanted else range(m), wanted):
        deployable[i] = True
    domain_start = _domains(m, core, rng)
    core_weights = list(itertools.accumulate(1.0 / (r + 1) for r in range(core)))
    pool_weights = list(itertools.accumulate(1.0 / (r + 1) ** 0.9 for r in range(len(pool))))
    names = _member_names(kind, m, deployable, core, rng)
    members = []
    for i in range(m):
        targets: set[int] = set()
        if i < core:
            earlier = [j for j in range(i) if not deployable[j]]
            targets.update(rng.sample(earlier, min(len(earlier), rng.choice((0, 1, 1, 2)))))
        else:
            local = [j for j in range(domain_start[i], i) if not deployable[j]]
            fan_out = rng.choices((0, 1, 2, 3, 4, 5, 6, 8), (15, 25, 25, 15, 10, 5, 3, 2))[0]
            fan_out += 2 if deployable[i] else 0
            targets.update(rng.sample(local, min(len(local), fan_out)))
            n_core = rng.choices((0, 1, 2, 3), (30, 45, 20, 5))[0]
            for _ in range(n_core):
                j = bisect.bisect(core_weights, rng.random() * core_weights[-1])
                if not deployable[j]:
                    targets.add(j)
        deps = tuple(
            (j, "dev" if rng.random() < DEV_EDGE_RATIO else "runtime") for j in sorted(targets)
        )
        third = {
            bisect.bisect(pool_weights, rng.random() * pool_weights[-1]): dev
            for dev in [False] * rng.randint(2, 8) + [True] * rng.randint(1, 4)
        }
        members.append(
            Member(
                name=names[i][0],
                path=names[i][1],
                deployable=deployable[i],
                deps=deps,
                third_party=tuple(sorted(third.items())),
            )
        )
    root = "frontend" if kind == "pnpm" else "."
    tool_names = {"yarn": ("eslint", "prettier", "typescript"), "pnpm": ("typescript",)}
    wanted_tools = set(tool_names.get(kind, ()))
    tools = tuple(i for i, tp in enumerate(pool) if tp.name in wanted_tools)
    return Layout(kind=kind, root=root, members=tuple(members), pool=pool, tools=tools)


def _domains(m: int, core: int, rng: random.Random) -> list[int]:
    """For every member, the index where its domain starts (core members: 0)."""
    start = [0] * m
    i = core
    while i < m:
        size = rng.randint(20, 60)
        for j in range(i, min(m, i + size)):
            start[j] = i
        i += size
    return start


def _member_names(
    kind: str, m: int, deployable: list[bool], core: int, rng: random.Random
) -> list[tuple[str, str]]:
    """(package name, repository path) of every member."""
    result = []
    for i in range(m):
        word = "core" if i < core else rng.choice(_WORDS)
        role = "svc" if deployable[i] else ("lib" if i >= core else "kit")
        base = f"{word}-{role}-{i}"
        if kind == "yarn":
            folder = "apps" if deployable[i] else "packages"
            result.append((f"@acme/{base}", f"{folder}/{base}"))
        elif kind == "pnpm":
            folder = "apps" if deployable[i] else "packages"
            result.append((f"@web/{base}", f"frontend/{folder}/{base}"))
        elif kind == "cargo":
            folder = "services" if deployable[i] else "crates"
            result.append((f"acme-{base}", f"{folder}/acme-{base}"))
        else:
            folder = "services" if deployable[i] else "libs"
            result.append((f"acme-py-{base}", f"python/{folder}/{base}"))
    return result


def _design_pool(kind: str, size: int, rng: random.Random) -> tuple[ThirdParty, ...]:
    eco = ECOSYSTEM_OF[kind]
    popular = {"node": _NODE_POPULAR, "cargo": _CARGO_POPULAR, "python": _PYTHON_POPULAR}[eco]
    names: list[str] = list(popular[:size])
    taken = set(names)
    counter = itertools.count()
    while len(names) < size:
        i = next(counter)
        word = _WORDS[i % len(_WORDS)]
        prefix = _PREFIXES[(i // len(_WORDS)) % len(_PREFIXES)]
        lap = i // (len(_WORDS) * len(_PREFIXES))
        if eco == "cargo":
            name = f"{prefix}_{word}" if i % 3 else f"{word}-{prefix}"
        elif eco == "python":
            name = f"py{prefix}-{word}" if i % 2 else f"{word}-{prefix}"
        elif i % 7 == 0:
            name = f"{_NODE_SCOPES[i % len(_NODE_SCOPES)]}/{prefix}-{word}"
        else:
            name = f"{prefix}-{word}"
        if lap:
            name = f"{name}{lap + 1}"
        if name not in taken:
            taken.add(name)
            names.append(name)
    pool = []
    for i, name in enumerate(names):
        later = range(i + 1, size)
        count = min(len(later), rng.choices((0, 1, 2, 3, 4), (30, 25, 20, 15, 10))[0])
        deps = tuple(sorted(rng.sample(later, count))) if count else ()
        major = rng.choices((0, 1, 2, 3, 4, 5, 7, 18), (20, 30, 15, 10, 8, 7, 5, 5))[0]
        version = f"{major}.{rng.randint(0, 30)}.{rng.randint(0, 20)}"
        pool.append(ThirdParty(name=name, version=version, deps=deps))
    return tuple(pool)


# --- writing ------------------------------------------------------------------------------


class _Writer:
    """Writes files below a root, creating folders once; counts files and bytes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dirs: set[str] = set()
        self.files = 0
        self.bytes = 0

    def write(self, rel: str, text: str) -> None:
        folder = rel.rpartition("/")[0]
        if folder and folder not in self.dirs:
            os.makedirs(self.root / folder, exist_ok=True)
            self.dirs.add(folder)
        data = text.encode("utf-8")
        with open(self.root / rel, "wb") as handle:
            handle.write(data)
        self.files += 1
        self.bytes += len(data)

    def symlink(self, rel: str, target: str) -> None:
        folder = rel.rpartition("/")[0]
        if folder and folder not in self.dirs:
            os.makedirs(self.root / folder, exist_ok=True)
            self.dirs.add(folder)
        os.symlink(target, self.root / rel)


def _filler(rng: random.Random, low: int, high: int, comment: str) -> str:
    size = rng.randint(low, high)
    start = rng.randint(0, 200)
    body = _FILLER[start : start + size]
    return "\n".join(f"{comment} {body[i : i + 96]}" for i in range(0, len(body), 96)) + "\n"


def _digest(kind: str, *parts: str) -> bytes:
    return hashlib.new(kind, "\x00".join(parts).encode()).digest()


def _main_source(kind: str, member: Member) -> str:
    if kind in ("yarn", "pnpm"):
        return "src/server.js" if member.deployable else "src/index.js"
    if kind == "cargo":
        return "src/main.rs" if member.deployable else "src/lib.rs"
    module = member.name.replace("-", "_")
    return f"src/{module}/__init__.py"


def write_repo(root: Path, layouts: Sequence[Layout], seed: int, noise_files: int) -> int:
    """Write the repository below `root` (which must be empty); returns the file count."""
    rng = random.Random(f"bakegen-bench-files-{seed}")
    out = _Writer(root)
    _write_root_files(out, rng)
    for lay in layouts:
        {"yarn": _write_yarn, "pnpm": _write_pnpm, "cargo": _write_cargo, "uv": _write_uv}[
            lay.kind
        ](out, lay, rng)
    _write_noise(out, layouts, noise_files, rng)
    return out.files


def _write_root_files(out: _Writer, rng: random.Random) -> None:
    out.write(".gitignore", "node_modules/\ntarget/\n.venv/\n__pycache__/\ndist/\n*.log\n"
              "coverage/\n.env\n")
    out.write(".dockerignore", "node_modules\ntarget\n.venv\n__pycache__\ndist\n.git\n.env*\n")
    out.write(".nvmrc", "20\n")
    out.write(".python-version", "3.12\n")
    out.write("rust-toolchain.toml", '[toolchain]\nchannel = "1.83"\n')
    out.write("README.md", "# acme monorepo (synthetic)\n\n" + _filler(rng, 800, 3000, ""))
    for i in range(12):
        out.write(f"docs/{_WORDS[i]}.md", f"# {_WORDS[i]}\n\n" + _filler(rng, 500, 6000, ""))
    out.write(".github/workflows/ci.yml", "name: ci\non: [push]\njobs:\n  test:\n"
              "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n")
    out.write("scripts/release.sh", "#!/bin/sh\nset -eu\necho release\n")


def _json(data: object) -> str:
    return json.dumps(data, indent=2) + "\n"


def _node_specifier(tp: ThirdParty) -> str:
    major = tp.version.split(".")[0]
    return f"^{tp.version}" if major != "0" else f"~{tp.version}"


def _node_member_manifest(lay: Layout, member: Member, internal_spec: str) -> str:
    deps: dict[str, str] = {}
    dev: dict[str, str] = {}
    for j, kind in member.deps:
        (dev if kind == "dev" else deps)[lay.members[j].name] = internal_spec
    for i, is_dev in member.third_party:
        (dev if is_dev else deps)[lay.pool[i].name] = _node_specifier(lay.pool[i])
    scripts = {"build": "node scripts/build.js", "lint": "eslint src", "test": "jest"}
    data: dict[str, object] = {
        "name": member.name,
        "version": "1.0.0",
        "private": True,
        "description": f"{member.name}: synthetic package for bakegen's benchmark",
        "main": "src/server.js" if member.deployable else "src/index.js",
        "license": "MIT",
    }
    if member.deployable:
        scripts["start"] = "node src/server.js"
    data["scripts"] = dict(sorted(scripts.items()))
    if deps:
        data["dependencies"] = dict(sorted(deps.items()))
    if dev:
        data["devDependencies"] = dict(sorted(dev.items()))
    return _json(data)


def _tool_specifiers(lay: Layout) -> dict[str, str]:
    return dict(sorted((lay.pool[i].name, _node_specifier(lay.pool[i])) for i in lay.tools))


def _write_node_sources(out: _Writer, member: Member, rng: random.Random) -> None:
    out.write(f"{member.path}/README.md", f"# {member.name}\n\n" + _filler(rng, 200, 1500, ""))
    out.write(f"{member.path}/src/index.js", _filler(rng, 300, 4000, "//"))
    if member.deployable:
        out.write(f"{member.path}/src/server.js",
                  "const http = require('http');\nhttp.createServer((q, s) => s.end('ok'))"
                  ".listen(process.env.PORT || 3000);\n")
    for k in range(rng.randint(0, 3)):
        out.write(f"{member.path}/src/{_WORDS[k * 7 % len(_WORDS)]}.js",
                  _filler(rng, 300, 3000, "//"))
    out.write(f"{member.path}/scripts/build.js", "console.log('build');\n")
    out.write(f"{member.path}/test/index.test.js", _filler(rng, 200, 1500, "//"))
    if rng.random() < 0.05:
        out.write(f"{member.path}/.gitignore", "coverage/\n*.tsbuildinfo\n")


def _write_yarn(out: _Writer, lay: Layout, rng: random.Random) -> None:
    out.write("package.json", _json({
        "name": "acme-monorepo",
        "private": True,
        "packageManager": "yarn@1.22.22",
        "workspaces": ["apps/*", "packages/*"],
        "engines": {"node": ">=20"},
        "devDependencies": _tool_specifiers(lay),
    }))
    for member in lay.members:
        out.write(f"{member.path}/package.json", _node_member_manifest(lay, member, "1.0.0"))
        _write_node_sources(out, member, rng)
    out.write("yarn.lock", yarn_lock(lay))


def _yarn_key(text: str) -> str:
    wrap = (not text[:1].isalpha()) or any(c in text for c in ':\t\n\\",[] ')
    return json.dumps(text) if wrap else text


def yarn_lock(lay: Layout) -> str:
    """yarn.lock v1 of the workspace's third-party packages (members are not listed)."""
    specs: dict[int, set[str]] = {}
    for member in lay.members:
        for i, _ in member.third_party:
            specs.setdefault(i, set()).add(_node_specifier(lay.pool[i]))
    for i in lay.tools:
        specs.setdefault(i, set()).add(_node_specifier(lay.pool[i]))
    for tp in lay.pool:
        for d in tp.deps:
            specs.setdefault(d, set()).add(_node_specifier(lay.pool[d]))
    lines = ["# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.",
             "# yarn lockfile v1", "", ""]
    for i in lay.used_pool():
        tp = lay.pool[i]
        keys = ", ".join(_yarn_key(f"{tp.name}@{s}") for s in sorted(specs.get(i, {"*"})))
        sha1 = _digest("sha1", tp.name, tp.version).hex()
        integrity = base64.b64encode(_digest("sha512", tp.name, tp.version)).decode()
        bare = tp.name.rpartition("/")[2]
        lines += [
            f"{keys}:",
            f'  version "{tp.version}"',
            f'  resolved "https://registry.yarnpkg.com/{tp.name}/-/{bare}-{tp.version}.tgz#{sha1}"',
            f"  integrity sha512-{integrity}",
        ]
        if tp.deps:
            lines.append("  dependencies:")
            for d in sorted(tp.deps, key=lambda d: lay.pool[d].name):
                dep = lay.pool[d]
                lines.append(f"    {_yarn_key(dep.name)} {json.dumps(_node_specifier(dep))}")
        lines.append("")
    return "\n".join(lines)


def _write_pnpm(out: _Writer, lay: Layout, rng: random.Random) -> None:
    out.write("frontend/package.json", _json({
        "name": "acme-frontend",
        "private": True,
        "packageManager": "pnpm@9.12.0",
        "devDependencies": _tool_specifiers(lay),
    }))
    out.write("frontend/pnpm-workspace.yaml", "packages:\n  - 'apps/*'\n  - 'packages/*'\n")
    out.write("frontend/.npmrc", "auto-install-peers=true\nstrict-peer-dependencies=false\n")
    for member in lay.members:
        out.write(f"{member.path}/package.json",
                  _node_member_manifest(lay, member, "workspace:*"))
        _write_node_sources(out, member, rng)
    out.write("frontend/pnpm-lock.yaml", pnpm_lock(lay))


def _yaml_key(text: str) -> str:
    return f"'{text}'" if text[:1] in "@'\"!&*" or ":" in text else text


def pnpm_lock(lay: Layout) -> str:
    """pnpm-lock.yaml v9: importers for the root and every member, packages, snapshots."""
    lines = ["lockfileVersion: '9.0'", "", "settings:", "  autoInstallPeers: true",
             "  excludeLinksFromLockfile: false", "", "importers:", "", "  .:",
             "    devDependencies:"]
    for i in sorted(lay.tools, key=lambda i: lay.pool[i].name):
        tp = lay.pool[i]
        lines += [f"      {_yaml_key(tp.name)}:", f"        specifier: {_node_specifier(tp)}",
                  f"        version: {tp.version}"]
    lines.append("")
    root = lay.root
    for member in sorted(lay.members, key=lambda m: m.path):
        rel = member.path[len(root) + 1 :]
        lines.append(f"  {rel}:")
        groups: dict[str, list[tuple[str, str, str]]] = {}
        for j, kind in member.deps:
            other = lay.members[j]
            link = os.path.relpath(other.path, member.path)
            group = "devDependencies" if kind == "dev" else "dependencies"
            groups.setdefault(group, []).append((other.name, "workspace:*", f"link:{link}"))
        for i, is_dev in member.third_party:
            tp = lay.pool[i]
            group = "devDependencies" if is_dev else "dependencies"
            groups.setdefault(group, []).append((tp.name, _node_specifier(tp), tp.version))
        for group in sorted(groups):
            lines.append(f"    {group}:")
            for name, spec, version in sorted(groups[group]):
                lines += [f"      {_yaml_key(name)}:", f"        specifier: {spec}",
                          f"        version: {version}"]
        lines.append("")
    used = lay.used_pool()
    lines += ["packages:", ""]
    for i in used:
        tp = lay.pool[i]
        integrity = base64.b64encode(_digest("sha512", tp.name, tp.version)).decode()
        lines += [f"  {_yaml_key(f'{tp.name}@{tp.version}')}:",
                  f"    resolution: {{integrity: sha512-{integrity}}}",
                  "    engines: {node: '>=14'}", ""]
    lines += ["snapshots:", ""]
    for i in used:
        tp = lay.pool[i]
        key = _yaml_key(f"{tp.name}@{tp.version}")
        if not tp.deps:
            lines += [f"  {key}: {{}}", ""]
            continue
        lines += [f"  {key}:", "    dependencies:"]
        for d in sorted(tp.deps, key=lambda d: lay.pool[d].name):
            lines.append(f"      {_yaml_key(lay.pool[d].name)}: {lay.pool[d].version}")
        lines.append("")
    return "\n".join(lines)


def _write_cargo(out: _Writer, lay: Layout, rng: random.Random) -> None:
    shared = [lay.pool[i] for i in range(min(25, len(lay.pool)))]
    core_members = [m for m in lay.members if "-core-" in m.name]
    lines = ["[workspace]", 'resolver = "2"', 'members = ["crates/*", "services/*"]', "",
             "[workspace.package]", 'version = "0.1.0"', 'edition = "2021"',
             'rust-version = "1.83"', 'license = "MIT"', "", "[workspace.dependencies]"]
    lines += [f'{m.name} = {{ path = "{m.path}" }}' for m in core_members]
    lines += [f'{tp.name} = "{tp.version}"' for tp in shared]
    out.write("Cargo.toml", "\n".join(lines) + "\n")
    shared_names = {tp.name for tp in shared}
    core_names = {m.name for m in core_members}
    for member in lay.members:
        out.write(f"{member.path}/Cargo.toml",
                  _cargo_manifest(lay, member, shared_names, core_names))
        out.write(f"{member.path}/README.md",
                  f"# {member.name}\n\n" + _filler(rng, 200, 1500, ""))
        out.write(f"{member.path}/{_main_source('cargo', member)}",
                  "fn main() {}\n" if member.deployable else _filler(rng, 300, 5000, "//"))
        for k in range(rng.randint(0, 3)):
            out.write(f"{member.path}/src/{_WORDS[k * 11 % len(_WORDS)]}.rs",
                      _filler(rng, 300, 5000, "//"))
        if rng.random() < 0.3:
            out.write(f"{member.path}/tests/it.rs", _filler(rng, 200, 2000, "//"))
    out.write("Cargo.lock", cargo_lock(lay))


def _cargo_manifest(
    lay: Layout, member: Member, shared: set[str], core: set[str]
) -> str:
    lines = ["[package]", f'name = "{member.name}"', "version.workspace = true",
             "edition.workspace = true", "license.workspace = true", "publish = false", ""]
    sections: dict[str, list[str]] = {"dependencies": [], "dev-dependencies": []}
    for j, kind in member.deps:
        other = lay.members[j]
        section = "dev-dependencies" if kind == "dev" else "dependencies"
        if other.name in core:
            sections[section].append(f"{other.name} = {{ workspace = true }}")
        else:
            rel = os.path.relpath(other.path, member.path)
            sections[section].append(f'{other.name} = {{ path = "{rel}" }}')
    for i, is_dev in member.third_party:
        tp = lay.pool[i]
        section = "dev-dependencies" if is_dev else "dependencies"
        if tp.name in shared:
            sections[section].append(f"{tp.name} = {{ workspace = true }}")
        else:
            sections[section].append(f'{tp.name} = "{tp.version}"')
    for section, entries in sections.items():
        lines += [f"[{section}]", *sorted(entries), ""]
    return "\n".join(lines)


def cargo_lock(lay: Layout) -> str:
    """Cargo.lock v4: workspace crates and every reachable registry crate, sorted."""
    entries: list[tuple[str, list[str]]] = []
    for member in lay.members:
        deps = sorted({lay.members[j].name for j, _ in member.deps}
                      | {lay.pool[i].name for i, _ in member.third_party})
        body = [f'name = "{member.name}"', 'version = "0.1.0"']
        entries.append((member.name, body + _toml_list("dependencies", deps, " ")))
    for i in lay.used_pool():
        tp = lay.pool[i]
        body = [f'name = "{tp.name}"', f'version = "{tp.version}"',
                'source = "registry+https://github.com/rust-lang/crates.io-index"',
                f'checksum = "{_digest("sha256", tp.name, tp.version).hex()}"']
        deps = sorted(lay.pool[d].name for d in tp.deps)
        entries.append((tp.name, body + _toml_list("dependencies", deps, " ")))
    lines = ["# This file is automatically @generated by Cargo.",
             "# It is not intended for manual editing.", "version = 4"]
    for _, body in sorted(entries, key=lambda e: e[0]):
        lines += ["", "[[package]]", *body]
    return "\n".join(lines) + "\n"


def _toml_list(key: str, items: Iterable[str], indent: str) -> list[str]:
    values = list(items)
    if not values:
        return []
    return [f"{key} = [", *(f'{indent}"{v}",' for v in values), "]"]


def _write_uv(out: _Writer, lay: Layout, rng: random.Random) -> None:
    out.write("pyproject.toml", "# Virtual uv workspace root: the packages live under python/.\n"
              "[tool.uv.workspace]\n"
              'members = ["python/libs/*", "python/services/*"]\n')
    for member in lay.members:
        module = member.name.replace("-", "_")
        out.write(f"{member.path}/pyproject.toml", _uv_manifest(lay, member))
        out.write(f"{member.path}/README.md",
                  f"# {member.name}\n\n" + _filler(rng, 200, 1500, ""))
        out.write(f"{member.path}/src/{module}/__init__.py", _filler(rng, 200, 3000, "#"))
        if member.deployable:
            out.write(f"{member.path}/src/{module}/__main__.py",
                      "def main() -> None:\n    print('ok')\n\n\nif __name__ == '__main__':\n"
                      "    main()\n")
        for k in range(rng.randint(0, 3)):
            out.write(f"{member.path}/src/{module}/{_WORDS[k * 13 % len(_WORDS)]}.py",
                      _filler(rng, 300, 4000, "#"))
        out.write(f"{member.path}/tests/test_{module}.py", _filler(rng, 200, 1500, "#"))
    out.write("uv.lock", uv_lock(lay))


def _uv_manifest(lay: Layout, member: Member) -> str:
    module = member.name.replace("-", "_")
    runtime = [lay.members[j].name for j, k in member.deps if k == "runtime"]
    dev = [lay.members[j].name for j, k in member.deps if k == "dev"]
    runtime += [f"{lay.pool[i].name}>={lay.pool[i].version}"
                for i, d in member.third_party if not d]
    dev += [f"{lay.pool[i].name}>={lay.pool[i].version}" for i, d in member.third_party if d]
    lines = ["[project]", f'name = "{member.name}"', 'version = "0.1.0"',
             f'description = "{member.name}: synthetic package for bakegen\'s benchmark"',
             'readme = "README.md"', 'requires-python = ">=3.11"']
    lines += _toml_list("dependencies", sorted(runtime), "    ")
    lines.append("")
    if member.deployable:
        lines += ["[project.scripts]", f'{member.name} = "{module}.__main__:main"', ""]
    if dev:
        lines += ["[dependency-groups]", *_toml_list("dev", sorted(dev), "    "), ""]
    internal = sorted(lay.members[j].name for j, _ in member.deps)
    if internal:
        lines += ["[tool.uv.sources]", *(f"{n} = {{ workspace = true }}" for n in internal), ""]
    lines += ["[build-system]", 'requires = ["hatchling"]', 'build-backend = "hatchling.build"',
              "", "[tool.hatch.build.targets.wheel]", f'packages = ["src/{module}"]', ""]
    return "\n".join(lines)


def uv_lock(lay: Layout) -> str:
    """uv.lock (version 1, revision 3): members as editable sources, registry packages."""
    lines = ["version = 1", "revision = 3", 'requires-python = ">=3.11"', "", "[manifest]",
             *_toml_list("members", sorted(m.name for m in lay.members), "    ")]
    entries: list[tuple[str, list[str]]] = []
    for member in lay.members:
        body = [f'name = "{member.name}"', 'version = "0.1.0"',
                f'source = {{ editable = "{member.path}" }}']
        runtime = sorted({lay.members[j].name for j, k in member.deps if k == "runtime"}
                         | {lay.pool[i].name for i, d in member.third_party if not d})
        dev = sorted({lay.members[j].name for j, k in member.deps if k == "dev"}
                     | {lay.pool[i].name for i, d in member.third_party if d})
        if runtime:
            body += ["dependencies = [", *(f'    {{ name = "{n}" }},' for n in runtime), "]"]
        if dev:
            body += ["", "[package.dev-dependencies]", "dev = [",
                     *(f'    {{ name = "{n}" }},' for n in dev), "]"]
        body += ["", "[package.metadata]", "requires-dist = ["]
        for j, kind in member.deps:
            if kind == "runtime":
                other = lay.members[j]
                body.append(f'    {{ name = "{other.name}", editable = "{other.path}" }},')
        for i, is_dev in member.third_party:
            if not is_dev:
                tp = lay.pool[i]
                body.append(f'    {{ name = "{tp.name}", specifier = ">={tp.version}" }},')
        body.append("]")
        entries.append((member.name, body))
    for i in lay.used_pool():
        tp = lay.pool[i]
        sha = _digest("sha256", tp.name, tp.version).hex()
        wheel_sha = _digest("sha256", tp.name, tp.version, "wheel").hex()
        stem = tp.name.replace("-", "_")
        url = f"https://files.pythonhosted.org/packages/{sha[:2]}/{sha[2:4]}/{sha[4:60]}"
        body = [f'name = "{tp.name}"', f'version = "{tp.version}"',
                'source = { registry = "https://pypi.org/simple" }']
        deps = sorted(lay.pool[d].name for d in tp.deps)
        if deps:
            body += ["dependencies = [", *(f'    {{ name = "{n}" }},' for n in deps), "]"]
        body += [
            f'sdist = {{ url = "{url}/{stem}-{tp.version}.tar.gz", hash = "sha256:{sha}", '
            f"size = {int(sha[:5], 16)} }}",
            "wheels = [",
            f'    {{ url = "{url}/{stem}-{tp.version}-py3-none-any.whl", '
            f'hash = "sha256:{wheel_sha}", size = {int(wheel_sha[:5], 16)} }},',
            "]",
        ]
        entries.append((tp.name, body))
    for _, body in sorted(entries, key=lambda e: e[0]):
        lines += ["", "[[package]]", *body]
    return "\n".join(lines) + "\n"


def _write_noise(
    out: _Writer, layouts: Sequence[Layout], budget: int, rng: random.Random
) -> None:
    """node_modules, target, .venv, __pycache__ and dist folders no scanner may enter."""
    by_kind = {lay.kind: lay for lay in layouts}
    shares = (("yarn", 0.25), ("pnpm", 0.15), ("cargo", 0.3), ("uv", 0.3))
    for kind, share in shares:
        lay = by_kind[kind]
        quota = int(budget * share)
        writer = {"yarn": _noise_node, "pnpm": _noise_pnpm, "cargo": _noise_target,
                  "uv": _noise_venv}[kind]
        writer(out, lay, quota, rng)
    # build outputs and byte code inside packages: skipped by name everywhere
    for lay in layouts:
        for member in lay.members[:: max(1, len(lay.members) // 20)]:
            if lay.ecosystem == "node":
                out.write(f"{member.path}/dist/index.js", _filler(rng, 200, 2000, "//"))
            elif lay.ecosystem == "python":
                module = member.name.replace("-", "_")
                out.write(f"{member.path}/src/{module}/__pycache__/__init__.cpython-312.pyc",
                          "\x00pyc\n" * 50)


def _cycle(items: Sequence[ThirdParty]) -> Iterable[tuple[int, ThirdParty]]:
    for lap in itertools.count():
        for tp in items:
            yield lap, tp


def _noise_node(out: _Writer, lay: Layout, quota: int, rng: random.Random) -> None:
    written = 0
    for lap, tp in _cycle(lay.pool):
        if written >= quota:
            break
        base = f"node_modules/{tp.name}" if not lap else f"node_modules/{tp.name}/lib/v{lap}"
        out.write(f"{base}/package.json", _json({"name": tp.name, "version": tp.version}))
        out.write(f"{base}/index.js", _filler(rng, 100, 2000, "//"))
        out.write(f"{base}/README.md", _filler(rng, 100, 800, ""))
        written += 3
    out.write("node_modules/.yarn-integrity", "{}\n")
    # workspace members are linked into node_modules, as yarn does
    for member in lay.members[:50]:
        out.symlink(f"node_modules/{member.name}", os.path.relpath(
            member.path, os.path.dirname(f"node_modules/{member.name}")))


def _noise_pnpm(out: _Writer, lay: Layout, quota: int, rng: random.Random) -> None:
    written = 0
    for lap, tp in _cycle(lay.pool):
        if written >= quota:
            break
        store = f"frontend/node_modules/.pnpm/{tp.name.replace('/', '+')}@{tp.version}"
        base = f"{store}/node_modules/{tp.name}" + (f"/lib/v{lap}" if lap else "")
        out.write(f"{base}/package.json", _json({"name": tp.name, "version": tp.version}))
        out.write(f"{base}/index.js", _filler(rng, 100, 2000, "//"))
        written += 2
        if not lap:
            link = f"frontend/node_modules/{tp.name}"
            out.symlink(link, os.path.relpath(f"{store}/node_modules/{tp.name}",
                                              os.path.dirname(link)))
    for member in lay.members:
        for j, _ in member.deps[:2]:
            other = lay.members[j]
            link = f"{member.path}/node_modules/{other.name}"
            out.symlink(link, os.path.relpath(other.path, os.path.dirname(link)))
        # a link to a folder outside the repository, never to be followed
        if member.deps:
            out.symlink(f"{member.path}/node_modules/.bin-outside", "/usr/bin")


def _noise_target(out: _Writer, lay: Layout, quota: int, rng: random.Random) -> None:
    written = 0
    crates = [*(tp.name for tp in lay.pool), *(m.name for m in lay.members)]
    for lap, name in ((lap, n) for lap in itertools.count() for n in crates):
        if written >= quota:
            break
        stem = name.replace("-", "_")
        tag = hashlib.sha1(f"{name}{lap}".encode()).hexdigest()[:16]
        profile = "release" if lap % 2 else "debug"
        out.write(f"target/{profile}/deps/lib{stem}-{tag}.rlib", "\x7fELF" + "\x00" * 512)
        out.write(f"target/{profile}/deps/{stem}-{tag}.d", f"{stem}.rs: src/lib.rs\n")
        out.write(f"target/{profile}/.fingerprint/{stem}-{tag}/lib-{stem}.json", "{}\n")
        written += 3
    out.write("target/CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n")


def _noise_venv(out: _Writer, lay: Layout, quota: int, rng: random.Random) -> None:
    site = ".venv/lib/python3.12/site-packages"
    out.write(".venv/pyvenv.cfg", "home = /usr/bin\nversion_info = 3.12.3\n")
    out.symlink(".venv/bin/python", "/usr/bin/python3")
    written = 0
    for lap, tp in _cycle(lay.pool):
        if written >= quota:
            break
        module = tp.name.replace("-", "_")
        if lap:
            module = f"{module}/sub{lap}"
        out.write(f"{site}/{module}/__init__.py", _filler(rng, 100, 2000, "#"))
        out.write(f"{site}/{module}/core.py", _filler(rng, 100, 2000, "#"))
        if not lap:
            info = f"{site}/{tp.name.replace('-', '_')}-{tp.version}.dist-info"
            out.write(f"{info}/METADATA", f"Name: {tp.name}\nVersion: {tp.version}\n")
            out.write(f"{info}/RECORD", f"{module}/__init__.py,,\n")
            written += 2
        written += 2


# --- entry points -------------------------------------------------------------------------


def default_noise(n: int) -> int:
    """Noise files for `n` packages: thousands, growing with the repository."""
    return max(3000, 2 * n)


def generate(
    n: int, dest: Path, seed: int = 0, noise_files: int | None = None
) -> SynthRepo:
    """Write a synthetic repository of `n` packages into `dest` (created; must be empty)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise FileExistsError(f"{dest}: not empty")
    layouts = design(n, seed)
    noise = default_noise(n) if noise_files is None else noise_files
    files = write_repo(dest, layouts, seed, noise)
    marker = {"version": GENERATOR_VERSION, "n": n, "seed": seed, "noise": noise,
              "files": files}
    (dest / MARKER).write_text(json.dumps(marker) + "\n")
    return SynthRepo(root=dest.resolve(), n=n, seed=seed, layouts=layouts)


def ensure(n: int, cache: Path, seed: int = 0) -> SynthRepo:
    """The repository of `n` packages below `cache`, written only when missing or stale."""
    dest = Path(cache) / f"synth-{n}-s{seed}"
    try:
        marker = json.loads((dest / MARKER).read_text())
    except (OSError, ValueError):
        marker = None
    expected = {"version": GENERATOR_VERSION, "n": n, "seed": seed, "noise": default_noise(n)}
    if marker is not None and all(marker.get(k) == v for k, v in expected.items()):
        return SynthRepo(root=dest.resolve(), n=n, seed=seed, layouts=design(n, seed))
    if dest.exists():
        shutil.rmtree(dest)
    return generate(n, dest, seed)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.synth N DEST [--seed S] [--noise K]`."""
    parser = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of packages")
    parser.add_argument("dest", type=Path, help="folder to create (must be empty)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise", type=int, default=None, help="noise files to write")
    args = parser.parse_args(argv)
    repo = generate(args.n, args.dest, args.seed, args.noise)
    counts = ", ".join(f"{eco} {p}/{s}" for eco, (p, s) in repo.counts().items())
    print(f"{repo.root}: {repo.package_count} packages, {repo.service_count} services "
          f"(packages/services: {counts}), {len(repo.edges())} internal edges")
    return 0


if __name__ == "__main__":
    sys.exit(main())
