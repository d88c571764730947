"""`package-lock.json` / `npm-shrinkwrap.json` v2 and v3 (the `packages` map).

Entries are keyed by install location (`node_modules/a/node_modules/b`); a dependency is
found the way Node finds it, walking up from the dependent's folder. Locations are then
collapsed into identities (`name@version#integrity`), so an entry that only moved in the
tree (hoisting) is not a change.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from bakegen.lockfiles.model import (
    GraphBuilder,
    LockfileUnsure,
    LockGraph,
    Members,
    Reader,
    as_dict,
    fingerprint,
)
from bakegen.tree import normalize

DEPENDENCY_FIELDS = (
    "dependencies", "devDependencies", "optionalDependencies", "peerDependencies",
)
_NM = "node_modules/"


def parse(text: str, members: Members, read: Reader) -> LockGraph:
    """Third-party identities with resolved edges; members are the non-node_modules entries."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockfileUnsure(f"invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    data = as_dict(data, "the lockfile")
    version = data.get("lockfileVersion")
    if version not in (2, 3) or not isinstance(data.get("packages"), dict):
        raise LockfileUnsure(f"lockfileVersion {version!r} has no \"packages\" map (v2 or v3)")
    packages = {str(k): as_dict(v, k) for k, v in data["packages"].items()}
    identity = {loc: _identity(loc, entry) for loc, entry in packages.items()
                if _is_installed(loc) and not entry.get("link")}

    def deps_of(loc: str, entry: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
        found = []
        for field in fields:
            for name in sorted(as_dict(entry.get(field), f"{loc} {field}")):
                target = _resolve(packages, loc, name)
                if target is not None and target in identity:
                    found.append(identity[target])
        return found

    builder = GraphBuilder()
    merged: dict[str, tuple[str, str, str, set[str]]] = {}
    for loc, entry in sorted(packages.items()):
        if loc in identity:
            key = identity[loc]
            deps = deps_of(loc, entry, ("dependencies", "optionalDependencies",
                                         "peerDependencies"))
            name, version = _name(loc, entry), str(entry.get("version", ""))
            content = fingerprint(entry.get("resolved"), entry.get("integrity"))
            _, _, _, edges = merged.setdefault(key, (name, version, content, set()))
            edges.update(deps)
        elif not _is_installed(loc) and not entry.get("link"):
            path = normalize(loc) if loc else "."
            builder.member(path, entry.get("name"), tuple(deps_of(loc, entry, DEPENDENCY_FIELDS)))
    for key, (name, version, content, edges) in merged.items():
        builder.node(key, name, version, content, tuple(edges))
    return builder.build()


def _is_installed(loc: str) -> bool:
    return loc.startswith(_NM) or f"/{_NM}" in loc


def _name(loc: str, entry: dict[str, Any]) -> str:
    name = entry.get("name")
    if isinstance(name, str) and name:
        return name
    return loc[loc.rfind(_NM) + len(_NM):]


def _identity(loc: str, entry: dict[str, Any]) -> str:
    digest = entry.get("integrity") or entry.get("resolved") or ""
    return f"{_name(loc, entry)}@{entry.get('version', '')}#{digest}"


def _resolve(packages: dict[str, Any], loc: str, name: str) -> str | None:
    """Node's lookup: `<loc>/node_modules/<name>`, then each enclosing folder's."""
    while True:
        candidate = f"{loc}/{_NM}{name}" if loc else f"{_NM}{name}"
        if candidate in packages:
            return candidate
        if not loc:
            return None
        if _NM in loc:
            cut = loc.rfind(_NM)
            loc = loc[:cut].rstrip("/")
        else:
            loc = posixpath.dirname(loc)
