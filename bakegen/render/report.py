"""Scan reports: a human table and stable JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bakegen.errors import printable
from bakegen.model import DOCKER, Package, ScanResult
from bakegen.render.schema import versioned
from bakegen.wording import plural


def scan_as_dict(result: ScanResult) -> dict[str, Any]:
    """A JSON-ready view of a scan; keys and lists in a stable order."""
    return {
        "workspaces": [
            {
                "ecosystem": ws.ecosystem,
                "root": ws.root,
                "manager": ws.manager,
                "manager_version": ws.manager_version,
                "lockfile": ws.lockfile,
                "runtime_version": ws.runtime_version,
                "packages": sorted(ws.packages),
            }
            for ws in result.workspaces
        ],
        "packages": [
            {
                "id": pkg.id,
                "ecosystem": pkg.ecosystem,
                "name": pkg.name,
                "path": pkg.path,
                "manifest": pkg.manifest,
                "workspace": pkg.workspace,
                "version": pkg.version,
                "deployable": pkg.deployable,
                "deployable_reason": pkg.deployable_reason,
                "rejected": pkg.rejected,
                "entrypoint": list(pkg.entrypoint),
                "entrypoint_reason": pkg.entrypoint_reason,
                "binaries": list(pkg.binaries),
                "dependencies": [
                    {"name": dep.name, "kind": dep.kind.value}
                    for dep in sorted(set(pkg.dependencies), key=lambda d: (d.name, d.kind.value))
                ],
            }
            for pkg in result.packages
        ],
        "problems": [
            {"severity": p.severity.value, "path": p.path, "message": p.message}
            for p in result.problems
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
    }


def scan_as_json(result: ScanResult) -> str:
    document = versioned(scan_as_dict(result))
    return json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def _row(row: tuple[str, ...], widths: list[int]) -> str:
    cells = "  ".join(c.ljust(w) for c, w in zip(row[:4], widths, strict=True))
    return f"{cells}  {row[4]}".rstrip()


def scan_as_table(result: ScanResult) -> str:
    """Packages grouped by ecosystem, services marked, then workspaces and warnings."""
    rows: list[tuple[str, ...]] = [("ECOSYSTEM", "NAME", "PATH", "KIND", "WHY / DEPENDS ON")]
    for pkg in result.packages:
        deps = sorted({d.name for d in pkg.dependencies})
        why = pkg.deployable_reason if pkg.deployable else (
            f"not a service: {pkg.rejected}" if pkg.rejected else "")
        if pkg.deployable and pkg.entrypoint:
            because = pkg.entrypoint_reason
            detail = f" ({because})" if because and because != pkg.deployable_reason else ""
            why = f"{why}; runs {' '.join(pkg.entrypoint)}{detail}"
        detail = "; ".join(x for x in (why, "needs " + ", ".join(deps) if deps else "") if x)
        # names come from manifests: a newline or escape sequence must not break the table
        cells = (pkg.ecosystem, pkg.name, pkg.path, "service" if pkg.deployable else "library",
                 detail)
        rows.append(tuple(printable(c) for c in cells))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [_row(row, widths) for row in rows]
    lines.append("")
    lines.append(counts(result.packages))
    for ws in result.workspaces:
        runtime = f", runtime {ws.runtime_version}" if ws.runtime_version else ""
        lines.append(
            f"workspace {ws.ecosystem} at {ws.root}: {ws.manager}, "
            f"lockfile {ws.lockfile or 'none'}{runtime}"
        )
    lines.extend(printable(f"skipped {s.path}: {s.reason}") for s in result.skipped)
    return "\n".join(lines) + "\n"


def counts(packages: Iterable[Package]) -> str:
    """`12 packages, 4 services`, with lone Dockerfiles (services of no package) apart:
    `0 packages, 1 lone Dockerfile, 1 service`."""
    packages = list(packages)
    lone = sum(1 for p in packages if p.ecosystem == DOCKER)
    services = sum(1 for p in packages if p.deployable)
    dockerfiles = f", {plural(lone, 'lone Dockerfile')}" if lone else ""
    return f"{plural(len(packages) - lone, 'package')}{dockerfiles}, {plural(services, 'service')}"
