"""What `bakegen new` knows while it plans a service, and what each language module provides."""

from __future__ import annotations

import importlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from bakegen import tomlparse
from bakegen.config import Config
from bakegen.model import Package, ScanResult, Workspace
from bakegen.onboarding.lock import LockStep
from bakegen.onboarding.register import MemberList

#: how many sibling manifests are read to learn a convention (a sample is enough)
SIBLING_SAMPLE = 200
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class NewRequest:
    """`bakegen new NAME --lang LANG [--path DIR] [--depends-on PKG ...] [--port N]`."""

    name: str
    lang: str  # an ecosystem's `language` word: node | rust | python | go
    path: str | None = None
    depends_on: tuple[str, ...] = ()
    port: int | None = None
    force: bool = False
    lock: bool = True


@dataclass(frozen=True, slots=True)
class Context:
    """Everything validated about the new service, handed to its language module.

    `workspace` is None for a standalone package (no workspace of that ecosystem with a
    member list contains the folder); `siblings` are the packages the conventions are learnt
    from: the workspace's members, else every package of the ecosystem.
    """

    root: Path
    config: Config
    scan: ScanResult
    name: str
    folder: str
    port: int
    workspace: Workspace | None
    members: MemberList | None
    siblings: tuple[Package, ...]
    dependencies: tuple[Package, ...]

    def relative(self, path: str) -> str:
        """A repository path relative to the new package's folder (`../shared`)."""
        return os.path.relpath(path, self.folder).replace(os.sep, "/")

    def sample(self) -> tuple[Package, ...]:
        """Siblings whose manifests are read, services first (their layout is copied)."""
        ordered = sorted(self.siblings, key=lambda p: (not p.deployable, p.path))
        return tuple(ordered[:SIBLING_SAMPLE])


class Language(Protocol):
    """One language `new` can scaffold: its name rules, member list, and skeleton."""

    ecosystem: str

    def name_problem(self, name: str) -> str | None:
        """Why `name` is not a valid package name, or None."""
        ...

    def package_name(self, name: str, siblings: tuple[Package, ...]) -> str:
        """The package name to write (a Node name gets its siblings' scope)."""
        ...

    def member_list(self, root: Path, workspace: Workspace) -> MemberList | None:
        """Where `workspace` lists its members, or None when it has no such list."""
        ...

    def files(self, ctx: Context) -> dict[str, str]:
        """The skeleton: repository path -> text."""
        ...

    def folder_name(self, name: str) -> str:
        """The default folder of the new package, below its siblings' parent."""
        ...

    def image_name(self, name: str) -> str:
        """The name the scan gives the new package's image (its bake target's stem)."""
        ...

    def dependency_name(self, raw: str) -> str:
        """A `--depends-on` name as the scan spells package names."""
        ...

    def standalone_lock(self, folder: str) -> LockStep | None:
        """The lockfile a package outside any workspace needs before the scan sees it whole."""
        ...

    def local_command(self, ctx: Context) -> str:
        """How to start the skeleton on the developer's machine."""
        ...


def most_common(values: Iterable[T], default: T) -> T:
    """The most frequent value; ties go to the first seen; `default` when there is none."""
    counts = Counter(values)
    if not counts:
        return default
    best = max(counts.values())
    return next(v for v in counts if counts[v] == best)


def read_json(root: Path, rel: str) -> dict[str, Any]:
    """A manifest the scan already read; {} when it cannot be read again."""
    try:
        data = json.loads((root / rel).read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_toml(root: Path, rel: str) -> dict[str, Any]:
    """A TOML manifest the scan already read; {} when it cannot be read again."""
    try:
        data: dict[str, Any] = tomlparse.loads((root / rel).read_bytes().decode("utf-8"))
        return data
    except (OSError, ValueError):
        return {}


def load_scaffold(reference: str) -> Language:
    """The scaffold an ecosystem names as "module:attribute" (a class, instantiated here)."""
    module, attribute = reference.split(":")
    factory: type[Language] = getattr(importlib.import_module(module), attribute)
    return factory()
