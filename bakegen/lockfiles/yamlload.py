"""YAML loading for lockfiles: the C loader when PyYAML has it (lockfiles get large)."""

from __future__ import annotations

from typing import Any

import yaml

from bakegen.lockfiles.model import LockfileUnsure

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML, or LockfileUnsure naming the line."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise LockfileUnsure(f"invalid YAML{where}") from exc
