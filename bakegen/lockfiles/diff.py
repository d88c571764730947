"""Compare two versions of a lockfile: which entries changed, which members reach them."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bakegen.lockfiles.model import LockGraph, Member

#: causes kept per member; a member's reason names a few, not thousands
MAX_CAUSES = 3


@dataclass(frozen=True, slots=True)
class MemberChange:
    """A member whose third-party dependency closure changed, and a few reasons why."""

    member: Member
    causes: tuple[str, ...]
    more: int = 0


@dataclass(frozen=True, slots=True)
class LockDiff:
    """Every changed third-party package (as labels) and the members it reaches."""

    changed: tuple[str, ...]
    members: tuple[MemberChange, ...]


def diff_graphs(old: LockGraph, new: LockGraph) -> LockDiff:
    """Members whose closure contains an entry that differs between the two versions."""
    changed = _changed(old, new)
    labels = _change_labels(changed, old, new)
    old_taint = _taint(old, changed, labels)
    new_taint = _taint(new, changed, labels)
    old_members = {m.key: m for m in old.members}
    results = []
    for member in new.members:
        before = old_members.get(member.key)
        causes: set[str] = set()
        if before is None:
            causes.add("new in the lockfile")
        else:
            causes.update(_direct_changes(before, member, old, new, changed))
            for dep in before.dependencies:
                causes.update(old_taint.get(dep, ()))
        for dep in member.dependencies:
            causes.update(new_taint.get(dep, ()))
        if causes:
            ordered = sorted(causes)
            results.append(MemberChange(member, tuple(ordered[:MAX_CAUSES]),
                                        max(0, len(ordered) - MAX_CAUSES)))
    return LockDiff(tuple(sorted(set(labels.values()))), tuple(results))


def _changed(old: LockGraph, new: LockGraph) -> set[str]:
    """Entries whose content differs, plus entries now resolving a dependency to another
    entry that did not change itself (a re-wiring no content change explains)."""
    changed = {k for k in old.nodes.keys() | new.nodes.keys()
               if old.nodes.get(k) != new.nodes.get(k)}
    rewired = {
        k for k in old.nodes.keys() & new.nodes.keys()
        if k not in changed and (set(old.edges.get(k, ())) ^ set(new.edges.get(k, ()))) - changed
    }
    return changed | rewired


def _change_labels(
    changed: set[str], old: LockGraph, new: LockGraph
) -> dict[str, str]:
    """`lodash 4.17.20 -> 4.17.21` for every changed key, grouped by package name."""
    before: dict[str, set[str]] = {}
    after: dict[str, set[str]] = {}
    for key in changed:
        if key in old.labels:
            name, version = old.labels[key]
            before.setdefault(name, set()).add(version)
        if key in new.labels:
            name, version = new.labels[key]
            after.setdefault(name, set()).add(version)
    per_name = {}
    for name in before.keys() | after.keys():
        was, now = sorted(before.get(name, ())), sorted(after.get(name, ()))
        if not was:
            per_name[name] = f"{name} {', '.join(now)} added"
        elif not now:
            per_name[name] = f"{name} {', '.join(was)} removed"
        elif was == now:
            per_name[name] = f"{name} {', '.join(now)} changed"
        else:
            per_name[name] = f"{name} {', '.join(was)} -> {', '.join(now)}"
    return {
        key: per_name[(new.labels.get(key) or old.labels[key])[0]] for key in changed
    }


def _taint(graph: LockGraph, changed: set[str], labels: Mapping[str, str]) -> dict[str, set[str]]:
    """For every node reaching a changed node, up to MAX_CAUSES labels of what it reaches.

    A breadth-first walk over reversed edges; a node is revisited only while it gains
    causes, so the walk is linear in the size of the graph.
    """
    parents: dict[str, list[str]] = {}
    for node, deps in graph.edges.items():
        for dep in deps:
            parents.setdefault(dep, []).append(node)
    causes: dict[str, set[str]] = {}
    queue: deque[str] = deque()
    for key in sorted(changed & graph.nodes.keys(), key=lambda k: labels[k]):
        found = causes.setdefault(key, set())
        if len(found) < MAX_CAUSES:
            found.add(labels[key])
            queue.append(key)
    while queue:
        node = queue.popleft()
        mine = causes[node]
        for parent in parents.get(node, ()):
            theirs = causes.setdefault(parent, set())
            if len(theirs) >= MAX_CAUSES or mine <= theirs:
                continue
            for cause in sorted(mine - theirs):
                if len(theirs) < MAX_CAUSES:
                    theirs.add(cause)
            queue.append(parent)
    return causes


def _direct_changes(
    before: Member, after: Member, old: LockGraph, new: LockGraph, changed: set[str]
) -> Iterable[str]:
    """Direct dependencies a member gained or dropped among entries that did not change."""
    gained = set(after.dependencies) - set(before.dependencies) - changed
    dropped = set(before.dependencies) - set(after.dependencies) - changed
    for key in gained:
        if key in new.labels:
            yield "{} {} now a direct dependency".format(*new.labels[key])
    for key in dropped:
        if key in old.labels:
            yield "{} {} no longer a direct dependency".format(*old.labels[key])
