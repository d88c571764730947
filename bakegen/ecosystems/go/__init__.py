"""The Go ecosystem: modules, go.work workspaces, and how to build them in Docker.

This package is the plugin (see `bakegen.ecosystems.base.Ecosystem`). Scanning lives in
`discover` (workspaces, edges, binaries) and `manifest` (go.mod and go.work); Dockerfile
steps in `recipe`. Go cross-compiles, so its stages run on the builder's platform.
"""

from __future__ import annotations

from bakegen.ecosystems.go.discover import ECOSYSTEM as name
from bakegen.ecosystems.go.discover import scan_go as scan
from bakegen.ecosystems.go.recipe import base_recipe, default_images, service_recipe
from bakegen.lockfiles.model import Parser
from bakegen.model import DepKind

__all__ = [
    "base_recipe", "build_closure_kinds", "default_images", "image_variable", "language",
    "lock_commands", "lockfiles", "name", "scaffold", "scan", "service_recipe",
]

image_variable = "GO"
build_closure_kinds = frozenset({DepKind.RUNTIME, DepKind.BUILD})
language = "go"
scaffold = "bakegen.onboarding.golang:GoLanguage"
#: go.sum records hashes, not a graph: a change to one falls back to its workspace
lockfiles: dict[str, Parser] = {}
#: manager -> the command that updates its lockfile only
lock_commands: dict[str, tuple[str, ...]] = {"go": ("go", "mod", "tidy")}
