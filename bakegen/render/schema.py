"""The version of bakegen's JSON documents (`scan --json`, `graph --format json`,
`affected --json`, `matrix --format json`): tools reading them check it, and it grows only
when a field changes meaning or goes away (new fields keep it)."""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 1


def versioned(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with `schema_version` as its first field."""
    return {"schema_version": SCHEMA_VERSION, **document}
