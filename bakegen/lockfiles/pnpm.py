"""`pnpm-lock.yaml` v5, v6 and v9: importers (members) and packages/snapshots (entries)."""

from __future__ import annotations

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
from bakegen.lockfiles.yamlload import load_yaml
from bakegen.tree import normalize

IMPORTER_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")
PACKAGE_FIELDS = ("dependencies", "optionalDependencies")


def parse(text: str, members: Members, read: Reader) -> LockGraph:
    """Entries keyed as the lockfile keys them; a dependency `name: version` is looked up
    under each version's key syntax (`name@1.0.0`, `/name@1.0.0`, `/name/1.0.0`)."""
    data = as_dict(load_yaml(text), "the lockfile")
    if "lockfileVersion" not in data:
        raise LockfileUnsure("no lockfileVersion")
    packages = as_dict(data.get("packages"), "packages")
    snapshots = as_dict(data.get("snapshots"), "snapshots")
    # v9 splits an entry into packages (resolution) and snapshots (resolved dependencies)
    entries = snapshots if snapshots else packages
    importers = as_dict(data.get("importers"), "importers")
    if not importers:
        importers = {".": {f: data.get(f) for f in IMPORTER_FIELDS}}

    def resolve(name: str, ref: Any) -> str | None:
        if isinstance(ref, dict):
            ref = ref.get("version")
        if not isinstance(ref, str) or ref.startswith(("link:", "workspace:")):
            return None
        for key in (ref, f"{name}@{ref}", f"/{name}@{ref}", f"/{name}/{ref}"):
            if key in entries:
                return key
        return None

    def deps(where: str, entry: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
        found = []
        for field in fields:
            for name, ref in sorted(as_dict(entry.get(field), f"{where} {field}").items()):
                key = resolve(str(name), ref)
                if key is not None:
                    found.append(key)
        return found

    builder = GraphBuilder()
    for key, entry in entries.items():
        key = str(key)
        entry = as_dict(entry, key)
        edges = deps(key, entry, PACKAGE_FIELDS)
        base = _base_key(key)
        resolution = as_dict(packages.get(base) or packages.get(key), key).get("resolution")
        name, version = _label(key)
        builder.node(key, name, version, fingerprint(resolution), tuple(edges))
    for path, importer in importers.items():
        importer = as_dict(importer, f"importers {path}")
        builder.member(normalize(str(path)), None, tuple(deps(str(path), importer,
                                                              IMPORTER_FIELDS)))
    return builder.build()


def _base_key(key: str) -> str:
    """`a@1.0.0(react@18.2.0)` -> `a@1.0.0`: the peer-dependency suffix removed."""
    return key.split("(", 1)[0]


def _label(key: str) -> tuple[str, str]:
    base = _base_key(key).lstrip("/")
    head, _, tail = base.rpartition("/")
    if key.startswith("/") and head and tail[:1].isdigit():  # v5: /name/1.0.0_peer@1
        return head, tail.split("_", 1)[0]
    at = base.rfind("@")
    return (base[:at], base[at + 1:]) if at > 0 else (base, "")
