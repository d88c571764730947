"""Services the repo declares: compose builds and Dockerfiles, attached to their packages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import hcl2
import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.dockerfiles import dockerfile_name, is_dev_variant, read_dockerfile
from tests.builders import write_tree

CASES = Path(__file__).parents[1] / "cases"
YARN_LOCK = "# yarn lockfile v1\n\n\n"


def scan(root: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["scan", str(root), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def services(data: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["deployable_reason"] for p in data["packages"] if p["deployable"]}


def generated_targets(root: Path) -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["generate", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    bake = hcl2.loads((root / "docker-bake.hcl").read_text())
    return {
        name.strip('"'): {k: v.strip('"') if isinstance(v, str) else v for k, v in body.items()}
        for block in bake["target"]
        for name, body in block.items()
    }


@pytest.mark.parametrize(("rel", "name"), [
    ("Dockerfile", ""),
    ("apps/api/Containerfile", ""),
    ("Dockerfile.api", "api"),
    ("api.Dockerfile", "api"),
    ("docker/api-gateway.Dockerfile", "api-gateway"),
    ("build_script/Dockerfile_mysql", "mysql"),
    ("Dockerfile-web", "web"),
    ("private-location.dockerfile", "private-location"),
    ("Dockerfile.dockerignore", None),
    ("app/settings/dockerfile-settings.tsx", None),
    ("docs/Dockerfile.md", None),
    ("Dockerfile.template", None),
    ("deploy/Dockerfile.j2", None),
    ("Dockerfile.python", "python"),
    ("Dockerfile.node20", "node20"),
    ("api.prod.Dockerfile", "api.prod"),
    ("Dockerfiles", None),
    ("docker-compose.yml", None),
])
def test_dockerfile_names(rel: str, name: str | None) -> None:
    assert dockerfile_name(rel) == name


def test_dev_variants() -> None:
    assert is_dev_variant("dev") and is_dev_variant("api.test") and is_dev_variant("ci")
    assert not is_dev_variant("api") and not is_dev_variant("") and not is_dev_variant("prod")


def test_read_dockerfile_keeps_context_copies_only() -> None:
    info = read_dockerfile("Dockerfile", (
        "FROM node:22 AS build\n"
        'COPY ["apps/web", "/w"]\n'
        "COPY --chown=1:1 libs/ui/package.json \\\n  /w/libs/ui/\n"
        "ADD https://example.com/x.tgz /x\n"
        "COPY --from=build /w /w\n"
        "COPY <<EOF /etc/motd\nhi\nEOF\n"
        "COPY ${APP}/ /app\n"
        "FROM build\n"
        "FROM gcr.io/distroless/nodejs22\n"
    ))
    assert info.problem is None
    assert info.copies == ("apps/web", "libs/ui/package.json")
    assert info.images == ("node:22", "gcr.io/distroless/nodejs22")


def test_unparseable_dockerfile_is_a_problem_value() -> None:
    info = read_dockerfile("Dockerfile", "FROM a\nRUN <<EOF\n")
    assert info.problem is not None and info.problem.startswith("cannot parse the Dockerfile")


def test_docker_folder_is_the_only_evidence_of_five_services(tmp_path: Path) -> None:
    root = shutil.copytree(CASES / "evidence-docker-folder" / "workspace", tmp_path / "ws")
    data = scan(root)
    assert services(data) == {
        "api-gateway": "built by docker/api-gateway.Dockerfile (copies services/api_gateway)",
        "auth": "built by docker/auth.Dockerfile (copies services/auth)",
        "billing": "built by docker/billing.Dockerfile (copies services/billing)",
        "notifications": "built by docker/notifications.Dockerfile "
        "(copies services/notifications)",
        "search": "built by docker/search.Dockerfile (named like it)",
    }
    assert {s["path"]: s["reason"] for s in data["skipped"]} == {
        "docker/clickhouse.Dockerfile": "copies no package path "
        "(FROM clickhouse/clickhouse-server:24.8): infrastructure, not a service; "
        'list "clickhouse" in services.include to build it',
        "docker/dev.Dockerfile": "a Dockerfile for development or CI, not a service",
    }
    targets = generated_targets(root)
    assert targets["api-gateway"]["context"] == "."
    assert targets["api-gateway"]["dockerfile"] == "docker/api-gateway.Dockerfile"
    # a second run does not take bakegen's own generated Dockerfiles for evidence
    assert services(scan(root)) == services(data)


def test_compose_names_contexts_images_and_targets(tmp_path: Path) -> None:
    root = shutil.copytree(CASES / "evidence-compose" / "workspace", tmp_path / "ws")
    data = scan(root)
    assert services(data) == {
        "@shop/api": "built by apps/api/Dockerfile.prod (compose service api in compose.yaml, "
        "copies apps/api)",
        "@shop/web": "built by apps/web/Dockerfile (compose service storefront in "
        "compose.yaml, its context)",
        "bot": "built by tools/bot/bot.Dockerfile (compose service chat-bot in compose.yaml, "
        "its context)",
    }
    assert [s["path"] for s in data["skipped"]] == ["infra/redis/Dockerfile"]
    targets = generated_targets(root)
    assert {k: (v["context"], v["dockerfile"]) for k, v in targets.items()
            if k in ("api", "chat-bot", "storefront")} == {
        "api": (".", "apps/api/Dockerfile.prod"),
        "chat-bot": ("tools/bot", "bot.Dockerfile"),
        "storefront": ("apps/web", "Dockerfile"),
    }


def test_dockerfile_copying_package_relative_paths_gets_the_package_context(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "m", "private": True, "workspaces": ["apps/*"]},
        "yarn.lock": YARN_LOCK,
        "apps/api/package.json": {"name": "api", "version": "1.0.0"},
        "apps/api/index.js": "",
        "apps/api/Dockerfile.api": "FROM node:22\nCOPY index.js package.json ./\n",
        "apps/web/package.json": {"name": "web", "version": "1.0.0"},
        "apps/web/Dockerfile": "FROM node:22\nCOPY apps/web/package.json /w/\n",
    })
    targets = generated_targets(tmp_path)
    assert (targets["api"]["context"], targets["api"]["dockerfile"]) == (
        "apps/api", "Dockerfile.api")
    assert (targets["web"]["context"], targets["web"]["dockerfile"]) == (
        ".", "apps/web/Dockerfile")


def test_dockerfile_copying_a_service_and_its_library_builds_the_service(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "m", "private": True, "workspaces": ["apps/*", "libs/*"]},
        "yarn.lock": YARN_LOCK,
        "apps/api/package.json": {"name": "api", "version": "1.0.0",
                                  "dependencies": {"ui": "*"}},
        "libs/ui/package.json": {"name": "ui", "version": "1.0.0"},
        "build/Dockerfile_backend": "FROM node:22\nCOPY libs/ui libs/ui\nCOPY apps/api apps/api\n",
    })
    assert services(scan(tmp_path)) == {
        "api": "built by build/Dockerfile_backend (copies apps/api)"}


def test_broken_compose_file_is_a_warning(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "m", "private": True, "workspaces": ["apps/*"]},
        "yarn.lock": YARN_LOCK,
        "apps/api/package.json": {"name": "api", "version": "1.0.0"},
        "docker-compose.yml": "services: [\n",
        "deploy/compose.yaml": "services:\n  api:\n    build: ../apps/api\n",
    })
    result = CliRunner().invoke(cli, ["scan", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "warning: docker-compose.yml: invalid YAML" in result.stderr
    assert "warning: deploy/compose.yaml: service \"api\" builds apps/api/Dockerfile, which " \
        "does not exist" in result.stderr


def test_whole_context_dockerfile_builds_the_package_it_names(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "m", "private": True, "workspaces": ["apps/*", "packages/*"]},
        "yarn.lock": YARN_LOCK,
        "apps/web/package.json": {"name": "@m/web", "version": "1.0.0",
                                  "dependencies": {"@m/db": "*"}},
        "apps/docs/package.json": {"name": "@m/docs", "version": "1.0.0"},
        "packages/db/package.json": {"name": "@m/db", "version": "1.0.0"},
        "docker/Dockerfile": (
            "FROM node:22 AS builder\nWORKDIR /app\nCOPY . .\n"
            "RUN npx turbo prune --scope=@m/web --docker\n"
            "FROM node:22\nCOPY --from=builder /app/apps/web/build ./apps/web/build\n"
            "COPY --from=builder /app/packages/db/schema ./packages/db/schema\n"
        ),
    })
    assert services(scan(tmp_path)) == {
        "@m/web": "built by docker/Dockerfile (copies the whole context and names @m/web)"}


def test_compose_targets_of_one_whole_context_dockerfile_go_by_name(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "app", "private": True, "workspaces": ["packages/*"],
                         "scripts": {"start": "node serve.js"}},
        "yarn.lock": YARN_LOCK,
        "packages/backend/package.json": {"name": "backend", "version": "1.0.0"},
        "packages/admin/package.json": {"name": "admin", "version": "1.0.0"},
        "prod.Dockerfile": "FROM node:22 AS base\nCOPY . .\nFROM base AS backend\n"
                           "FROM base AS admin\n",
        "docker-compose.yml": (
            "services:\n"
            "  old-backend:\n    build:\n      context: .\n"
            "      dockerfile: packages/backend/Dockerfile\n"
            "  backend:\n    build:\n      context: .\n      dockerfile: prod.Dockerfile\n"
            "      target: backend\n"
            "  admin:\n    build:\n      context: .\n      dockerfile: prod.Dockerfile\n"
            "      target: admin\n"
        ),
        "packages/backend/Dockerfile": "FROM node:22\nCOPY packages/backend /b\n",
    })
    data = scan(tmp_path)
    assert services(data) == {
        "admin": "built by prod.Dockerfile (compose service admin in docker-compose.yml, "
        "named like it)",
        "backend": "built by prod.Dockerfile (compose service backend in docker-compose.yml, "
        "named like it)",
    }
    assert {s["reason"] for s in data["skipped"]} == {
        "compose service old-backend builds packages/backend/package.json too, which "
        "prod.Dockerfile already builds"}
    targets = generated_targets(tmp_path)
    assert (targets["backend"]["dockerfile"], targets["backend"]["target"]) == (
        "prod.Dockerfile", "backend")


def test_a_crate_that_is_its_own_workspace_is_standalone(tmp_path: Path) -> None:
    crate = '[package]\nname = "{0}"\nversion = "0.1.0"\nedition = "2021"\n'
    write_tree(tmp_path, {
        "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
        "Cargo.lock": "version = 4\n",
        "crates/sdk/Cargo.toml": crate.format("sdk"),
        "crates/sdk/src/lib.rs": "",
        "plugins/photos/Cargo.toml": crate.format("photos")
        + '[workspace]\n[dependencies]\nsdk = { path = "../../crates/sdk" }\n',
        "plugins/photos/src/lib.rs": "",
    })
    result = CliRunner().invoke(cli, ["generate", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    scanned = CliRunner().invoke(cli, ["scan", str(tmp_path)], catch_exceptions=False)
    assert ("skipped plugins/photos/Cargo.toml: outside every cargo workspace"
            in scanned.output)


PNPM_ROOT = {"name": "os", "private": True}
PNPM_WS = "packages:\n  - apps/*\n"


def _pnpm_app(name: str) -> dict[str, Any]:
    return {"name": f"@os/{name}", "version": "1.0.0", "scripts": {"start": "node index.js"}}


def test_a_dockerfile_in_a_package_folder_builds_it_whatever_compose_calls_it(
    tmp_path: Path
) -> None:
    # compose in apps/dashboard names its service `server` (the project's name), while
    # apps/server is another package with its own Dockerfile and compose file
    whole = "FROM node:22-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN pnpm install\n"
    write_tree(tmp_path, {
        "package.json": PNPM_ROOT, "pnpm-workspace.yaml": PNPM_WS,
        "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        "apps/dashboard/package.json": _pnpm_app("dashboard"), "apps/dashboard/index.js": "",
        "apps/dashboard/Dockerfile": whole,
        "apps/dashboard/docker-compose.yaml":
            "name: server\nservices:\n  server:\n    build:\n      context: ../..\n"
            "      dockerfile: apps/dashboard/Dockerfile\n    image: dashboard\n",
        "apps/server/package.json": _pnpm_app("server"), "apps/server/index.js": "",
        "apps/server/Dockerfile": whole,
        "apps/server/docker-compose.yaml":
            "services:\n  server:\n    build:\n      context: ../..\n"
            "      dockerfile: apps/server/Dockerfile\n",
        # a second compose file building the dashboard's Dockerfile under another name
        "docker-compose.yaml":
            "services:\n  dashboard-test:\n    build:\n      context: .\n"
            "      dockerfile: apps/dashboard/Dockerfile\n",
    })
    data = scan(tmp_path)
    found = services(data)
    assert found["@os/dashboard"].startswith("built by apps/dashboard/Dockerfile (")
    assert found["@os/server"].startswith("built by apps/server/Dockerfile (")
    # one Dockerfile declared twice is one build, not a conflict to report
    assert data["skipped"] == []
    targets = generated_targets(tmp_path)
    assert {k: v["dockerfile"] for k, v in targets.items() if "base" not in k and k != "_common"} \
        == {"os-dashboard": "apps/dashboard/Dockerfile", "server": "apps/server/Dockerfile"}


def test_manifests_bound_by_run_mounts_are_what_a_dockerfile_copies(tmp_path: Path) -> None:
    # Dofigen-style: no COPY of the package at all, its manifest only bind-mounted
    info = read_dockerfile("deploy/worker.Dockerfile", (
        "FROM node:22 AS install\n"
        "RUN --mount=type=bind,target=package.json,source=package.json \\\n"
        "    --mount=type=bind,source=apps/worker/package.json,target=apps/worker/package.json \\\n"
        "    --mount=type=cache,target=/root/.cache \\\n"
        "    --mount=type=bind,from=install,source=/app,target=/x \\\n"
        "    --mount=type=secret,id=npmrc \\\n"
        "    <<EOF\npnpm install --frozen-lockfile\nEOF\n"
        "FROM install\nRUN --mount=target=/src make\n"
    ))
    assert info.copies == ("package.json", "apps/worker/package.json", ".")
    write_tree(tmp_path, {
        "package.json": PNPM_ROOT, "pnpm-workspace.yaml": PNPM_WS,
        "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        "apps/worker/package.json": _pnpm_app("worker"), "apps/worker/index.js": "",
        "apps/web/package.json": _pnpm_app("web"), "apps/web/index.js": "",
        "deploy/images/Dockerfile": (
            "FROM node:22\nWORKDIR /app\n"
            "RUN --mount=type=bind,source=apps/worker/package.json,target=apps/worker/package.json"
            " pnpm install\nCMD [\"node\", \"apps/worker/index.js\"]\n"),
    })
    assert services(scan(tmp_path))["@os/worker"] == (
        "built by deploy/images/Dockerfile (copies apps/worker)")


def test_heredoc_installs_are_counted() -> None:
    from bakegen.adopt.installs import installs_in, run_script

    parsed = dockerfile_parse("FROM a\nRUN <<EOF\ncorepack enable pnpm\npnpm install --prod\nEOF\n"
                              "RUN cat <<EOT > /etc/motd\nnpm ci\nEOT\n")
    assert installs_in(run_script(parsed[1])) == ("pnpm install",)
    # a heredoc feeding a command is that command's input, not a script
    assert installs_in(run_script(parsed[2])) == ()


def dockerfile_parse(text: str) -> tuple[Any, ...]:
    import dockerfile

    return tuple(dockerfile.parse_string(text))


def test_a_compose_name_attaches_only_a_package_the_dockerfile_copies(tmp_path: Path) -> None:
    # compose's clickhouse and api are a database image and a Go build: the client library
    # @acme/clickhouse and the SDK @acme/api live elsewhere and are copied by neither
    write_tree(tmp_path, {
        "package.json": {"name": "root", "private": True,
                         "workspaces": ["apps/*", "packages/*", "sdk/*"]},
        "yarn.lock": YARN_LOCK,
        "apps/web/package.json": {"name": "web", "version": "1.0.0",
                                  "scripts": {"start": "node server.js"}},
        "apps/worker/package.json": {"name": "@acme/worker", "version": "1.0.0",
                                     "scripts": {"start": "node worker.js"}},
        "packages/clickhouse/package.json": {"name": "@acme/clickhouse", "version": "1.0.0"},
        "sdk/api/package.json": {"name": "@acme/api", "version": "1.0.0"},
        "db/migrations/001.sql": "CREATE TABLE t (x Int8) ENGINE = Memory;\n",
        "cmd/api/main.go": "package main\n\nfunc main() {}\n",
        "dev/Dockerfile.clickhouse": "FROM clickhouse/clickhouse-server:24.8\n"
                                     "COPY db/migrations /docker-entrypoint-initdb.d/\n",
        "dev/api.Dockerfile": "FROM golang:1.23 AS build\nCOPY cmd ./cmd\n"
                              "RUN go build -o /api ./cmd/api\nFROM debian:bookworm-slim\n"
                              "COPY --from=build /api /api\n",
        # copying a folder that holds the package, and a path a build argument decides
        "docker/web.Dockerfile": "FROM node:22\nCOPY apps ./apps\nCMD [\"node\", \"x\"]\n",
        "docker/any.Dockerfile": "FROM node:22\nARG APP\nCOPY ${APP} ./\n",
        "docker-compose.yml": (
            "services:\n"
            "  clickhouse:\n    build:\n      context: .\n"
            "      dockerfile: dev/Dockerfile.clickhouse\n"
            "  api:\n    build:\n      context: .\n      dockerfile: dev/api.Dockerfile\n"
            "  web:\n    build:\n      context: .\n      dockerfile: docker/web.Dockerfile\n"
            "  worker:\n    build:\n      context: .\n      dockerfile: docker/any.Dockerfile\n"
        ),
    })
    data = scan(tmp_path)
    assert services(data) == {
        "web": "built by docker/web.Dockerfile (compose service web in docker-compose.yml, "
        "named like it)",
        "@acme/worker": "built by docker/any.Dockerfile (compose service worker in "
        "docker-compose.yml, named like it)",
    }
    skipped = {s["path"]: s["reason"] for s in data["skipped"]}
    assert skipped["dev/Dockerfile.clickhouse"].startswith(
        "copies no package path (FROM clickhouse/clickhouse-server:24.8)")
    assert skipped["dev/api.Dockerfile"].startswith("copies no package path")


def test_a_whole_context_dockerfile_goes_to_what_it_builds_not_its_most_named_word(
    tmp_path: Path,
) -> None:
    # "app" is all over the LABEL and the user, but the image builds and runs app-server
    crate = '[package]\nname = "{0}"\nversion = "0.1.0"\nedition = "2021"\n'
    write_tree(tmp_path, {
        "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
        "Cargo.lock": "version = 4\n",
        "crates/app/Cargo.toml": crate.format("app"),
        "crates/app/src/main.rs": "fn main() {}\n",
        "crates/app-server/Cargo.toml": crate.format("app-server"),
        "crates/app-server/src/main.rs": "fn main() {}\n",
        "Dockerfile": (
            "FROM rust:1 AS builder\nWORKDIR /src\nCOPY . .\n"
            "RUN mkdir -p app && cargo build --release --bin app-server\n"
            "FROM debian:bookworm-slim\n"
            'LABEL org.opencontainers.image.source="https://example.com/app/app"\n'
            "RUN useradd -c 'app user' app && mkdir /app && chown app:app /app\n"
            "USER app\n"
            "COPY --from=builder /src/target/release/app-server /usr/local/bin\n"
            'ENTRYPOINT ["/usr/local/bin/app-server"]\n'
        ),
    })
    assert services(scan(tmp_path)) == {
        "app-server": "built by Dockerfile (copies the whole context and names app-server)"}


def test_read_dockerfile_counts_what_it_builds_and_runs() -> None:
    info = read_dockerfile("Dockerfile", (
        "FROM rust AS b\n"
        "RUN mkdir -p app && CARGO_X=1 cargo build --release -p api --bin=api-server \\\n"
        "  ; pnpm --filter @acme/web... build\n"
        "FROM debian\nCOPY --from=b /t/release/api-server /usr/local/bin/\n"
        'ENTRYPOINT ["/usr/local/bin/api-server"]\n'
    ))
    assert info.builds == {"api": 1, "api-server": 3, "@acme/web": 1}


def test_another_target_of_a_dockerfile_building_the_same_package_is_said(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "app", "private": True, "workspaces": ["packages/*"]},
        "yarn.lock": YARN_LOCK,
        "packages/backend/package.json": {"name": "backend", "version": "1.0.0",
                                          "scripts": {"start": "node server.js"}},
        "prod.Dockerfile": "FROM node:22 AS base\nCOPY . .\nFROM base AS backend\n"
                           "RUN yarn workspace backend build\nFROM base AS aio\n"
                           "RUN yarn workspace backend build\n",
        "docker-compose.yml": (
            "services:\n"
            "  backend:\n    build:\n      context: .\n      dockerfile: prod.Dockerfile\n"
            "      target: backend\n"
            "  everything:\n    build:\n      context: .\n      dockerfile: prod.Dockerfile\n"
            "      target: aio\n"
        ),
    })
    data = scan(tmp_path)
    assert set(services(data)) == {"backend"}
    assert {s["reason"] for s in data["skipped"]} == {
        "compose service everything builds packages/backend/package.json too "
        "(prod.Dockerfile target aio), which its target backend already builds"}
