"""Real builds: `bakegen generate`, then `docker buildx bake` with the BuildKit kit, then every
service image started and looked inside.

Each workspace is baked once (all its targets together); every service image must answer its
health check as the non-root user and hold no dev-only dependency, no secret and no `.git`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from tests.realbuild.kit import PROJECT, Kit

pytestmark = pytest.mark.realbuild

CASES = PROJECT / "tests" / "cases"
#: where a Python image keeps its third-party packages
SITE = "app/.venv/lib/python*/site-packages"
NON_ROOT_UID = 10001
# never in any image: the repository's history and its local secrets
ALWAYS_ABSENT = ("app/.git", "app/.env", "workspace/.git", "workspace/.env")


@dataclass(frozen=True, slots=True)
class Expect:
    """What one service image must (not) contain, as paths relative to its root filesystem."""

    absent: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    #: the image's compressed size must stay below this many bytes
    max_compressed: int | None = None
    #: the image must have a HEALTHCHECK (any HEALTHCHECK it has must pass)
    healthcheck: bool = False
    #: the path the running image must answer 2xx/3xx on
    path: str = "/health"


# keyed by workspace, then bake target; paths are globs under the image's root filesystem
EXPECTATIONS: dict[str, dict[str, Expect]] = {
    "sample_monorepo": {
        # `health = "/health"` for each: node -e fetch, python urllib, the compiled probe
        "acme-api": Expect(present=("app/node_modules/ms/package.json",), healthcheck=True),
        "acme-web": Expect(healthcheck=True),
        "acme-worker": Expect(present=("app/.venv/bin/acme-worker",), healthcheck=True),
        "router-svc": Expect(present=("usr/local/bin/bakegen-probe",), healthcheck=True),
    },
    # dependencies = "per-service" in the rb-* workspaces of npm, pnpm, yarn 1 and 2+, bun, uv:
    # a service's image holds none of a sibling's third-party dependencies
    "rb-npm": {
        # @rb/lib's tsconfig extends @rb/tsconfig, which its package.json does not name (npm
        # hoists it): its build still needs that package copied first, and the image not
        "rb-api": Expect(
            absent=("app/**/node_modules/is-number", "app/**/node_modules/escape-html",
                    "app/node_modules/@rb/site", "app/packages/tsconfig",
                    "app/**/node_modules/typescript"),
            present=("app/node_modules/ms/package.json", "app/packages/lib/dist/index.js"),
        ),
        # the build script's output is what the start script serves
        "rb-site": Expect(present=("app/apps/site/dist/index.html",
                                   "app/node_modules/escape-html/package.json")),
    },
    "rb-yarn-classic": {
        "rb-api": Expect(absent=("app/**/node_modules/is-number",
                                 "app/**/node_modules/escape-html", "app/node_modules/@rb/worker"),
                         present=("app/node_modules/ms/package.json",)),
        "rb-worker": Expect(present=("app/node_modules/escape-html/package.json",
                                     "app/node_modules/ms/package.json")),
    },
    "rb-yarn-berry": {
        "rb-api": Expect(absent=("app/**/node_modules/is-number",
                                 "app/**/node_modules/escape-html"),
                         present=("app/node_modules/ms/package.json",)),
        "rb-worker": Expect(present=("app/node_modules/escape-html/package.json",
                                     "app/node_modules/ms/package.json")),
    },
    # bun 1.4 installs this workspace isolated by default (node_modules/.bun stores, as its
    # lockfile says configVersion 1): bakegen installs it hoisted, which the pruning walks
    "rb-bun": {
        "rb-api": Expect(absent=("app/**/node_modules/is-number", "app/**/node_modules/.bun",
                                 "app/**/node_modules/escape-html", "app/node_modules/@rb/worker",
                                 "usr/local/bin/bun"),
                         present=("app/node_modules/ms/package.json",)),
        # TypeScript run by bun itself (Bun.serve), on plain Debian with the workspace's bun
        # and no node; its HEALTHCHECK is `bun -e` fetch
        "rb-worker": Expect(absent=("app/**/node_modules/is-number", "usr/local/bin/node"),
                            healthcheck=True,
                            present=("usr/local/bin/bun", "app/apps/worker/src/server.ts",
                                     "app/node_modules/escape-html/package.json",
                                     "app/node_modules/ms/package.json")),
    },
    # @rb/lib compiles with a tsconfig extending @rb/tsconfig, a devDependency that sorts
    # after it: its build step must come after that package is copied; being dev-only, the
    # tsconfig package is not shipped
    "rb-pnpm": {
        "rb-api": Expect(absent=("app/**/node_modules/is-number", "app/tooling"),
                         present=("app/node_modules/.pnpm/express@*",
                                  "app/packages/lib/dist/index.js")),
        # TypeScript compiled in the build stage; the compiler itself stays out, and so
        # does express, which only the sibling @rb/api depends on
        "rb-ts-api": Expect(
            absent=("app/**/node_modules/typescript", "app/**/node_modules/.pnpm/typescript@*",
                    "app/**/node_modules/.pnpm/express@*", "app/**/node_modules/express"),
            present=("app/apps/ts-api/dist/server.js",),
        ),
    },
    # every bin of the crate ships (rb-svc runs, named after it); the compiled probe checks
    # static sites on bakegen's static server FROM scratch: no Node, no node_modules, small
    "rb-static": {
        # a single-page app: a client-side route answers index.html
        "rb-spa": Expect(
            absent=("usr/local/bin/node", "app/node_modules", "workspace", "bin/sh"),
            present=("static-server", "site/index.html", "site/assets/index-*.js"),
            max_compressed=30_000_000, healthcheck=True, path="/client/route",
        ),
        # a multi-page site (404.html): /about is about.html
        "rb-docs": Expect(
            absent=("usr/local/bin/node", "site/build.js"),
            present=("site/about.html", "site/404.html"),
            max_compressed=30_000_000, healthcheck=True, path="/about",
        ),
    },
    "rb-cargo": {"rb-svc": Expect(absent=("app/**/*.rs", "workspace"),
                                  present=("usr/local/bin/rb-svc", "usr/local/bin/rb-migrate",
                                           "usr/local/bin/bakegen-probe"),
                                  healthcheck=True)},
    "rb-uv": {
        # orjson ships compiled manylinux wheels; iniconfig is a dev dependency
        "rb-svc": Expect(
            absent=("app/.venv/lib/python*/site-packages/iniconfig",
                    "app/.venv/lib/python*/site-packages/six.py",
                    "app/.venv/lib/python*/site-packages/psycopg"),
            present=("app/.venv/lib/python*/site-packages/orjson",),
        ),
        # six is rb-jobs' own dependency; so is psycopg 3, which without its binary extra
        # loads the system's libpq (production-base installs libpq5): rb-jobs imports it
        # at startup, so it would not answer without it
        "rb-jobs": Expect(
            present=("app/.venv/lib/python*/site-packages/six.py",
                     "app/.venv/lib/python*/site-packages/orjson",
                     "app/.venv/lib/python*/site-packages/psycopg",
                     "usr/lib/*-linux-gnu/libpq.so.5*"),
        ),
    },
    "rb-poetry": {
        "rb-svc": Expect(
            absent=("app/.venv/lib/python*/site-packages/iniconfig",),
            present=("app/.venv/lib/python*/site-packages/rb_common",),
        ),
    },
    "rb-pip": {"rb-svc": Expect(present=("app/.venv/bin/rb-svc",))},
    # per-service venvs without a lockfile graph (plain pip, and Poetry with one poetry.lock
    # for the repo): each image keeps what its requirements reach through the installed
    # packages' metadata (requests' own dependencies, the `socks` extra), not the other's
    **{case: {
        "rb-alpha": Expect(
            absent=(f"{SITE}/attrs",),
            present=(f"{SITE}/requests", f"{SITE}/urllib3", f"{SITE}/idna", f"{SITE}/six.py",
                     *((f"{SITE}/socks.py",) if case == "rb-poetry-lean" else ())),
        ),
        "rb-beta": Expect(
            absent=(f"{SITE}/requests", f"{SITE}/urllib3", f"{SITE}/idna", f"{SITE}/certifi",
                    f"{SITE}/socks.py"),
            present=(f"{SITE}/attrs", f"{SITE}/six.py"),
        ),
    } for case in ("rb-pip-lean", "rb-poetry-lean")},
    # adopted from Dockerfiles running `pip install -r requirements.txt`: the pins are in
    # the shared venv (the servers import certifi), each service's own wheel on top
    "adopt-pip": {
        name: Expect(present=("app/.venv/lib/python*/site-packages/certifi",
                              f"app/.venv/bin/{name}"))
        for name in ("orders-svc", "users-svc")
    },
    # a go.work workspace: the binary only (no sources, no toolchain), the compiled probe
    "rb-go": {"status": Expect(absent=("**/*.go", "usr/local/go", "workspace", "go"),
                               present=("usr/local/bin/status", "usr/local/bin/bakegen-probe"),
                               healthcheck=True)},
    # a repository holding one Dockerfile and no package: its own target, built as it is
    "lone-dockerfile-nested": {"proxy": Expect(present=("srv/proxy.py",))},
    # no `cmd` anywhere: a Django project (Poetry package-mode = false, its sources copied)
    # under gunicorn through its wsgi module; its path dependency installed as a wheel
    "rb-django": {
        "rb-site": Expect(
            healthcheck=True,
            absent=("app/.venv/lib/python*/site-packages/iniconfig",),
            present=("app/services/site/manage.py",
                     "app/.venv/lib/python*/site-packages/rb_greeting",
                     "app/.venv/bin/gunicorn"),
        ),
    },
    # a FastAPI app with no scripts entry and no __main__.py: found in the code, run by uvicorn
    "rb-fastapi": {
        "rb-api": Expect(
            absent=("app/.venv/lib/python*/site-packages/iniconfig",),
            present=("app/.venv/lib/python*/site-packages/rb_api/fastapi_app.py",),
        ),
    },
    # no `cmd` anywhere: each start script resolves to what the runtime image can run
    "rb-next": {
        # `pnpm with-env next start` -> node server.js, the standalone output only: no
        # sibling's packages, no devDependency (jiti, imported by next.config), no nitro
        "rb-nextjs": Expect(
            healthcheck=True,
            absent=("app/**/node_modules/.pnpm/express@*", "app/**/node_modules/.pnpm/jiti@*",
                    "app/**/node_modules/.pnpm/nitropack@*", "app/apps/api", "app/apps/ssr"),
            present=("app/apps/nextjs/server.js", "app/apps/nextjs/.next/static",
                     "app/apps/nextjs/public/robots.txt"),
            max_compressed=200_000_000,
        ),
        # `dotenv -e ../../.env -- node dist/index.js` -> node dist/index.js
        "rb-api": Expect(
            healthcheck=True,
            absent=("app/**/node_modules/.pnpm/typescript@*",
                    "app/**/node_modules/.pnpm/dotenv-cli@*"),
            present=("app/apps/api/dist/index.js",),
        ),
        # `vite start` -> nitro's .output server, which brings its own node_modules
        "rb-ssr": Expect(
            healthcheck=True,
            absent=("app/**/node_modules/.pnpm/nitropack@*",),
            present=("app/apps/ssr/.output/server/index.mjs",),
        ),
    },
}


def _source(name: str) -> Path:
    return PROJECT / name if name == "sample_monorepo" else CASES / name / "workspace"


def _prepared(name: str, tmp_path: Path) -> Path:
    """A copy of the workspace as a git repository (so `.git` exists), freshly generated."""
    workspace = shutil.copytree(_source(name), tmp_path / name)
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    result = CliRunner().invoke(cli, ["generate", str(workspace)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return workspace


def _dockerfile(workspace: Path, target: dict[str, object]) -> str:
    dockerfile = Path(str(target["context"])) / str(target["dockerfile"])
    return (dockerfile if dockerfile.is_absolute() else workspace / dockerfile).read_text()


def _exposed_port(workspace: Path, target: dict[str, object]) -> int | None:
    found = re.search(r"^EXPOSE (\d+)", _dockerfile(workspace, target), re.MULTILINE)
    return int(found.group(1)) if found else None


def _matches(rootfs: Path, pattern: str) -> list[str]:
    return [p.relative_to(rootfs).as_posix() for p in rootfs.glob(pattern)]


def _healthcheck_without_shell(kit: Kit, image: str, port: int | None, tmp_path: Path) -> object:
    """The image's own exec-form HEALTHCHECK, run by run-image in a copy of the image's files
    on Debian (which has the `sh` run-image needs), with the same CMD, ENV and USER."""
    raw = subprocess.run(
        ["skopeo", "inspect", "--tls-verify=false", "--config", "--raw", f"docker://{image}"],
        env=kit.env, capture_output=True, text=True, check=True, timeout=120,
    ).stdout
    inner = json.loads(raw)["config"]  # the raw image config keeps the Healthcheck
    test = inner["Healthcheck"]["Test"]
    assert test[0] == "CMD", test
    folder = tmp_path / f"shell-{image.rsplit('/', 1)[-1].replace(':', '-')}"
    folder.mkdir()
    env = "".join(f"ENV {json.dumps(e.split('=', 1)[0])}={json.dumps(e.split('=', 1)[1])}\n"
                  for e in inner.get("Env", []))
    (folder / "Dockerfile").write_text(
        "FROM debian:bookworm-slim\nCOPY --from=image / /\n" + env
        + f"USER {inner['User']}\nHEALTHCHECK CMD {json.dumps(test[1:])}\n"
        + f"CMD {json.dumps(inner['Cmd'])}\n")
    (folder / "docker-bake.hcl").write_text(
        'target "wrapped" {\n  context = "."\n'
        f'  contexts = {{ image = "docker-image://{image}" }}\n'
        f'  tags = ["{image}-shell"]\n}}\n')
    baked = kit.bake(folder, "unused", "wrapped")
    assert baked.returncode == 0, baked.stderr[-2000:]
    return kit.run(f"{image}-shell", port).get("healthcheck_rc")


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_workspace_builds_and_every_service_answers(
    name: str, kit: Kit, tmp_path: Path
) -> None:
    workspace = _prepared(name, tmp_path)
    printed = kit.print_targets(workspace)
    services = {t: printed[t] for t in EXPECTATIONS[name]}
    registry = f"{kit.registry}/rb-{uuid.uuid4().hex[:10]}"

    baked = kit.bake(workspace, registry, *services)
    assert baked.returncode == 0, baked.stderr[-3000:]

    failures: list[str] = []
    for target, printed_target in services.items():
        spec = EXPECTATIONS[name][target]
        image = f"{registry}/{target}:latest"
        answer = kit.run(image, _exposed_port(workspace, printed_target), spec.path)
        if not answer["ok"]:
            status, logs = answer.get("status"), answer.get("logs")
            failures.append(f"{target}: did not answer: {status} {logs}")
        has_check = "\nHEALTHCHECK " in _dockerfile(workspace, printed_target)
        if spec.healthcheck and not has_check:
            failures.append(f"{target}: has no HEALTHCHECK")
        rootfs = kit.unpack(image, tmp_path / f"img-{target}")
        if has_check and not (rootfs / "bin/sh").exists():
            # run-image runs every HEALTHCHECK with `sh -c`; a FROM scratch image has no sh
            answer = {**answer, "healthcheck_rc": _healthcheck_without_shell(
                kit, image, _exposed_port(workspace, printed_target), tmp_path)}
        if has_check and answer.get("healthcheck_rc") != 0:
            failures.append(f"{target}: HEALTHCHECK exited {answer.get('healthcheck_rc')}")
        size = answer.get("size_compressed")
        if spec.max_compressed and isinstance(size, int) and size > spec.max_compressed:
            failures.append(f"{target}: {size} bytes compressed, over {spec.max_compressed}")
        if answer.get("uid") != NON_ROOT_UID:
            failures.append(f"{target}: runs as uid {answer.get('uid')}, not {NON_ROOT_UID}")
        for pattern in (*ALWAYS_ABSENT, *spec.absent):
            if found := _matches(rootfs, pattern):
                failures.append(f"{target}: must not contain {pattern}: {found[:3]}")
        for pattern in spec.present:
            if not _matches(rootfs, pattern):
                failures.append(f"{target}: lacks {pattern}")
    assert not failures, "\n".join(failures)
