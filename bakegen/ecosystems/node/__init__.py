"""The Node ecosystem: npm, yarn (1 and 2+), pnpm and bun workspaces.

This package is the plugin (see `bakegen.ecosystems.base.Ecosystem`). Scanning lives in
`discover` (workspaces, managers, tool files) and `manifest` (one `package.json` to a
Package); the runtime version in `versions`, start commands in `start`, Dockerfile steps in
`recipe`, and lockfile parsers in `lockfile`.
"""

from __future__ import annotations

from bakegen.ecosystems.base import any_name as name_problem
from bakegen.ecosystems.node.devserver import service_problem
from bakegen.ecosystems.node.discover import scan_node as scan
from bakegen.ecosystems.node.lockfile import PARSERS as lockfiles
from bakegen.ecosystems.node.lockfile import REGENERATE as regenerate
from bakegen.ecosystems.node.lockfile import locked_members
from bakegen.ecosystems.node.recipe import SECRETS as secrets
from bakegen.ecosystems.node.recipe import base_recipe, default_images, service_recipe
from bakegen.model import DepKind

__all__ = [
    "base_recipe", "binaries_are_services", "build_closure_kinds", "default_images",
    "display_name", "image_hints", "image_repositories", "image_variable", "language",
    "lock_commands", "locked_members", "lockfiles", "manifest_files", "name", "name_problem",
    "regenerate", "scaffold", "scan", "secrets", "service_problem", "service_recipe",
    "version_parts",
]

name = "node"
image_variable = "NODE"
display_name = "Node"
manifest_files: tuple[str, ...] = ("package.json",)
image_repositories: tuple[str, ...] = ("node",)
image_hints: tuple[str, ...] = ("node", "bun", "deno")
version_parts = 1
#: a Node build needs internal dev dependencies too (a shared tsconfig package)
binaries_are_services = False
build_closure_kinds = frozenset({DepKind.RUNTIME, DepKind.BUILD, DepKind.DEV})
language = "node"
scaffold = "bakegen.onboarding.node:NodeLanguage"
#: manager -> the command that updates its lockfile only (yarn classic needs none: its
#: lockfile lists no workspace package)
lock_commands: dict[str, tuple[str, ...]] = {
    "npm": ("npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"),
    "pnpm": ("pnpm", "install", "--lockfile-only", "--ignore-scripts"),
    "yarn-berry": ("yarn", "install", "--mode=update-lockfile"),
    "bun": ("bun", "install", "--lockfile-only"),
}
