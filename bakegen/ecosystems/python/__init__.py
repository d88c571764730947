"""The Python ecosystem: uv workspaces, Poetry projects and plain pyproject.toml packages.

This package is the plugin (see `bakegen.ecosystems.base.Ecosystem`). Scanning lives in
`discover` (workspaces, lockfiles, edges) and `manifest` (one pyproject.toml); PEP 503/508
readers in `pep`, the web app a service starts in `start`, Dockerfile steps in `recipe`,
and the uv.lock parser in `lockfile`.
"""

from __future__ import annotations

from bakegen.ecosystems.python.discover import ECOSYSTEM as name
from bakegen.ecosystems.python.discover import scan_python as scan
from bakegen.ecosystems.python.lockfile import PARSERS as lockfiles
from bakegen.ecosystems.python.recipe import base_recipe, default_images, service_recipe
from bakegen.model import DepKind

__all__ = [
    "base_recipe", "build_closure_kinds", "default_images", "image_variable", "language",
    "lock_commands", "lockfiles", "name", "scaffold", "scan", "service_recipe",
]

image_variable = "PYTHON"
build_closure_kinds = frozenset({DepKind.RUNTIME, DepKind.BUILD})
language = "python"
scaffold = "bakegen.onboarding.python:PythonLanguage"
#: manager -> the command that updates its lockfile only
lock_commands: dict[str, tuple[str, ...]] = {"uv": ("uv", "lock")}
