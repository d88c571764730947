"""What a `start` script resolves to in the runtime image (bakegen.ecosystems.node.start)."""

from __future__ import annotations

import pytest

from bakegen.ecosystems.node.start import NEXT, NITRO, resolve_start

SCRIPTS = {
    "with-env": "dotenv -e ../../.env --",
    "with:env": "dotenv -e .env -e .env.local --",
    "serve": "node dist/server.js",
}


@pytest.mark.parametrize(("start", "deps", "dev", "command", "framework"), [
    ("pnpm with-env next start", {"next"}, {"dotenv-cli"}, ("node", "server.js"), NEXT),
    ("next start -p 3000", {"next"}, set(), ("node", "server.js"), NEXT),
    ("vite start", set(), {"vite"}, ("node", ".output/server/index.mjs"), NITRO),
    ("vinxi start", {"vinxi"}, set(), ("node", ".output/server/index.mjs"), NITRO),
    ("dotenv -e ../.env -- node dist/index.js", set(), set(), ("node", "dist/index.js"), None),
    ("env-cmd -f .env node dist/index.js", set(), set(), ("node", "dist/index.js"), None),
    ("cross-env NODE_ENV=production node index.js", set(), set(), ("node", "index.js"), None),
    ("npm run with:env -- node app.js", set(), set(), ("node", "app.js"), None),
    ("yarn serve", set(), set(), ("node", "dist/server.js"), None),
    ("npm run serve", set(), set(), ("node", "dist/server.js"), None),
    ("npx prisma migrate deploy && node dist/main.js", set(), set(),
     ("node", "dist/main.js"), None),
    ("node --env-file=.env dist/main.js", set(), set(), ("node", "dist/main.js"), None),
    ("react-router-serve ./build/server/index.js", {"@react-router/serve"}, set(),
     ("react-router-serve", "./build/server/index.js"), None),
    ("remix-serve build/index.js", {"@remix-run/serve"}, set(),
     ("remix-serve", "build/index.js"), None),
    ("vite preview", set(), {"vite", "@sveltejs/adapter-node"}, ("node", "build/index.js"), None),
    ("nest start", set(), {"@nestjs/cli"}, ("node", "dist/main.js"), None),
    ("sh ./start.sh", set(), set(), ("sh", "./start.sh"), None),
])
def test_start_scripts_resolve_to_what_the_runtime_image_can_run(
    start: str, deps: set[str], dev: set[str], command: tuple[str, ...], framework: str | None
) -> None:
    found = resolve_start(start, SCRIPTS, deps, dev)
    assert (found.command, found.framework, found.resolved) == (command, framework, True)


@pytest.mark.parametrize(("start", "dev", "reason"), [
    ("tsx src/index.ts", {"tsx"}, "tsx is a devDependency, absent from the runtime image"),
    ("pnpm --filter x start", set(), "pnpm --filter runs a script of another folder"),
    ("node server.js | pino-pretty", set(), "shell syntax bakegen does not follow"),
    ("npm run missing", set(), ""),
])
def test_unresolvable_scripts_fall_back_to_npm_with_a_reason(
    start: str, dev: set[str], reason: str
) -> None:
    found = resolve_start(start, SCRIPTS, set(), dev)
    assert found.command == ("npm", "run", "start") and not found.resolved
    assert reason in found.reason


def test_main_is_the_fallback_when_there_is_one() -> None:
    found = resolve_start("tsx src/index.ts", {}, set(), {"tsx"}, main="dist/index.js")
    assert found.command == ("node", "dist/index.js") and found.resolved
    assert found.reason.endswith('runs "main" instead')


def test_a_script_calling_itself_stops() -> None:
    found = resolve_start("npm run a", {"a": "npm run b", "b": "npm run a"}, set(), set())
    assert not found.resolved


# --- bun as the runtime ------------------------------------------------------------------


@pytest.mark.parametrize(("start", "scripts", "command"), [
    ("bun src/index.ts", {}, ("bun", "src/index.ts")),
    ("bun run src/server.tsx --port 8080", {}, ("bun", "src/server.tsx", "--port", "8080")),
    ("bun --smol dist/index.js", {}, ("bun", "--smol", "dist/index.js")),
    ("bun run --env-file=.env.production src/index.ts", {}, ("bun", "src/index.ts")),
    ("bun --env-file .env src/index.ts", {}, ("bun", "src/index.ts")),
    ("bun run start:prod", {"start:prod": "bun build.ts && bun out/main.mjs"},
     ("bun", "out/main.mjs")),
    # a script named like a file is still the script
    ("bun run main.js", {"main.js": "node dist/main.js"}, ("node", "dist/main.js")),
])
def test_a_bun_workspace_runs_files_on_bun(
    start: str, scripts: dict[str, str], command: tuple[str, ...]
) -> None:
    found = resolve_start(start, scripts, set(), set(), bun=True)
    assert (found.command, found.resolved) == (command, True)


def test_bun_outside_a_bun_workspace_is_not_in_the_image() -> None:
    found = resolve_start("bun src/index.ts", {}, set(), set())
    assert found.command == ("npm", "run", "start") and not found.resolved
    assert "only a bun workspace's image carries bun" in found.reason
    on_main = resolve_start("bun src/index.ts", {}, set(), set(), main="dist/index.js")
    assert on_main.command == ("node", "dist/index.js")


def test_bun_with_a_bin_or_a_script_is_not_a_file() -> None:
    served = resolve_start("bun x serve dist", {}, {"serve"}, set(), bun=True)
    assert served.command == ("serve", "dist") and "env-file" not in served.reason
    assert "env-file" not in resolve_start(
        "bun --env-file=.env x serve", {}, {"serve"}, set(), bun=True).reason
    assert resolve_start("bun run serve", SCRIPTS, set(), set(), bun=True).command == (
        "node", "dist/server.js")
