"""The Cargo ecosystem: Rust workspaces, their crates, and how to build them in Docker.

Scanning lives in `cargo_workspace` (membership, edges) and `cargo_manifest` (one
Cargo.toml); Dockerfile steps in `cargo_recipe`. A crate's targets (lib, bins, build
script, declared tests/benches/examples) travel in `Package.targets` as `kind:name -> path`
pairs, because deps-base has to write a stub for each of them.
"""

from __future__ import annotations

from bakegen.config import ServiceSettings
from bakegen.ecosystems import BaseRecipe, ServiceRecipe, cargo_recipe
from bakegen.ecosystems.cargo_workspace import ECOSYSTEM, scan_cargo
from bakegen.health import compiled_probe
from bakegen.model import DepKind, EcosystemScan, Package, Workspace
from bakegen.tree import SourceTree


class CargoEcosystem:
    """Cargo workspaces (any `[workspace]` root) and standalone crates."""

    name = ECOSYSTEM
    image_variable = "RUST"
    build_closure_kinds = frozenset({DepKind.RUNTIME, DepKind.BUILD})

    def scan(self, tree: SourceTree) -> EcosystemScan:
        """Find workspaces, crates and their internal path dependencies."""
        return scan_cargo(tree)

    def default_images(self, workspace: Workspace) -> tuple[str, str]:
        """`rust:<version>-slim-bookworm` to build, `debian:bookworm-slim` to run."""
        return cargo_recipe.default_images(workspace)

    def base_recipe(
        self, workspace: Workspace, packages: tuple[Package, ...], dependencies: str = "shared"
    ) -> BaseRecipe:
        """Stubs, vendored dependencies, and dependencies compiled for every service.

        `dependencies` changes nothing: a service image holds only its own binaries.
        """
        return cargo_recipe.base_recipe(workspace, packages)

    def service_recipe(
        self,
        workspace: Workspace,
        service: Package,
        closure: tuple[Package, ...],
        settings: ServiceSettings,
        dependencies: str = "shared",
    ) -> ServiceRecipe:
        """Compile the service's bins offline; the final image gets only the binaries."""
        recipe = cargo_recipe.service_recipe(workspace, service, closure, settings)
        return compiled_probe(recipe, settings)
