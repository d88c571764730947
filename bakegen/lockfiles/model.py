"""What every lockfile parser returns: a graph of third-party entries and the members' roots."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bakegen import tomlparse
from bakegen.errors import BakegenError

#: reads a file of a revision by its path relative to the lockfile's folder (None: absent)
Reader = Callable[[str], "str | None"]


class LockfileUnsure(BakegenError):
    """Two versions of a lockfile cannot be compared precisely; the caller falls back."""


@dataclass(frozen=True, slots=True)
class Members:
    """The workspace members bakegen scanned, relative to the lockfile's folder.

    `include_dev` makes members' development-only dependency groups count (Python's dev
    groups); Node's devDependencies always count, since service builds run with them.
    """

    paths: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    include_dev: bool = False


@dataclass(frozen=True, slots=True)
class Member:
    """A workspace member as one lockfile version records it, with its direct dependencies."""

    path: str | None
    name: str | None
    dependencies: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"path:{self.path}" if self.path is not None else f"name:{self.name}"


@dataclass(frozen=True, slots=True)
class LockGraph:
    """Third-party entries of one lockfile version.

    `nodes` maps an entry's key to a fingerprint of its own content (resolution,
    checksum); `labels` to its (name, version); `edges` to the keys of the entries its
    dependencies resolve to. Members are not nodes: traversal stops at the workspace's
    own packages.
    """

    nodes: Mapping[str, str]
    labels: Mapping[str, tuple[str, str]]
    edges: Mapping[str, tuple[str, ...]]
    members: tuple[Member, ...]
    notes: tuple[str, ...] = field(default=())


#: a lockfile parser: (text, scanned members, reader of the same revision) -> graph
Parser = Callable[[str, Members, Reader], LockGraph]


def fingerprint(*parts: Any) -> str:
    """A stable text for comparing two entries' contents."""
    return json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))


class GraphBuilder:
    """Collects nodes and edges while a parser walks a lockfile."""

    def __init__(self) -> None:
        self.nodes: dict[str, str] = {}
        self.labels: dict[str, tuple[str, str]] = {}
        self.edges: dict[str, tuple[str, ...]] = {}
        self.members: list[Member] = []

    def node(self, key: str, name: str, version: str, content: str,
             deps: tuple[str, ...] = ()) -> None:
        self.nodes[key] = content
        self.labels[key] = (name, version)
        self.edges[key] = tuple(sorted(set(deps)))

    def member(self, path: str | None, name: str | None, deps: tuple[str, ...]) -> None:
        self.members.append(Member(path, name, tuple(sorted(set(deps)))))

    def build(self) -> LockGraph:
        members = sorted(self.members, key=lambda m: m.key)
        return LockGraph(self.nodes, self.labels, self.edges, tuple(members))


def load_toml(text: str) -> dict[str, Any]:
    """Parse a TOML lockfile (Cargo.lock, uv.lock), or LockfileUnsure saying why not."""
    try:
        return tomlparse.loads(text)
    except tomlparse.TOMLDecodeError as exc:
        raise LockfileUnsure(f"invalid TOML ({exc})") from exc


def locked_packages(text: str) -> list[dict[str, Any]]:
    """The `[[package]]` tables of a TOML lockfile (Cargo.lock, uv.lock, poetry.lock), or
    LockfileUnsure when the file is not TOML or they are not tables."""
    try:
        data = tomlparse.loads(text)
    except tomlparse.TOMLDecodeError as exc:
        raise LockfileUnsure(f"invalid TOML: {exc}") from exc
    entries: Any = data.get("package", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise LockfileUnsure("[[package]] is not a list of tables")
    return entries


def as_dict(value: Any, what: str) -> dict[str, Any]:
    """A mapping from a parsed lockfile, or LockfileUnsure naming what was malformed."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise LockfileUnsure(f"{what} is not a table")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise LockfileUnsure(f"{what} is not a list")
    return value


_LOCKED_NAME = re.compile(r'^name\s*=\s*"([^"]+)"', re.MULTILINE)


def locked_package_names(text: str) -> set[str]:
    """The `name = "..."` of every `[[package]]` a TOML lockfile pins (Cargo.lock, uv.lock,
    poetry.lock), as written."""
    return set(_LOCKED_NAME.findall(text))
