"""`Cargo.lock`: every crate with its resolved dependencies; workspace members have no source."""

from __future__ import annotations

from bakegen.lockfiles.model import (
    GraphBuilder,
    LockfileUnsure,
    LockGraph,
    Members,
    Parser,
    Reader,
    as_dict,
    as_list,
    fingerprint,
    load_toml,
    locked_packages,
)


def parse_cargo(text: str, members: Members, read: Reader) -> LockGraph:
    """Crates are keyed `name version source`; members are matched by crate name."""
    data = load_toml(text)
    packages = as_list(data.get("package"), "[[package]]")
    metadata = as_dict(data.get("metadata"), "[metadata]")
    entries = []
    for entry in packages:
        entry = as_dict(entry, "[[package]]")
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            raise LockfileUnsure("a [[package]] lacks a name or version")
        entries.append((name, version, str(entry.get("source", "")), entry))
    by_name: dict[str, list[str]] = {}
    by_version: dict[tuple[str, str], list[str]] = {}
    for name, version, source, _ in entries:
        key = _key(name, version, source)
        by_name.setdefault(name, []).append(key)
        by_version.setdefault((name, version), []).append(key)

    def resolve(spec: object) -> str:
        if not isinstance(spec, str):
            raise LockfileUnsure(f"dependency {spec!r} is not a string")
        name, _, rest = spec.partition(" ")
        version, _, source = rest.partition(" ")
        if source:
            return _key(name, version, source.strip("()"))
        found = by_version.get((name, version), []) if version else by_name.get(name, [])
        if len(found) != 1:
            raise LockfileUnsure(f'dependency "{spec}" does not name exactly one crate')
        return found[0]

    builder = GraphBuilder()
    for name, version, source, entry in entries:
        deps = tuple(resolve(d) for d in as_list(entry.get("dependencies"), name))
        key = _key(name, version, source)
        if not source and name in members.names:
            builder.member(None, name, tuple(d for d in deps if not _is_member(d, members)))
            continue
        legacy = metadata.get(f"checksum {name} {version} ({source})") if source else None
        content = fingerprint(entry.get("checksum") or legacy)
        builder.node(key, name, version, content, tuple(d for d in deps
                                                       if not _is_member(d, members)))
    return builder.build()


def _key(name: str, version: str, source: str) -> str:
    return f"{name} {version} {source}".rstrip()


def _is_member(key: str, members: Members) -> bool:
    parts = key.split(" ")
    return len(parts) == 2 and parts[0] in members.names


#: lockfile base name -> parser
PARSERS: dict[str, Parser] = {"Cargo.lock": parse_cargo}


#: lockfile base name -> the command that writes it again
REGENERATE = {"Cargo.lock": "cargo generate-lockfile"}


def locked_members(lockfile: str, text: str) -> set[str] | None:
    """The workspace crates Cargo.lock records: those without a registry or git source
    (LockfileUnsure when it cannot be read)."""
    return {e["name"] for e in locked_packages(text) if isinstance(e.get("name"), str)
            and "source" not in e}
