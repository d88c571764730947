"""Random workspaces for property tests: every ecosystem, hostile names, random dependency graphs.

A `Spec` is plain data (hypothesis shrinks it); `files(spec)` turns it into repository files.
Names and folders are drawn from alphabets mixing what registries accept with what breaks
naive writers: `${`, quotes, backslashes, newlines, spaces, `#`, `!`, glob characters, unicode.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from hypothesis import strategies as st

from bakegen.scan.services import names_no_service

#: (ecosystem, manager) pairs the generator knows how to lay out
LAYOUTS = (
    ("node", "npm"),
    ("node", "yarn-classic"),
    ("node", "yarn-berry"),
    ("node", "pnpm"),
    ("node", "bun"),
    ("cargo", "cargo"),
    ("python", "uv"),
    ("python", "pip"),
)
SAFE = "abcdefghijklmnopqrstuvwxyz0123456789-_"
HOSTILE = "${}\"'\\\n\t #!*?[]%@:;,=.éü☃\u2028"
#: folder names the file index never enters, or that are not names at all
_SKIPPED_FOLDERS = frozenset(
    {"", ".", "..", ".git", "node_modules", "target", ".venv", "venv", "dist", "__pycache__",
     ".yarn", ".pnpm-store", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".hg",
     ".svn", "docker"}
)


@dataclass(frozen=True)
class Pkg:
    """One package: its name, folder below the members' folder, dependencies (indexes into
    the spec's packages, self-loops and cycles allowed), and whether it is a service."""

    name: str
    folder: str
    deps: tuple[int, ...]
    service: bool
    dev_deps: tuple[int, ...] = ()


@dataclass(frozen=True)
class Spec:
    """A workspace of one layout, optionally under a subfolder, and its packages."""

    ecosystem: str
    manager: str
    packages: tuple[Pkg, ...]
    below: str = ""

    def path(self, rel: str) -> str:
        return f"{self.below}/{rel}" if self.below else rel


def names(hostile: bool = True) -> st.SearchStrategy[str]:
    """Package names: mostly plausible, sometimes hostile."""
    plain = st.from_regex(r"[a-z](?:[a-z0-9_-]{0,10}[a-z0-9])?", fullmatch=True)
    if not hostile:
        # a plain workspace's services are services: no name that says example, tool, test
        return plain.filter(lambda n: not names_no_service(n))
    nasty = st.text(SAFE + HOSTILE, min_size=1, max_size=12)
    scoped = st.builds(lambda s, n: f"@{s}/{n}", st.text(SAFE, min_size=1, max_size=5), nasty)
    return st.one_of(plain, plain, nasty, scoped)


def folders() -> st.SearchStrategy[str]:
    """Folder names the file system accepts (no `/`, no NUL, not too long)."""
    return st.text(SAFE + HOSTILE.replace("/", ""), min_size=1, max_size=10).filter(
        lambda f: f not in _SKIPPED_FOLDERS and "/" not in f and "\x00" not in f
    )


@st.composite
def specs(draw: st.DrawFn, hostile: bool = True, cycles: bool = True) -> Spec:
    """A random workspace: layout, 1-6 packages, a random graph (a DAG unless `cycles`)."""
    ecosystem, manager = draw(st.sampled_from(LAYOUTS))
    count = draw(st.integers(1, 6))
    allow_cycles = cycles and draw(st.booleans())
    pkg_names = draw(
        st.lists(names(hostile), min_size=count, max_size=count)
        if hostile
        else st.lists(names(False), min_size=count, max_size=count, unique_by=_canonical)
    )
    pkg_folders = draw(
        st.lists(folders() if hostile else st.text(SAFE, min_size=1, max_size=8).filter(
            lambda f: f not in _SKIPPED_FOLDERS and not names_no_service(f)),
                 min_size=count, max_size=count, unique=True)
    )
    packages = []
    for i in range(count):
        targets = st.integers(0, count - 1) if allow_cycles else (
            st.integers(0, i - 1) if i else st.nothing()
        )
        deps = tuple(sorted(set(draw(st.lists(targets, max_size=3))))) if i or allow_cycles else ()
        dev = tuple(sorted(set(draw(st.lists(targets, max_size=2))))) if i or allow_cycles else ()
        packages.append(Pkg(pkg_names[i], pkg_folders[i], deps, draw(st.booleans()), dev))
    if not any(p.service for p in packages):
        packages[-1] = Pkg(packages[-1].name, packages[-1].folder, packages[-1].deps, True,
                           packages[-1].dev_deps)
    below = draw(st.sampled_from(["", "", "", "sub dir", "mono$repo"])) if hostile else ""
    return Spec(ecosystem, manager, tuple(packages), below)


def _canonical(name: str) -> str:
    """One spelling per package whatever the ecosystem (PEP 503 is the strictest)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def toml_string(text: str) -> str:
    """A TOML basic string: JSON escapes are valid TOML except for astral characters."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def files(spec: Spec) -> dict[str, str]:
    """The repository files of a spec, as {relative path: text}."""
    layout = {"node": _node, "cargo": _cargo, "python": _python}[spec.ecosystem]
    return {spec.path(rel): text for rel, text in layout(spec).items()}


_LOCKFILES = {
    "npm": ("package-lock.json", '{"lockfileVersion": 3}\n'),
    "yarn-classic": ("yarn.lock", "# yarn lockfile v1\n"),
    "yarn-berry": ("yarn.lock", "__metadata:\n  version: 8\n"),
    "pnpm": ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
    "bun": ("bun.lock", "{}\n"),
}


def _node(spec: Spec) -> dict[str, str]:
    lockfile, lock_text = _LOCKFILES[spec.manager]
    root: dict[str, object] = {"name": "monorepo-root", "private": True}
    out: dict[str, str] = {lockfile: lock_text}
    if spec.manager == "pnpm":
        out["pnpm-workspace.yaml"] = "packages:\n  - 'packages/*'\n"
    else:
        root["workspaces"] = ["packages/*"]
    if spec.manager == "yarn-berry":
        root["packageManager"] = "yarn@4.5.0"
    out["package.json"] = json.dumps(root, indent=2) + "\n"
    for pkg in spec.packages:
        manifest: dict[str, object] = {"name": pkg.name, "version": "1.0.0"}
        if pkg.deps:
            manifest["dependencies"] = {spec.packages[d].name: "*" for d in pkg.deps}
        if pkg.dev_deps:
            manifest["devDependencies"] = {spec.packages[d].name: "*" for d in pkg.dev_deps}
        scripts = {"build": "node build.js"}
        if pkg.service:
            scripts["start"] = "node index.js"
        manifest["scripts"] = scripts
        out[f"packages/{pkg.folder}/package.json"] = json.dumps(manifest, indent=2) + "\n"
        out[f"packages/{pkg.folder}/index.js"] = "console.log('hello')\n"
    return out


def _cargo(spec: Spec) -> dict[str, str]:
    out = {
        "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n',
        "Cargo.lock": "version = 3\n",
    }
    for pkg in spec.packages:
        lines = ["[package]", f"name = {toml_string(pkg.name)}", 'version = "0.1.0"',
                 'edition = "2021"', "", "[dependencies]"]
        lines += [_path_dep(spec.packages[d]) for d in pkg.deps]
        lines += ["", "[dev-dependencies]"]
        lines += [_path_dep(spec.packages[d]) for d in pkg.dev_deps]
        out[f"crates/{pkg.folder}/Cargo.toml"] = "\n".join(lines) + "\n"
        main = "src/main.rs" if pkg.service else "src/lib.rs"
        out[f"crates/{pkg.folder}/{main}"] = "fn main() {}\n" if pkg.service else "\n"
    return out


def _path_dep(dep: Pkg) -> str:
    return f"{toml_string(dep.name)} = {{ path = {toml_string('../' + dep.folder)} }}"


def _python(spec: Spec) -> dict[str, str]:
    out: dict[str, str] = {}
    if spec.manager == "uv":
        out["pyproject.toml"] = '[tool.uv.workspace]\nmembers = ["libs/*"]\n'
        out["uv.lock"] = "version = 1\n"
    for pkg in spec.packages:
        deps = [spec.packages[d].name for d in pkg.deps]
        lines = ["[project]", f"name = {toml_string(pkg.name)}", 'version = "0.1.0"',
                 "dependencies = [" + ", ".join(toml_string(d) for d in deps) + "]"]
        if pkg.service:
            lines += ["", "[project.scripts]", f"{toml_string(pkg.name)} = \"app:main\""]
        if deps:
            lines += ["", "[tool.uv.sources]"]
            for d in pkg.deps:
                dep = spec.packages[d]
                if spec.manager == "uv":
                    lines.append(f"{toml_string(dep.name)} = {{ workspace = true }}")
                else:
                    lines.append(
                        f"{toml_string(dep.name)} = {{ path = {toml_string('../' + dep.folder)} }}"
                    )
        out[f"libs/{pkg.folder}/pyproject.toml"] = "\n".join(lines) + "\n"
        out[f"libs/{pkg.folder}/app.py"] = "def main():\n    pass\n"
    return out
