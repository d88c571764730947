"""The Node ecosystem: npm, yarn (1 and 2+), pnpm and bun workspaces.

Scanning lives in `node_scan` (workspaces, managers, tool files) and `node_manifest` (one
`package.json` to a Package); Dockerfile steps in `node_recipes`.
"""

from __future__ import annotations

from bakegen.config import ServiceSettings
from bakegen.ecosystems import BaseRecipe, ServiceRecipe
from bakegen.ecosystems import node_recipes as recipes
from bakegen.ecosystems.node_scan import scan_node
from bakegen.health import node_probe, probed
from bakegen.model import DepKind, EcosystemScan, Package, Workspace
from bakegen.tree import SourceTree


class NodeEcosystem:
    """Finds Node packages and builds them on one shared install per workspace."""

    name = "node"
    image_variable = "NODE"
    # a Node build needs internal dev dependencies too (a shared tsconfig package)
    build_closure_kinds = frozenset({DepKind.RUNTIME, DepKind.BUILD, DepKind.DEV})

    def scan(self, tree: SourceTree) -> EcosystemScan:
        """Find workspaces and packages, their internal dependencies, and problems."""
        return scan_node(tree)

    def default_images(self, workspace: Workspace) -> tuple[str, str]:
        """(build image, runtime image) of the Node major the repo asks for."""
        return recipes.default_images(workspace)

    def base_recipe(
        self, workspace: Workspace, packages: tuple[Package, ...], dependencies: str = "shared"
    ) -> BaseRecipe:
        """The deps-base and production-base contents for this workspace."""
        return recipes.base_recipe(workspace, packages, dependencies)

    def service_recipe(
        self,
        workspace: Workspace,
        service: Package,
        closure: tuple[Package, ...],
        settings: ServiceSettings,
        dependencies: str = "shared",
    ) -> ServiceRecipe:
        """The build and runtime steps of one service; `closure` excludes the service."""
        recipe = recipes.service_recipe(workspace, service, closure, settings, dependencies)
        return probed(recipe, settings, node_probe)
