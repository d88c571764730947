"""Lockfiles a base installs from: readable, and listing every workspace member.

The deps-base stages install with `--locked`, `--frozen-lockfile` or `npm ci`; a lockfile
those tools cannot read, or one that lacks a member (a crate added without `cargo
generate-lockfile`), fails only when the image builds. The scan says so first, naming the
file and the command that fixes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from bakegen.ecosystems import ECOSYSTEMS
from bakegen.errors import Problem
from bakegen.lockfiles.model import LockfileUnsure
from bakegen.model import Package, Workspace
from bakegen.tree import SourceTree
from bakegen.wording import listing


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
        ecosystem = ECOSYSTEMS.get(ws.ecosystem)
        if ecosystem is None or name not in ecosystem.regenerate:
            continue  # bun.lock(b), go.sum: no reader here
        try:
            text = tree.read_text(ws.lockfile)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            problems.append(Problem.error(ws.lockfile, f"cannot be read ({exc})"))
            continue
        fix = f"run `{ecosystem.regenerate[name]}`"
        try:
            locked = ecosystem.locked_members(name, text)
        except LockfileUnsure as exc:
            problems.append(Problem.error(ws.lockfile, f"is not a valid {name} ({exc}); {fix}"))
            continue
        if not locked:  # says nothing of members (None), or a stub recording none
            continue
        missing = sorted(n for n in members.get(ws.key, ()) if n not in locked)
        if missing:
            problems.append(Problem.warning(
                ws.lockfile, f"lacks workspace member {listing(missing)}, so the locked install "
                f"in the base image fails; {fix}"))
    return problems
