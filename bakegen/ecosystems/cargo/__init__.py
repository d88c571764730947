"""The Cargo ecosystem: Rust workspaces, their crates, and how to build them in Docker.

This package is the plugin (see `bakegen.ecosystems.base.Ecosystem`). Scanning lives in
`discover` (membership, edges) and `manifest` (one Cargo.toml); the Rust version floor in
`versions`, Dockerfile steps in `recipe`, the Cargo.lock parser in `lockfile`. A crate's
targets (lib, bins, build script, declared tests/benches/examples) travel in
`Package.targets` as `kind:name -> path` pairs, because deps-base has to write a stub for
each of them.
"""

from __future__ import annotations

from bakegen.ecosystems.cargo.discover import ECOSYSTEM as name
from bakegen.ecosystems.cargo.discover import scan_cargo as scan
from bakegen.ecosystems.cargo.lockfile import PARSERS as lockfiles
from bakegen.ecosystems.cargo.recipe import base_recipe, default_images, service_recipe
from bakegen.model import DepKind

__all__ = [
    "base_recipe", "build_closure_kinds", "default_images", "image_variable", "language",
    "lock_commands", "lockfiles", "name", "scaffold", "scan", "service_recipe",
]

image_variable = "RUST"
build_closure_kinds = frozenset({DepKind.RUNTIME, DepKind.BUILD})
language = "rust"
scaffold = "bakegen.onboarding.rust:RustLanguage"
#: manager -> the command that updates its lockfile only
lock_commands: dict[str, tuple[str, ...]] = {"cargo": ("cargo", "update", "--workspace")}
