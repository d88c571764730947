"""Static sites among Node packages: a build that writes a site and no server of its own.

Such a package is served by bakegen's static web server (`bakegen.static_server`) from an
image FROM scratch, not by Node. It is one when it is no library (no workspace package
depends on it), its `build` script runs a static-site builder, and it has no `start` script
or one that only runs a development or preview server. Builders that also build libraries
(vite, parcel) count only with an `index.html` in the package's folder, Next.js only with
`output: "export"` in its config, SvelteKit only with adapter-static. `static = true|false`
in the config overrides the guess.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

# the module, not its name: static_server imports ecosystems.base, whose package imports
# this one, so `import bakegen.static_server` first would find BINARY not yet defined
from bakegen import static_server
from bakegen.ecosystems.node.devserver import starts_dev_server
from bakegen.errors import BakegenError
from bakegen.model import Package
from bakegen.tree import SourceTree, join

STATIC = "static"
#: builders whose output is always a site
_SITE_BUILDERS = re.compile(
    r"\b(?:react-scripts|astro|docusaurus|vitepress|vuepress|gatsby|ng|nuxi?\s+generate|"
    r"hexo|hugo)\s+build\b|\bnuxi?\s+generate\b|\beleventy\b|\b11ty\b"
)
#: builders that also build libraries: a site only with an index.html beside package.json
_PAGE_BUILDERS = re.compile(r"\b(?:vite|parcel)\s+build\b")
_NEXT_BUILD = re.compile(r"\bnext\s+build\b")
_NEXT_EXPORT = re.compile(r"""output\s*:\s*["'`]export["'`]""")
_ADAPTER_STATIC = re.compile(r"@sveltejs/adapter-static")
#: a start that serves the built files, which the static server does better
_PREVIEW = re.compile(r"\b(?:vite|astro|vitepress)\s+preview\b|\b(?:serve|http-server|sirv)\b")
_CONFIGS = (".js", ".mjs", ".cjs", ".ts", ".mts")


def mark_static_sites(tree: SourceTree, packages: Iterable[Package]) -> list[Package]:
    """The packages, static sites among them made services with the static server to run."""
    packages = list(packages)
    depended = {d.name for p in packages for d in p.dependencies}
    result = []
    for pkg in packages:
        why = None if pkg.name in depended else static_site_reason(tree, pkg)
        if why is not None:
            pkg = as_static_site(pkg, why)
        result.append(pkg)
    return result


def as_static_site(pkg: Package, why: str) -> Package:
    """The package as a service the static server runs."""
    return dataclasses.replace(
        pkg, deployable=True, deployable_reason=why, framework=STATIC,
        entrypoint=(static_server.BINARY,), entrypoint_reason="bakegen's static web server",
        entrypoint_problem=None,
    )


def static_site_reason(tree: SourceTree, pkg: Package) -> str | None:
    """Why the package is a static site, or None when it is not one."""
    build = pkg.script("build")
    if build is None:
        return None
    start = pkg.script("start")
    if start is not None and not (starts_dev_server(pkg) or _PREVIEW.search(start)):
        return None
    builder = _builder(tree, pkg, build)
    if builder is None:
        return None
    served = "no start script" if start is None else f'"start" only previews ({start})'
    return f'static site: "build" runs {builder}; {served}'


def _builder(tree: SourceTree, pkg: Package, build: str) -> str | None:
    if found := _SITE_BUILDERS.search(build):
        return found.group(0)
    if (found := _PAGE_BUILDERS.search(build)) and tree.exists(join(pkg.path, "index.html")):
        return found.group(0) + " with an index.html"
    if _NEXT_BUILD.search(build) and _config_says(tree, pkg, "next.config", _NEXT_EXPORT):
        return 'next build with output: "export"'
    if _PAGE_BUILDERS.search(build) and _config_says(tree, pkg, "svelte.config",
                                                      _ADAPTER_STATIC):
        return "vite build with SvelteKit's adapter-static"
    return None


def _config_says(tree: SourceTree, pkg: Package, stem: str, pattern: re.Pattern[str]) -> bool:
    for ext in _CONFIGS:
        rel = join(pkg.path, stem + ext)
        if not tree.exists(rel):
            continue
        try:
            if pattern.search(tree.read_text(rel)):
                return True
        except BakegenError:
            continue
    return False
