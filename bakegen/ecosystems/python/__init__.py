"""The Python ecosystem: uv workspaces, Poetry projects and plain pyproject.toml packages.

This package is the plugin (see `bakegen.ecosystems.base.Ecosystem`). Scanning lives in
`discover` (workspaces, lockfiles, edges) and `manifest` (one pyproject.toml); PEP 503/508
readers in `pep`, the web app a service starts in `start`, Dockerfile steps in `recipe`,
and the uv.lock parser in `lockfile`.
"""

from __future__ import annotations

from bakegen.ecosystems.base import any_name as name_problem
from bakegen.ecosystems.base import no_service_problem as service_problem
from bakegen.ecosystems.python.discover import ECOSYSTEM as name
from bakegen.ecosystems.python.discover import scan_python as scan
from bakegen.ecosystems.python.lockfile import PARSERS as lockfiles
from bakegen.ecosystems.python.lockfile import REGENERATE as regenerate
from bakegen.ecosystems.python.lockfile import locked_members
from bakegen.ecosystems.python.recipe import SECRETS as secrets
from bakegen.ecosystems.python.recipe import base_recipe, default_images, service_recipe
from bakegen.model import DepKind

__all__ = [
    "base_recipe", "binaries_are_services", "build_closure_kinds", "default_images",
    "display_name", "image_hints", "image_repositories", "image_variable", "language",
    "lock_commands", "locked_members", "lockfiles", "manifest_files", "name", "name_problem",
    "regenerate", "scaffold", "scan", "secrets", "service_problem", "service_recipe",
    "version_parts",
]

image_variable = "PYTHON"
display_name = "Python"
manifest_files: tuple[str, ...] = ("pyproject.toml",)
image_repositories: tuple[str, ...] = ("python",)
image_hints: tuple[str, ...] = ("python", "uv")
version_parts = 2
binaries_are_services = True
build_closure_kinds = frozenset({DepKind.RUNTIME, DepKind.BUILD})
language = "python"
scaffold = "bakegen.onboarding.python:PythonLanguage"
#: manager -> the command that updates its lockfile only
lock_commands: dict[str, tuple[str, ...]] = {"uv": ("uv", "lock")}
