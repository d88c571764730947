from __future__ import annotations

import dataclasses

import dockerfile

from bakegen.config import Config
from bakegen.formats import is_generated
from bakegen.ignore import DockerIgnore
from bakegen.render.dockerfile import render_base_dockerfile, render_service_dockerfile
from bakegen.render.dockerignore import escape_pattern, render_dockerignore
from bakegen.settings import ServiceSettings
from tests.fakes import FakeEcosystem, fake_scan, files_of, plan_of

ECOS = {"node": FakeEcosystem()}


def plan(config: Config = Config()):
    return plan_of(
        fake_scan({"@a/api": (True, ("@a/lib",)), "@a/lib": (False, ())}), config, ECOS
    )


def test_base_dockerfile_has_both_stages_and_image_args() -> None:
    text = render_base_dockerfile(plan().bases[0])
    # no secret env mounts: the builder's own frontend reads it, no frontend image per target
    assert "# syntax=" not in text
    assert is_generated(text)
    commands = dockerfile.parse_string(text)
    froms = [c.value for c in commands if c.cmd == "FROM"]
    assert froms == [
        ("${NODE_IMAGE}", "AS", "deps-base"),
        ("deps-base", "AS", "prod-deps"),
        ("debian:bookworm-slim", "AS", "runtime-tools"),
        ("${NODE_RUNTIME_IMAGE}", "AS", "production-base"),
    ]
    assert [c.value for c in commands if c.cmd == "ARG"] == [
        ("NODE_IMAGE=node:20-bookworm-slim",),
        ("NODE_RUNTIME_IMAGE=node:20-bookworm-slim",),
    ]
    assert any("useradd" in c.original for c in commands if c.cmd == "RUN")


def test_service_dockerfile_runs_as_non_root_with_overrides() -> None:
    settings = ServiceSettings(
        port=8080, healthcheck="curl -f http://localhost:8080/ || exit 1", cmd=("node", "server.js")
    )
    config = dataclasses.replace(Config(), services={"@a/api": settings})
    text = render_service_dockerfile(plan(config).services[0])
    commands = dockerfile.parse_string(text)
    froms = [c.value for c in commands if c.cmd == "FROM"]
    assert froms == [("deps-base", "AS", "build"), ("production-base",)]
    cmds = [c.cmd for c in commands]
    assert cmds[-1] == "CMD" and commands[-1].value == ("node", "server.js")
    assert "USER" in cmds and [c.value for c in commands if c.cmd == "USER"] == [("10001:10001",)]
    assert ("8080",) in [c.value for c in commands if c.cmd == "EXPOSE"]
    assert "HEALTHCHECK" in cmds


def test_dockerignore_admits_only_the_closure() -> None:
    svc = plan().services[0]
    text = render_dockerignore(svc.dockerfile, svc.context, ("**/*.md",))
    rules = DockerIgnore.from_text(text)
    excluded = {
        p
        for p in [
            "pkgs/a-api/index.js",
            "pkgs/a-lib/x.js",
            "pkgs/other/x.js",
            "package.json",
            "pkgs/a-api/.env",
            "pkgs/a-api/README.md",
            "pkgs/a-api/node_modules/x/index.js",
        ]
        if rules.excludes(p)
    }
    assert excluded == {
        "pkgs/other/x.js",
        "pkgs/a-api/.env",
        "pkgs/a-api/README.md",
        "pkgs/a-api/node_modules/x/index.js",
    }


def test_escape_pattern() -> None:
    assert escape_pattern("a/[x]*?") == "a/\\[x\\]\\*\\?"
    assert escape_pattern("#odd") == "/#odd"


def test_render_files_lists_every_file_sorted() -> None:
    files = files_of(plan())
    assert list(files) == sorted(files)
    assert set(files) == {
        "docker-bake.hcl",
        "docker/base-node.Dockerfile",
        "docker/base-node.Dockerfile.dockerignore",
        "docker/services/a-api.Dockerfile",
        "docker/services/a-api.Dockerfile.dockerignore",
    }
    assert all(is_generated(text) for text in files.values())


def test_service_build_stage_declares_every_build_arg_and_mounts_its_secrets() -> None:
    settings = ServiceSettings(
        args=(("CI", "1"), ("NEXT_PUBLIC_API_URL", "https://api.example")),
        secrets=(("AUTH_SECRET", "env:AUTH_SECRET"),),
    )
    config = dataclasses.replace(Config(), services={"@a/api": settings})
    svc = plan(config).services[0]
    assert svc.recipe is not None
    recipe = dataclasses.replace(svc.recipe, build=("COPY . ./", "RUN npm run build"))
    text = render_service_dockerfile(dataclasses.replace(svc, recipe=recipe))
    commands = dockerfile.parse_string(text)
    build_stage = commands[: [c.cmd for c in commands].index("FROM", 1)]
    assert [c.value for c in build_stage if c.cmd == "ARG"] == [("CI",), ("NEXT_PUBLIC_API_URL",)]
    runs = [c.original for c in build_stage if c.cmd == "RUN"]
    assert runs == ["RUN --mount=type=secret,id=AUTH_SECRET,env=AUTH_SECRET npm run build"]
    # secrets as environment variables need Dockerfile 1.10: the directive comes first
    assert text.startswith("# syntax=docker/dockerfile:1\n")
    plain = render_service_dockerfile(dataclasses.replace(
        svc, recipe=recipe, settings=dataclasses.replace(settings, secrets=())))
    assert "# syntax=" not in plain
    # arguments are declared before any step that could read them
    assert [c.cmd for c in build_stage].index("ARG") < [c.cmd for c in build_stage].index("COPY")
