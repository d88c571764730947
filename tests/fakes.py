"""A minimal in-memory ecosystem for planning and rendering tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bakegen.config import Config
from bakegen.ecosystems.base import BaseRecipe, Ecosystem, ServiceRecipe, Stage
from bakegen.fingerprint import fingerprint_bases
from bakegen.graph import package_graph
from bakegen.lockfiles.model import Parser
from bakegen.model import Dependency, DepKind, EcosystemScan, Package, ScanResult, Workspace
from bakegen.plan import Plan, make_plan
from bakegen.render.files import render_files
from bakegen.settings import ServiceSettings
from bakegen.tree import SourceTree


@dataclass
class FakeEcosystem:
    name: str = "node"
    image_variable: str = "NODE"
    build_closure_kinds: frozenset[DepKind] = field(
        default_factory=lambda: frozenset({DepKind.RUNTIME, DepKind.BUILD})
    )
    lockfiles: dict[str, Parser] = field(default_factory=dict)
    lock_commands: dict[str, tuple[str, ...]] = field(default_factory=dict)
    language: str = "node"
    scaffold: str = "bakegen.onboarding.node:NodeLanguage"

    def scan(self, tree: SourceTree) -> EcosystemScan:
        return EcosystemScan()

    def default_images(self, workspace: Workspace) -> tuple[str, str]:
        return ("node:20-bookworm-slim", "node:20-bookworm-slim")

    def base_recipe(
        self, workspace: Workspace, packages: tuple[Package, ...], dependencies: str = "shared"
    ) -> BaseRecipe:
        return BaseRecipe(
            deps=("COPY . ./", "RUN --mount=type=cache,target=/root/.npm npm ci"),
            intermediate=(Stage("prod-deps", "deps-base", ("RUN npm prune --omit=dev",)),),
            production=("COPY --from=prod-deps /workspace/node_modules ./node_modules",),
        )

    def service_recipe(
        self,
        workspace: Workspace,
        service: Package,
        closure: tuple[Package, ...],
        settings: ServiceSettings,
        dependencies: str = "shared",
    ) -> ServiceRecipe:
        paths = tuple(p.path for p in (*closure, service))
        return ServiceRecipe(
            build=("COPY . ./",),
            runtime=tuple(f"COPY --from=build /workspace/{p} ./{p}" for p in paths),
            command=("node", f"{service.path}/index.js"),
            context=paths,
        )


def fake_scan(spec: dict[str, tuple[bool, tuple[str, ...]]], eco: str = "node") -> ScanResult:
    """{name: (deployable, (runtime deps...))} -> a ScanResult with one workspace."""
    packages = tuple(
        Package(
            ecosystem=eco,
            name=name,
            path=f"pkgs/{name.strip('@').replace('/', '-')}",
            manifest=f"pkgs/{name.strip('@').replace('/', '-')}/package.json",
            workspace=".",
            dependencies=tuple(Dependency(d, DepKind.RUNTIME) for d in deps),
            deployable=deployable,
        )
        for name, (deployable, deps) in sorted(spec.items())
    )
    ws = Workspace(
        ecosystem=eco,
        root=".",
        manager="npm",
        lockfile="package-lock.json",
        manifests=("package.json", *(p.manifest for p in packages)),
        packages=tuple(p.name for p in packages),
    )
    return ScanResult(root="/repo", workspaces=(ws,), packages=packages)


def plan_of(
    scan: ScanResult, config: Config, ecosystems: Mapping[str, Ecosystem], **inputs: Any
) -> Plan:
    """The graph and plan stages, as the pipeline runs them."""
    return make_plan(scan, package_graph(scan.packages), config, ecosystems, **inputs)


def files_of(plan: Plan, digests: Mapping[str, str] | None = None) -> dict[str, str]:
    """The fingerprint and render stages, as the pipeline runs them."""
    return render_files(plan, fingerprint_bases(plan, digests or {}))
