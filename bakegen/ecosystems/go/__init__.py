"""The Go ecosystem: modules, go.work workspaces, and how to build them in Docker.

This package is the plugin (see `bakegen.ecosystems.base.Ecosystem`). Scanning lives in
`discover` (workspaces, edges, binaries) and `manifest` (go.mod and go.work); Dockerfile
steps in `recipe`. Go cross-compiles, so its stages run on the builder's platform.
"""

from __future__ import annotations

from bakegen.ecosystems.base import any_name as name_problem
from bakegen.ecosystems.base import no_locked_members as locked_members
from bakegen.ecosystems.base import no_service_problem as service_problem
from bakegen.ecosystems.go.discover import ECOSYSTEM as name
from bakegen.ecosystems.go.discover import scan_go as scan
from bakegen.ecosystems.go.recipe import SECRETS as secrets
from bakegen.ecosystems.go.recipe import base_recipe, default_images, service_recipe
from bakegen.lockfiles.model import Parser
from bakegen.model import DepKind

__all__ = [
    "base_recipe", "binaries_are_services", "build_closure_kinds", "default_images",
    "display_name", "image_hints", "image_repositories", "image_variable", "language",
    "lock_commands", "locked_members", "lockfiles", "manifest_files", "name", "name_problem",
    "regenerate", "scaffold", "scan", "secrets", "service_problem", "service_recipe",
    "version_parts",
]

image_variable = "GO"
display_name = "Go"
manifest_files: tuple[str, ...] = ("go.mod", "go.work")
image_repositories: tuple[str, ...] = ("golang",)
image_hints: tuple[str, ...] = ("golang",)
version_parts = 2
binaries_are_services = True
build_closure_kinds = frozenset({DepKind.RUNTIME, DepKind.BUILD})
language = "go"
scaffold = "bakegen.onboarding.golang:GoLanguage"
#: go.sum records hashes, not a graph: a change to one falls back to its workspace
lockfiles: dict[str, Parser] = {}
regenerate: dict[str, str] = {}
#: manager -> the command that updates its lockfile only
lock_commands: dict[str, tuple[str, ...]] = {"go": ("go", "mod", "tidy")}
