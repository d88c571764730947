"""Static sites: which Node packages are, and how their image is made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dockerfile
import pytest

from bakegen import static_server
from bakegen.ecosystems import node as node_ecosystem
from bakegen.ecosystems.node.static import STATIC
from bakegen.model import Package
from bakegen.settings import ServiceSettings
from bakegen.tree import SourceTree
from tests.builders import write_tree

ECO = node_ecosystem


def _scan(
    tmp_path: Path, apps: dict[str, dict[str, Any]], files: dict[str, str]
) -> dict[str, Package]:
    tree: dict[str, Any] = {
        "package.json": {"name": "root", "private": True, "workspaces": ["apps/*"]},
        "package-lock.json": {"lockfileVersion": 3, "packages": {}},
        **files,
    }
    for name, manifest in apps.items():
        tree[f"apps/{name}/package.json"] = {"name": name, "version": "1.0.0", **manifest}
    write_tree(tmp_path, tree)
    return {p.name: p for p in ECO.scan(SourceTree.scan(tmp_path)).packages}


def test_static_sites_are_told_from_libraries_and_servers(tmp_path: Path) -> None:
    found = _scan(tmp_path, {
        "spa": {"scripts": {"build": "vite build", "dev": "vite"}},
        "lib": {"scripts": {"build": "vite build"}},  # library mode: no index.html
        "cra": {"scripts": {"build": "react-scripts build", "start": "react-scripts start"}},
        "docs": {"scripts": {"build": "docusaurus build", "serve": "docusaurus serve"}},
        "preview": {"scripts": {"build": "astro build", "start": "astro preview"}},
        "server": {"scripts": {"build": "vite build", "start": "node server.js"}},
        "export": {"scripts": {"build": "next build"}},
        "ssr": {"scripts": {"build": "next build"}},
        "used": {"scripts": {"build": "gatsby build"}},
        "app": {"scripts": {"start": "node ."}, "dependencies": {"used": "*"}},
    }, {
        "apps/spa/index.html": "<html></html>\n",
        "apps/server/index.html": "<html></html>\n",
        "apps/export/next.config.mjs": "export default { output: 'export' };\n",
        "apps/ssr/next.config.mjs": "export default {};\n",
    })
    static = {n for n, p in found.items() if p.framework == STATIC}
    assert static == {"spa", "cra", "docs", "preview", "export"}
    assert all(found[n].deployable for n in static)
    assert found["spa"].deployable_reason == (
        'static site: "build" runs vite build with an index.html; no start script')
    assert found["cra"].deployable_reason.endswith('"start" only previews (react-scripts start)')
    assert found["spa"].entrypoint == (static_server.BINARY,)
    # a library another package depends on, a server of its own, a Next server: not static
    assert not found["lib"].deployable and found["server"].framework is None
    assert found["used"].framework is None and found["ssr"].framework is None


def test_static_site_image_is_the_server_and_the_site_from_scratch(tmp_path: Path) -> None:
    pkg = _scan(tmp_path / "x", {"spa": {"scripts": {"build": "vite build"}}},
                {"apps/spa/index.html": "<html></html>\n"})["spa"]
    [ws] = ECO.scan(SourceTree.scan(tmp_path / "x")).workspaces
    recipe = ECO.service_recipe(ws, pkg, (), ServiceSettings())
    assert recipe.final_base == "scratch" and not recipe.links_production_base
    # the server comes from its own target (named context), built beside the bases
    assert [s.name for s in recipe.stages] == ["site"]
    assert recipe.tools == (static_server.tool(),)
    assert recipe.runtime == (
        "COPY --from=bakegen-static-server /static-server /static-server",
        "COPY --from=site /site/ /site/",
        "EXPOSE 8080",
    )
    assert recipe.command == ("/static-server",)
    assert recipe.healthcheck == '["/static-server", "-probe", "/"]'
    assert recipe.image_args == ()
    tool = static_server.tool()
    assert tool.image_args == (("STATIC_SERVER_BUILD_IMAGE", "golang:1-bookworm"),)
    assert [(s.name, s.base) for s in tool.stages] == [
        ("static-server", "--platform=$BUILDPLATFORM ${STATIC_SERVER_BUILD_IMAGE}"),
        ("server", "scratch")]
    site = recipe.stages[0].instructions[0]
    assert "cd /workspace/apps/spa" in site and "for d in dist build out" in site
    with_path = ECO.service_recipe(ws, pkg, (), ServiceSettings(port=80, health="/up"))
    assert with_path.healthcheck == '["/static-server", "-probe", "/up"]'
    assert "EXPOSE 8080" not in with_path.runtime


def test_server_source_survives_the_shell_quoting() -> None:
    run = static_server.server_stage().instructions[-1]
    parsed = list(dockerfile.parse_string(f"FROM golang\n{run}\n"))
    assert parsed[-1].cmd == "RUN"
    # printf '%s\n' '<line>' ...: a single quote in the Go source would end the word
    assert not any("'" in line for line in static_server._SOURCE)
    assert "package main" in static_server._SOURCE


@pytest.mark.parametrize("static", [True, False])
def test_config_static_overrides_the_guess(tmp_path: Path, static: bool) -> None:
    from bakegen.config import parse_config
    from bakegen.scan.repository import scan_tree

    write_tree(tmp_path, {
        "package.json": {"name": "root", "private": True, "workspaces": ["apps/*"]},
        "package-lock.json": {"lockfileVersion": 3, "packages": {}},
        "apps/site/package.json": {"name": "site", "scripts": {"build": "node gen.js"}},
        "apps/spa/package.json": {"name": "spa", "scripts": {"build": "vite build"}},
        "apps/spa/index.html": "<html></html>\n",
    })
    config = parse_config({"service": {"site": {"static": static},
                                       "spa": {"static": static}}}, "bakegen.toml")
    found = {p.name: p for p in scan_tree(SourceTree.scan(tmp_path), config).packages}
    assert found["site"].deployable is static and found["spa"].deployable is static
    assert (found["site"].framework == STATIC) is static


def test_a_static_site_links_deps_base_only(tmp_path: Path) -> None:
    import shutil

    import hcl2
    from click.testing import CliRunner

    from bakegen.cli import cli

    cases = Path(__file__).parents[2] / "cases"
    root = shutil.copytree(cases / "rb-static" / "workspace", tmp_path / "ws")
    assert CliRunner().invoke(cli, ["generate", str(root)]).exit_code == 0
    bake = hcl2.loads((root / "docker-bake.hcl").read_text())
    targets = {k.strip('"'): v for block in bake["target"] for k, v in block.items()}
    sites = [t for t in targets if not t.endswith("-base")
             and t not in ("_common", static_server.TARGET)]
    assert sorted(sites) == ["rb-docs", "rb-spa"]
    for site in sites:
        # FROM scratch with the static server: production-base would be built for nothing
        contexts = {k.strip('"'): v for k, v in targets[site]["contexts"].items()}
        assert list(contexts) == ["deps-base", static_server.TARGET], site
        # in CI mode too: the server's target builds beside the bases, from its cache
        assert contexts[static_server.TARGET].strip('"') == f"target:{static_server.TARGET}"
    # one server target for both sites: no tags (never pushed), the shared cache
    server = targets[static_server.TARGET]
    assert server["dockerfile"].strip('"') == "docker/static-server.Dockerfile"
    assert "tags" not in server
    assert any("bakegen-static-server:${CACHE_TAG}" in c for c in server["cache-from"])
    assert (root / "docker/static-server.Dockerfile").read_text().count(" AS ") == 2
    ignore = (root / "docker/static-server.Dockerfile.dockerignore").read_text()
    assert "\n*\n" in ignore and "\n!" not in ignore
