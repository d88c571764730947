"""Names bake and registries accept: target names `[a-zA-Z0-9_-]`, lowercase image names."""

from __future__ import annotations

import re

_INVALID_RUN = re.compile(r"[^a-zA-Z0-9_-]+")
_VALID_TARGET = re.compile(r"[a-zA-Z0-9_-]+")


def target_name(package_name: str) -> str:
    """`@acme/api` -> `acme-api`; anything outside `[a-zA-Z0-9_-]` becomes one dash."""
    name = _INVALID_RUN.sub("-", package_name.lstrip("@")).strip("-_")
    return name or "service"


def is_valid_target(name: str) -> bool:
    return bool(_VALID_TARGET.fullmatch(name))


def image_name(target: str) -> str:
    """A registry repository name for a target: lowercase, separators not doubled."""
    name = re.sub(r"[^a-z0-9]+", "-", target.lower()).strip("-")
    return name or "service"


def variable_slug(text: str) -> str:
    """`services/api` -> `SERVICES_API`, for bake variable names."""
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_") or "ROOT"
