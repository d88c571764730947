"""The Cargo ecosystem: Rust workspaces, their crates, and how to build them in Docker.

This package is the plugin (see `bakegen.ecosystems.base.Ecosystem`). Scanning lives in
`discover` (membership, edges) and `manifest` (one Cargo.toml); the Rust version floor in
`versions`, Dockerfile steps in `recipe`, the Cargo.lock parser in `lockfile`. A crate's
targets (lib, bins, build script, declared tests/benches/examples) travel in
`Package.targets` as `kind:name -> path` pairs, because deps-base has to write a stub for
each of them.
"""

from __future__ import annotations

from bakegen.ecosystems.base import no_service_problem as service_problem
from bakegen.ecosystems.cargo.discover import ECOSYSTEM as name
from bakegen.ecosystems.cargo.discover import scan_cargo as scan
from bakegen.ecosystems.cargo.lockfile import PARSERS as lockfiles
from bakegen.ecosystems.cargo.lockfile import REGENERATE as regenerate
from bakegen.ecosystems.cargo.lockfile import locked_members
from bakegen.ecosystems.cargo.manifest import name_problem
from bakegen.ecosystems.cargo.recipe import SECRETS as secrets
from bakegen.ecosystems.cargo.recipe import base_recipe, default_images, service_recipe
from bakegen.model import DepKind

__all__ = [
    "base_recipe", "binaries_are_services", "build_closure_kinds", "default_images",
    "display_name", "image_hints", "image_repositories", "image_variable", "language",
    "lock_commands", "locked_members", "lockfiles", "manifest_files", "name", "name_problem",
    "regenerate", "scaffold", "scan", "secrets", "service_problem", "service_recipe",
    "version_parts",
]

image_variable = "RUST"
display_name = "Rust"
manifest_files: tuple[str, ...] = ("Cargo.toml",)
image_repositories: tuple[str, ...] = ("rust",)
image_hints: tuple[str, ...] = ("rust", "cargo")
version_parts = 2
binaries_are_services = True
build_closure_kinds = frozenset({DepKind.RUNTIME, DepKind.BUILD})
language = "rust"
scaffold = "bakegen.onboarding.rust:RustLanguage"
#: manager -> the command that updates its lockfile only
lock_commands: dict[str, tuple[str, ...]] = {"cargo": ("cargo", "update", "--workspace")}
