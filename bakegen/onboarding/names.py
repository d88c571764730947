"""Package name rules: npm (validate-npm-package-name), Cargo crates, PEP 508 projects.

Each check returns why a name is refused, or None when it is fine for a new package.
"""

from __future__ import annotations

import keyword
import re
import sys

_NPM_PART = re.compile(r"[a-z0-9-][a-z0-9._-]*")
_NPM_MAX = 214
#: Node's built-in modules: a package named like one could never be `require`d
NODE_BUILTINS = frozenset({
    "assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants",
    "crypto", "dgram", "diagnostics_channel", "dns", "domain", "events", "fs", "http", "http2",
    "https", "inspector", "module", "net", "os", "path", "perf_hooks", "process", "punycode",
    "querystring", "readline", "repl", "stream", "string_decoder", "sys", "timers", "tls",
    "trace_events", "tty", "url", "util", "v8", "vm", "wasi", "worker_threads", "zlib",
})
_NPM_RESERVED = frozenset({"node_modules", "favicon.ico"})

_CRATE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_CRATE_MAX = 64
_RUST_KEYWORDS = frozenset({
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
})
#: names cargo refuses: built-in libraries, its own build folders, Windows device names
_CARGO_RESERVED = frozenset({
    "alloc", "core", "proc_macro", "proc-macro", "std", "test", "build", "deps", "examples",
    "incremental", "con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
})

_PEP508 = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


def npm_name_problem(name: str) -> str | None:
    """Why npm refuses `name` for a new package (lowercase, URL-safe, `@scope/name`)."""
    if not name:
        return "a package name must not be empty"
    if len(name) > _NPM_MAX:
        return f"an npm package name has at most {_NPM_MAX} characters"
    scope, sep, bare = name[1:].partition("/") if name.startswith("@") else ("", "", name)
    if name.startswith("@") and (not sep or not scope or not bare):
        return 'a scoped npm name looks like "@scope/name"'
    for part in (scope, bare) if sep else (bare,):
        if part.lower() != part:
            return "an npm package name must be lowercase"
        if not _NPM_PART.fullmatch(part):
            return (
                "an npm package name uses only a-z, 0-9, '-', '.' and '_', "
                "and does not start with '.' or '_'"
            )
    if not sep and bare in NODE_BUILTINS:
        return f'"{bare}" is a Node built-in module name'
    if not sep and bare in _NPM_RESERVED:
        return f'"{bare}" is a reserved npm name'
    return None


def crate_name_problem(name: str) -> str | None:
    """Why cargo refuses `name` for a new binary crate."""
    if not name:
        return "a crate name must not be empty"
    if len(name) > _CRATE_MAX:
        return f"a crate name has at most {_CRATE_MAX} characters"
    if name[0].isdigit():
        return "a crate name must not start with a digit"
    if not _CRATE.fullmatch(name):
        return "a crate name uses only ASCII letters, digits, '-' and '_'"
    if name in _RUST_KEYWORDS:
        return f'"{name}" is a Rust keyword'
    if name.lower() in _CARGO_RESERVED:
        return f'"{name}" is reserved by cargo (built-in library, build folder or device name)'
    return None


def python_name_problem(name: str) -> str | None:
    """Why `name` cannot be a new project: PEP 508, and its import package must be usable."""
    if not _PEP508.fullmatch(name):
        return (
            "a Python project name uses only letters, digits, '-', '_' and '.', and starts "
            "and ends with a letter or digit (PEP 508)"
        )
    module = module_name(name)
    if not module.isidentifier() or keyword.iskeyword(module):
        return f'its import package "{module}" would not be a valid Python identifier'
    if module in sys.stdlib_module_names:
        return f'its import package "{module}" would shadow the standard library module'
    return None


def module_name(name: str) -> str:
    """The import package of a project: `acme-billing` -> `acme_billing`."""
    return re.sub(r"[-_.]+", "_", name).lower()


def unscoped(name: str) -> str:
    """`@acme/api` -> `api`; other names unchanged."""
    return name.rsplit("/", 1)[-1]
