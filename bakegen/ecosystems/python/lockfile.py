"""`uv.lock`: packages with resolved dependencies; members have an editable or virtual source."""

from __future__ import annotations

from typing import Any

from bakegen.ecosystems.python.pep import normalize_name
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
from bakegen.tree import normalize

_MEMBER_SOURCES = ("editable", "virtual")


def parse_uv(text: str, members: Members, read: Reader) -> LockGraph:
    """Entries keyed `name version source`; members' dev groups count only with include_dev."""
    data = load_toml(text)
    entries = [as_dict(e, "[[package]]") for e in as_list(data.get("package"), "[[package]]")]
    keyed: list[tuple[str, dict[str, Any]]] = []
    by_name: dict[str, list[str]] = {}
    for entry in entries:
        name, version = entry.get("name"), entry.get("version", "")
        if not isinstance(name, str):
            raise LockfileUnsure("a [[package]] lacks a name")
        key = _key(normalize_name(name), str(version), entry.get("source"))
        keyed.append((key, entry))
        by_name.setdefault(normalize_name(name), []).append(key)
    member_keys = {key for key, entry in keyed if _member_path(entry) is not None}

    def resolve(dep: Any) -> str:
        dep = as_dict(dep, "dependency")
        name = normalize_name(str(dep.get("name", "")))
        if "version" in dep or "source" in dep:
            wanted = [k for k in by_name.get(name, [])
                      if ("version" not in dep or k.split(" ")[1] == str(dep["version"]))
                      and ("source" not in dep or k == _key(name, k.split(" ")[1], dep["source"]))]
        else:
            wanted = by_name.get(name, [])
        if len(wanted) != 1:
            raise LockfileUnsure(f'dependency "{name}" does not name exactly one package')
        return wanted[0]

    builder = GraphBuilder()
    for key, entry in keyed:
        deps = [resolve(d) for d in as_list(entry.get("dependencies"), key)]
        path = _member_path(entry)
        groups = ["optional-dependencies"]
        if path is None or members.include_dev:
            groups.append("dev-dependencies")
        for group in groups:
            for listed in as_dict(entry.get(group), group).values():
                deps.extend(resolve(d) for d in as_list(listed, group))
        outside = tuple(d for d in deps if d not in member_keys)
        name = normalize_name(str(entry["name"]))
        if path is not None:
            builder.member(path, name, outside)
            continue
        content = fingerprint(entry.get("sdist"), entry.get("wheels"))
        builder.node(key, name, str(entry.get("version", "")), content, outside)
    return builder.build()


def _member_path(entry: dict[str, Any]) -> str | None:
    source = entry.get("source")
    if isinstance(source, dict):
        for kind in _MEMBER_SOURCES:
            if isinstance(source.get(kind), str):
                return normalize(source[kind])
    return None


def _key(name: str, version: str, source: Any) -> str:
    return f"{name} {version} {fingerprint(source)}"


#: lockfile base name -> parser
PARSERS: dict[str, Parser] = {"uv.lock": parse_uv}


#: lockfile base name -> the command that writes it again
REGENERATE = {"uv.lock": "uv lock", "poetry.lock": "poetry lock"}


def locked_members(lockfile: str, text: str) -> set[str] | None:
    """The members uv.lock records: editable or virtual sources (uv marks the root as well);
    None for poetry.lock, which lists no members (LockfileUnsure when it cannot be read)."""
    entries = locked_packages(text)
    if lockfile != "uv.lock":
        return None
    return {normalize_name(e["name"]) for e in entries if isinstance(e.get("name"), str)
            and isinstance(e.get("source"), dict) and set(_MEMBER_SOURCES) & set(e["source"])}
