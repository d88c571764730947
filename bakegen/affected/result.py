"""What `affected` answers: the compared revisions, changed files and affected targets."""

from __future__ import annotations

from dataclasses import dataclass

from bakegen.affected.git import FileChange

#: the head of a comparison with the working tree
WORKTREE = "worktree"


@dataclass(frozen=True, slots=True, order=True)
class Reason:
    """Why a target is affected: a changed path and what links it to the target."""

    path: str
    why: str = ""

    def __str__(self) -> str:
        return f"{self.path} ({self.why})" if self.why else self.path


@dataclass(frozen=True, slots=True)
class AffectedTarget:
    """An affected bake target, its package (None for hand-written targets), its reasons."""

    target: str
    package: str | None
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Affected:
    """The answer: compared revisions, changed files, affected targets and any caveats."""

    base: str
    head: str
    changes: tuple[FileChange, ...]
    targets: tuple[AffectedTarget, ...]
    notes: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.target for t in self.targets)


@dataclass(frozen=True, slots=True)
class AffectedRequest:
    """What to compare: `base` (its merge-base with head is used), `head` (None: HEAD),
    `worktree` (head plus uncommitted and untracked files), `include_dev` (follow dev edges)."""

    base: str
    head: str | None = None
    worktree: bool = False
    include_dev: bool = False
