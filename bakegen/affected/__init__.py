"""Which bake targets a git change affects, and why.

Four jobs, one module each: `git` (refs, changed files, blobs, trees), `revision` (one
revision's files, read once through a memo the analysis holds), `state` (a revision
re-planned by the pipeline's stages and indexed) and `classify` (each changed file matched
against the rules). Changed files come from git (renames count on both sides); lockfile
changes are narrowed down by comparing the two versions (`bakegen.lockfiles`).
"""

from __future__ import annotations

from pathlib import Path

from bakegen.affected.classify import Classifier
from bakegen.affected.git import GitRepo
from bakegen.affected.result import WORKTREE, Affected, AffectedRequest
from bakegen.affected.revision import Revision
from bakegen.affected.state import RepoState, plan_revision


def find_affected(root: Path, request: AffectedRequest) -> Affected:
    """Compare two revisions of the repository at root and list the affected targets.

    The scan and plan come from the working tree at root, which is expected to be the
    head revision (the usual CI checkout).
    """
    repo = GitRepo.open(root)
    head_sha = repo.commit(request.head or "HEAD", "--head")
    base_sha = repo.commit(request.base, "--base")
    base = repo.merge_base(base_sha, head_sha) or base_sha
    notes = []
    if request.head and head_sha != repo.commit("HEAD", "--head"):
        notes.append(f'--head {request.head} is not the checked-out commit; packages and '
                     "targets are read from the working tree")
    changes = repo.changes(base, None if request.worktree else head_sha)
    if not changes:
        return Affected(base, WORKTREE if request.worktree else head_sha, (), (), tuple(notes))
    old = Revision(repo, base)
    new = Revision(repo, None if request.worktree else head_sha)
    state = RepoState.load(root, new)
    old_sides = any(c.is_old_side for c in changes)
    classifier = Classifier(state, old, new, request.include_dev,
                            plan_base=lambda: plan_revision(repo, base),
                            base_manifest_dirs=repo.manifest_dirs(base) if old_sides else None)
    targets = classifier.run(changes)
    return Affected(
        base=base,
        head=WORKTREE if request.worktree else head_sha,
        changes=changes,
        targets=targets,
        notes=(*notes, *classifier.notes),
    )
