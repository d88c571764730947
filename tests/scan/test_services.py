"""Heuristic service candidates that are not services, and why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.ecosystems.node.devserver import _DEV_SERVER
from tests.builders import write_tree

CASES = Path(__file__).parents[1] / "cases"


def test_scan_says_why_each_candidate_is_or_is_not_a_service(tmp_path: Path) -> None:
    root = shutil.copytree(CASES / "heuristics-rejected" / "workspace", tmp_path / "ws")
    result = CliRunner().invoke(cli, ["scan", str(root)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "warning" not in result.output  # rejected candidates' start scripts need no word
    rows = [" ".join(line.split()) for line in result.stdout.splitlines()[1:11]]
    assert rows == [
        'cargo bench crates/bench library not a service: bin target src/main.rs, but "bench" '
        "names a benchmark, example, tool or test, not a service",
        'cargo docgen crates/docgen library not a service: bin target src/main.rs, but "docgen" '
        "names a benchmark, example, tool or test, not a service",
        "cargo load-test crates/load-test library not a service: bin target src/main.rs, but "
        '"load-test" names a benchmark, example, tool or test, not a service',
        "cargo server crates/server service bin target src/main.rs; runs server",
        'node @m/admin apps/admin library not a service: "start" script: vite, but it starts a '
        "development server or desktop shell",
        'node @m/api apps/api service "start" script: node index.js; runs node index.js (node '
        "runs it directly)",
        'node @m/desk apps/desk library not a service: "start" script: node index.js, but it is '
        "a desktop app (Tauri)",
        'node @m/mailer apps/mailer library not a service: "start" script: email dev --port '
        "3001, but it starts a development server or desktop shell",
        'node @m/site apps/site library not a service: "start" script: next dev -p 3000, but it '
        "starts a development server or desktop shell",
        'node @m/watcher apps/watcher library not a service: "start" script: tsx watch '
        "src/index.ts, but it starts a development server or desktop shell",
    ]


@pytest.mark.parametrize("start", [
    "next dev", "vite", "vite --port 3000", "vite dev", "nodemon src/index.js", "tsx watch x.ts",
    "gatsby develop", "webpack serve", "react-scripts start", "node --watch a.js",
    "storybook dev -p 6006", "electron .", "astro dev", "bun --watch src/index.ts",
    "bun --hot src/index.ts", "bun run --hot src/index.ts", "bun --smol --watch index.ts",
    # react-email's preview app, in development and built
    "email dev --port 3003", "email start", "email preview ./emails",
])
def test_dev_servers(start: str) -> None:
    assert _DEV_SERVER.search(start)


@pytest.mark.parametrize("start", [
    "node server.js", "next start", "node dist/main.js", "vite-node src/server.ts --prod",
    "remix-serve build", "astro preview --host", "bun src/index.ts", "bun --smol dist/hot.js",
])
def test_production_starts(start: str) -> None:
    assert not _DEV_SERVER.search(start)


def test_declared_services_leave_heuristic_ones_out_and_include_wins(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "m", "private": True, "workspaces": ["apps/*"]},
        "yarn.lock": "# yarn lockfile v1\n\n\n",
        "apps/api/package.json": {"name": "api", "version": "1.0.0",
                                  "scripts": {"start": "node a.js"}},
        "apps/web/package.json": {"name": "web", "version": "1.0.0",
                                  "scripts": {"start": "node w.js"}},
        "apps/cron/package.json": {"name": "cron", "version": "1.0.0",
                                   "scripts": {"start": "node c.js"}},
        "docker/api.Dockerfile": "FROM node:22\nCOPY apps/api /app\n",
        "bakegen.toml": 'services.include = ["cron"]\n',
    })
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--json"], catch_exceptions=False)
    packages = {p["name"]: p for p in json.loads(result.stdout)["packages"]}
    assert packages["api"]["deployable"] and packages["cron"]["deployable"]
    assert not packages["web"]["deployable"]
    assert packages["web"]["rejected"] == (
        '"start" script: node w.js, but the repo declares its services '
        "(docker/api.Dockerfile) and none builds it")
    assert packages["cron"]["rejected"] is None


@pytest.mark.parametrize(("scripts", "service"), [
    ({"start": "npm run start:dev", "start:dev": "node x.js"}, False),
    ({"start": "pnpm build:watch"}, False),
    ({"start": "yarn serve", "serve": "vite preview"}, False),
    ({"start": "npm run prod", "prod": "node dist/main.js"}, True),
    ({"start": "npm run start", "x": "y"}, True),  # a loop is no dev server
])
def test_start_scripts_are_followed_to_what_they_run(
    tmp_path: Path, scripts: dict[str, str], service: bool
) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "m", "private": True, "workspaces": ["apps/*"]},
        "yarn.lock": "# yarn lockfile v1\n\n\n",
        "apps/api/package.json": {"name": "api", "version": "1.0.0", "scripts": scripts},
    })
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--json"], catch_exceptions=False)
    assert json.loads(result.stdout)["packages"][0]["deployable"] is service


def test_a_crate_whose_binaries_are_all_tools_is_no_service(tmp_path: Path) -> None:
    crate = '[package]\nname = "{0}"\nversion = "0.1.0"\nedition = "2021"\n'
    write_tree(tmp_path, {
        "Cargo.toml": '[workspace]\nmembers = ["core", "server"]\n',
        "Cargo.lock": "version = 4\n",
        "core/Cargo.toml": crate.format("core"),
        "core/src/lib.rs": "",
        "core/src/bin/generate_types.rs": "fn main() {}\n",
        "server/Cargo.toml": crate.format("server"),
        "server/src/main.rs": "fn main() {}\n",
    })
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--json"], catch_exceptions=False)
    packages = {p["name"]: p for p in json.loads(result.stdout)["packages"]}
    assert packages["server"]["deployable"]
    assert packages["core"]["rejected"] == (
        "bin target src/bin/generate_types.rs, but its binaries (generate_types) are tools, "
        "not services")


@pytest.mark.parametrize(("start", "dev", "framework_server"), [
    ("vite start", {"nitropack": "2.12.9"}, ".output/server/index.mjs"),
    ("pnpm with-env next start", {"next": "15.5.4"}, "server.js"),
])
def test_a_framework_start_whose_server_the_image_runs_stays_a_service(
    tmp_path: Path, start: str, dev: dict[str, str], framework_server: str
) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "m", "private": True, "workspaces": ["apps/*"]},
        "yarn.lock": "# yarn lockfile v1\n\n\n",
        "apps/ssr/package.json": {"name": "ssr", "version": "1.0.0", "devDependencies": dev,
                                  "scripts": {"build": "x", "start": start,
                                              "with-env": "dotenv -e ../../.env --"}},
    })
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--json"], catch_exceptions=False)
    package = json.loads(result.stdout)["packages"][0]
    assert package["deployable"] is True
    assert package["entrypoint"][-1] == framework_server
