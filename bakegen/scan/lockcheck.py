"""Lockfiles a base installs from: readable, and listing every workspace member.

The deps-base stages install with `--locked`, `--frozen-lockfile` or `npm ci`; a lockfile
those tools cannot read, or one that lacks a member (a crate added without `cargo
generate-lockfile`), fails only when the image builds. The scan says so first, naming the
file and the command that fixes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bakegen import tomlparse
from bakegen.ecosystems.node.lockfile import classic_blocks
from bakegen.ecosystems.python.pep import normalize_name
from bakegen.errors import Problem
from bakegen.lockfiles.model import LockfileUnsure
from bakegen.lockfiles.yamlload import load_yaml
from bakegen.model import Package, Workspace
from bakegen.tree import SourceTree
from bakegen.wording import listing

#: the command that writes each lockfile again
REGENERATE = {
    "Cargo.lock": "cargo generate-lockfile",
    "uv.lock": "uv lock",
    "poetry.lock": "poetry lock",
    "package-lock.json": "npm install",
    "npm-shrinkwrap.json": "npm install",
    "yarn.lock": "yarn install",
    "pnpm-lock.yaml": "pnpm install",
}


def lockfile_problems(
    tree: SourceTree, workspaces: Iterable[Workspace], packages: Iterable[Package]
) -> list[Problem]:
    """An error for each lockfile that cannot be read, a warning for each that lacks a
    member of its workspace."""
    members: dict[str, list[str]] = {}
    for pkg in packages:
        members.setdefault(f"{pkg.ecosystem}:{pkg.workspace}", []).append(pkg.name)
    problems = []
    for ws in workspaces:
        if ws.lockfile is None:
            continue
        name = ws.lockfile.rsplit("/", 1)[-1]
        if name not in REGENERATE:
            continue  # bun.lock(b): no reader here
        try:
            text = tree.read_text(ws.lockfile)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            problems.append(Problem.error(ws.lockfile, f"cannot be read ({exc})"))
            continue
        fix = f"run `{REGENERATE[name]}`"
        try:
            locked = _locked_members(name, text)
        except LockfileUnsure as exc:
            problems.append(Problem.error(ws.lockfile, f"is not a valid {name} ({exc}); {fix}"))
            continue
        if not locked:  # says nothing of members (None), or a stub recording none
            continue
        missing = sorted(n for n in members.get(ws.key, ()) if _norm(name, n) not in locked)
        if missing:
            problems.append(Problem.warning(
                ws.lockfile, f"lacks workspace member {listing(missing)}, so the locked install "
                f"in the base image fails; {fix}"))
    return problems


def _norm(lockfile: str, name: str) -> str:
    return normalize_name(name) if lockfile == "uv.lock" else name


def _locked_members(name: str, text: str) -> set[str] | None:
    """The members a lockfile records (None when it does not say), or LockfileUnsure when
    it cannot be read at all."""
    if name in ("Cargo.lock", "uv.lock", "poetry.lock"):
        return _toml_members(name, text)
    if name in ("package-lock.json", "npm-shrinkwrap.json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LockfileUnsure(f"invalid JSON at line {exc.lineno}") from exc
        if not isinstance(data, dict):
            raise LockfileUnsure("not a JSON object")
        return None
    if name == "yarn.lock" and "\n__metadata:" not in f"\n{text}":
        classic_blocks(text)
        return None
    if not isinstance(load_yaml(text), (dict, type(None))):
        raise LockfileUnsure("not a YAML mapping")
    return None


def _toml_members(name: str, text: str) -> set[str] | None:
    try:
        data = tomlparse.loads(text)
    except tomlparse.TOMLDecodeError as exc:
        raise LockfileUnsure(f"invalid TOML: {exc}") from exc
    entries: Any = data.get("package", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise LockfileUnsure("[[package]] is not a list of tables")
    if name == "Cargo.lock":  # members are the crates without a registry or git source
        return {e["name"] for e in entries if isinstance(e.get("name"), str)
                and "source" not in e}
    if name == "uv.lock":  # members are editable or virtual (uv marks the root as well)
        return {normalize_name(e["name"]) for e in entries if isinstance(e.get("name"), str)
                and isinstance(e.get("source"), dict)
                and {"editable", "virtual"} & set(e["source"])}
    return None
