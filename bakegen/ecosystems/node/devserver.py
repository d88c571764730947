"""Whether a Node package's `start` runs a development server or a watch loop.

Such a package is no service (its image would run `next dev`), and no static site to serve
either; both the scan's service rules and the static-site detection ask here.
"""

from __future__ import annotations

import re

from bakegen.model import Package

_DEV_SERVER = re.compile(
    r"\b(?:next|nuxt|nuxi|astro|remix|vitepress|vuepress|svelte-kit|solid-start|waku) dev\b"
    r"|\bvite(?:\s+(?:dev|serve|preview)\b|\s*$|\s+--)"
    r"|(?:^|[\s;&|])vite(?:$|[\s;&|])"
    r"|\bnodemon\b|\bts-node-dev\b|\btsx\s+watch\b|\bnode\s+--watch\b"
    r"|\bbun\s+(?:run\s+)?(?:--[\w-]+\s+)*--(?:watch|hot)\b"
    r"|\bgatsby develop\b|\bwebpack(?:-dev-server|\s+serve)\b|\breact-scripts start\b"
    r"|\bng serve\b|\bdocusaurus start\b|\b(?:start-)?storybook\b|\bexpo start\b"
    r"|\breact-native start\b|\bemail (?:dev|start|preview)\b|\bparcel(?!\s+build)\b"
    r"|\bbrowser-sync\b|\blive-server\b|\belectron\b|\btauri\b|\beleventy\s+--serve\b"
    r"|\bhugo server\b"
)


def starts_dev_server(pkg: Package) -> bool:
    """Whether `start`, or a script it runs (`npm run start:dev`, `pnpm build:watch`), is a
    development server or a watch loop."""
    name = "start"
    seen: set[str] = set()
    while name not in seen and len(seen) < 5:
        seen.add(name)
        command = pkg.script(name)
        if command is None:
            return False
        if _DEV_SERVER.search(command):
            return True
        called = _RUN_SCRIPT.match(command.strip())
        if called is None:
            return False
        name = called.group(1)
        if _DEV_SCRIPT_NAME.search(name):
            return True
    return False


_RUN_SCRIPT = re.compile(
    r"(?:npm|pnpm|yarn|bun)(?:\s+--?[\w-]+)*\s+(?:run(?:-script)?\s+)?([\w:.-]+)\s*(?:$|&&|;)")
_DEV_SCRIPT_NAME = re.compile(r"(?:^|[:_-])(?:dev|develop|development|watch)(?:$|[:_-])")


def service_problem(package: Package) -> str | None:
    """A package whose start script runs a dev server or desktop shell is no service (a
    framework whose production server the image runs, `next start`, is one)."""
    if package.framework is None and starts_dev_server(package):
        return "it starts a development server or desktop shell"
    return None
