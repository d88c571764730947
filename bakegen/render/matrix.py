"""CI output: affected targets (text, JSON) and build matrices (JSON, GitHub step outputs)."""

from __future__ import annotations

import json
from typing import Any

from bakegen.affected.result import Affected
from bakegen.matrix import Matrix, MatrixEntry
from bakegen.render.schema import versioned

FORMATS = ("github", "json")
#: reasons printed per target in text output before "... and N more"
TEXT_REASONS = 10


def matrix_document(matrix: Matrix, fmt: str = "github") -> dict[str, list[dict[str, Any]]]:
    """`{"include": [...]}`, ready for `strategy.matrix: ${{ fromJSON(...) }}`.

    github: string values only, a `runner` per entry, and in split mode a `platform_slug`
    for artifact names; json: `platforms` as a list.
    """
    return {"include": [_entry(e, matrix.split, fmt) for e in matrix.entries]}


def _entry(entry: MatrixEntry, split: bool, fmt: str) -> dict[str, Any]:
    item: dict[str, Any] = {"target": entry.target}
    if split:
        item["platform"] = entry.platform
        if fmt == "github":
            item["platform_slug"] = entry.platform_slug
    else:
        item["platforms"] = ",".join(entry.platforms) if fmt == "github" else list(entry.platforms)
    if fmt == "github":
        item["runner"] = entry.runner
    return item


def targets_document(matrix: Matrix) -> dict[str, list[dict[str, str]]]:
    """One entry per target, for the job that merges per-platform images."""
    return {"include": [{"target": name} for name in matrix.targets]}


def render_matrix(matrix: Matrix, fmt: str = "github") -> str:
    """The matrix as indented JSON with a final newline; the json format carries
    `schema_version`, the github one is exactly what `strategy.matrix` takes."""
    document: dict[str, Any] = matrix_document(matrix, fmt)
    return json.dumps(versioned(document) if fmt == "json" else document, indent=2) + "\n"


def github_outputs(matrix: Matrix, fmt: str = "github") -> list[tuple[str, str]]:
    """Step outputs: `matrix`, `targets` (one entry per target) and `has_targets`.

    GitHub rejects a job whose matrix is empty, so workflows test `has_targets` first.
    """
    compact = {"separators": (",", ":")}
    return [
        ("matrix", json.dumps(matrix_document(matrix, fmt), **compact)),  # type: ignore[arg-type]
        ("targets", json.dumps(targets_document(matrix), **compact)),  # type: ignore[arg-type]
        ("has_targets", "true" if matrix.entries else "false"),
    ]


def bases_document(matrix: Matrix, fmt: str = "github") -> dict[str, list[dict[str, Any]]]:
    """Wave 1 of CI mode: one entry per job, the bases of one Dockerfile built together.

    github: `unit` names the job's artifacts, `targets` and `tags` are comma-separated,
    and split entries carry `platform`, `platform_slug` and `runner` like service entries;
    json: lists instead of joined strings.
    """
    include = []
    for job in matrix.base_jobs:
        item: dict[str, Any] = {"unit": job.unit}
        if fmt == "github":
            item |= {"targets": ",".join(job.targets), "tags": ",".join(job.tags)}
        else:
            item |= {"targets": list(job.targets), "tags": list(job.tags)}
        if matrix.split:
            item["platform"] = job.platform
            if fmt == "github":
                item["platform_slug"] = job.platform_slug
        else:
            item["platforms"] = (",".join(job.platforms) if fmt == "github"
                                 else list(job.platforms))
        if fmt == "github":
            item["runner"] = job.runner
        include.append(item)
    return {"include": include}


def base_targets_document(matrix: Matrix) -> dict[str, list[dict[str, str]]]:
    """One entry per base with the `unit` whose artifacts hold its digests, for the job
    that merges a base's per-platform images."""
    units = {target: job.unit for job in matrix.base_jobs for target in job.targets}
    if matrix.merge_by_job:  # within GitHub's limit: one entry per job, its targets joined
        by_unit: dict[str, list[str]] = {}
        for target in matrix.base_targets:
            by_unit.setdefault(units[target], []).append(target)
        return {"include": [{"target": ",".join(targets), "unit": unit}
                            for unit, targets in sorted(by_unit.items())]}
    return {"include": [{"target": t, "unit": units[t]} for t in matrix.base_targets]}


def layered_document(matrix: Matrix, fmt: str = "github") -> dict[str, Any]:
    """CI mode's two waves: the bases (target and pushed tag) first, then the services.

    A workflow builds a base only when `docker buildx imagetools inspect <tag>` fails;
    `bakegen matrix --layered --missing-bases` does that check itself.
    """
    return {
        "bases": bases_document(matrix, fmt),
        "base_targets": base_targets_document(matrix),
        "services": matrix_document(matrix, fmt),
    }


def render_layered(matrix: Matrix, fmt: str = "github") -> str:
    """The layered document as indented JSON; the json format carries `schema_version`."""
    document = layered_document(matrix, fmt)
    return json.dumps(versioned(document) if fmt == "json" else document, indent=2) + "\n"


def layered_outputs(matrix: Matrix, fmt: str = "github") -> list[tuple[str, str]]:
    """Step outputs of the layered matrix: `bases`, `base_targets` (one entry per base, for
    merging its platforms) and `has_bases`, then the service outputs."""
    compact = {"separators": (",", ":")}
    document = layered_document(matrix, fmt)
    return [
        ("bases", json.dumps(document["bases"], **compact)),  # type: ignore[arg-type]
        ("base_targets", json.dumps(document["base_targets"], **compact)),  # type: ignore[arg-type]
        ("has_bases", "true" if matrix.bases else "false"),
        *github_outputs(matrix, fmt),
    ]


def affected_as_text(result: Affected) -> str:
    """`target: reason` lines, targets sorted, a few reasons per target."""
    lines = []
    for target in result.targets:
        shown = target.reasons[:TEXT_REASONS]
        lines += [f"{target.target}: {reason}" for reason in shown]
        hidden = len(target.reasons) - len(shown)
        if hidden:
            lines.append(f"{target.target}: ... and {hidden} more")
    return "".join(f"{line}\n" for line in lines)


def affected_as_json(result: Affected) -> str:
    """Stable JSON: revisions, changed paths, targets with every reason, notes."""
    document = {
        "base": result.base,
        "head": result.head,
        "changes": [
            {"path": c.path, "status": c.status, **({"other": c.other} if c.other else {})}
            for c in result.changes
        ],
        "targets": [
            {"target": t.target, "package": t.package, "reasons": [str(r) for r in t.reasons]}
            for t in result.targets
        ],
        "notes": list(result.notes),
    }
    return json.dumps(versioned(document), indent=2) + "\n"
