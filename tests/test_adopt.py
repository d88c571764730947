"""Services keeping their own Dockerfiles: reading them, their cost, adopting them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.adopt.installs import installs_in
from bakegen.adopt.reading import read_own_image
from bakegen.cli import cli
from bakegen.config import parse_config
from bakegen.errors import BakegenError
from tests.bakefile import load_bake, resolve_list, unquote

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize(("run", "expected"), [
    ("npm ci --no-audit", ("npm ci",)),
    ("npm install", ("npm install",)),
    ("npm install left-pad", ()),
    ("npm ci --omit=dev --workspace @ad/worker", ("npm ci",)),
    ("npm install --workspace @ad/worker", ("npm install",)),
    ("corepack enable && yarn install --immutable", ("yarn install",)),
    ("yarn", ("yarn install",)),
    ("yarn workspaces focus @rb/api --production", ("yarn workspaces focus",)),
    ("yarn build", ()),
    ("pnpm install --frozen-lockfile && pnpm deploy --filter=api /out", ("pnpm install",
                                                                        "pnpm deploy")),
    ("bun install --frozen-lockfile", ("bun install",)),
    ("pip install --no-cache-dir -r requirements.txt", ("pip install -r",)),
    ("python -m pip install -r req.txt; echo done", ("pip install -r",)),
    ("pip install uvicorn", ()),
    ("uv sync --frozen --no-dev", ("uv sync",)),
    ("POETRY_VIRTUALENVS_CREATE=false poetry install --only main", ("poetry install",)),
    ("cargo build --release --bin api", ("cargo build",)),
    ("echo 'npm ci && yarn'", ()),
    ("CARGO_HOME=/x && cargo build --release", ("cargo build",)),
    ("FOO=1", ()),
])
def test_installs_in(run: str, expected: tuple[str, ...]) -> None:
    assert installs_in(run) == expected


MULTI = """\
ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app
ENV NODE_ENV=production

FROM base AS deps
ARG BUILD_FLAVOUR=prod
ARG TOKEN
COPY package.json package-lock.json ./
RUN npm ci

FROM base AS unused
RUN yarn install

FROM base AS runner
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88 tini \\
 && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules ./node_modules
COPY apps/api apps/api
ENV GREETING="hello world" PORT=3000
WORKDIR apps/api
USER node
EXPOSE 3000 9229
HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost:3000/health"]
CMD node src/server.js
"""


def test_read_own_image_follows_the_built_stage() -> None:
    image = read_own_image("apps/api/Dockerfile", MULTI)
    assert image.problem is None
    assert image.base_image == "node:20-bookworm-slim"
    assert image.chain == ("base", "runner")
    assert image.installs == ("npm ci",)  # the unused stage is not built
    assert image.env == (("NODE_ENV", "production"), ("GREETING", "hello world"),
                         ("PORT", "3000"))
    assert image.env_written[1] == ("GREETING", '"hello world"')
    assert image.workdir == "/app/apps/api"
    assert image.user == "node"
    assert image.ports == (3000, 9229)
    assert image.cmd == ("/bin/sh", "-c", "node src/server.js")
    assert image.entrypoint is None
    assert image.args == (("BUILD_FLAVOUR", "prod"), ("TOKEN", None))
    assert image.copies == ("package.json", "package-lock.json", "apps/api")
    assert image.system_packages == (("apt-get", "curl"), ("apt-get", "tini"))
    assert image.healthcheck is not None
    assert image.healthcheck.options == ("--interval=5s",)
    assert not image.healthcheck.shell


def test_read_own_image_knows_what_each_copy_from_starts_from() -> None:
    image = read_own_image("apps/api/Dockerfile", MULTI)
    assert image.from_copies == (("COPY --from=deps /app/node_modules ./node_modules",
                                  "node:20-bookworm-slim"),)


SERVES_A_FRONTEND = """\
FROM oven/bun:1 AS frontend-build
WORKDIR /app/frontend
COPY frontend ./
RUN bun install && bun run build

FROM python:3.12 AS wheels
COPY backend /src
RUN pip wheel --no-deps -w /wheels /src

FROM python:3.12
COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /uvx /bin/
COPY --from=krallin/ubuntu-tini /usr/bin/tini /tini
COPY --from=wheels /wheels /wheels
COPY --from=frontend-build /app/backend/app/frontend /app/backend/app/frontend
COPY --from=busybox:stable /bin/busybox /bin/busybox
CMD ["uvicorn", "app.main:app"]
"""


def test_adopting_says_which_copies_from_other_builds_the_image_goes_without() -> None:
    from bakegen.adopt.carry import adopt, image_ecosystem
    from bakegen.model import Package
    from bakegen.settings import ServiceSettings

    own = read_own_image("backend/Dockerfile", SERVES_A_FRONTEND)
    pkg = Package(ecosystem="python", name="app", path="backend",
                  manifest="backend/pyproject.toml", workspace=".", deployable=True)
    notes = [w.message for w in adopt(pkg, own, ServiceSettings()).warnings]
    missed = [n for n in notes if "is not carried over: the adopted image lacks" in n]
    # the Python build (replaced by the generated one), uv and tini (the bases have them)
    # are accounted for; the bun-built frontend and busybox are not
    assert len(missed) == 2, notes
    assert "COPY --from=frontend-build" in missed[0] and "made on oven/bun:1" in missed[0]
    assert "COPY --from=busybox:stable" in missed[1]
    assert [image_ecosystem(i) for i in ("oven/bun:1", "ghcr.io/astral-sh/uv:0.9",
                                         "localhost:5000/node:20", "python@sha256:ab",
                                         "busybox")] == ["node", "python", "node", "python",
                                                         None]


def test_read_own_image_builds_the_stage_compose_names() -> None:
    image = read_own_image("Dockerfile", MULTI, stage="unused")
    assert image.installs == ("yarn install",)
    assert read_own_image("Dockerfile", MULTI, stage="nope").problem == 'has no stage "nope"'
    assert read_own_image("Dockerfile", "RUN x\n").problem == "has no FROM line"


def test_entrypoint_resets_an_inherited_cmd() -> None:
    text = 'FROM node:20 AS a\nCMD ["x"]\nFROM a\nENTRYPOINT ["node"]\n'
    image = read_own_image("Dockerfile", text)
    assert (image.entrypoint, image.cmd) == (("node",), None)


def _copy(name: str, tmp_path: Path, config: bool = True) -> Path:
    workspace = shutil.copytree(CASES / name / "workspace", tmp_path / name)
    if not config:
        (workspace / "bakegen.toml").unlink()
    return workspace


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_scan_and_generate_say_what_own_dockerfiles_cost(tmp_path: Path) -> None:
    workspace = _copy("adopt-npm", tmp_path, config=False)
    expected = ("note: 4 services keep their own Dockerfiles: 5 dependency installs per full "
                "bake (bakegen's plan: 1); `bakegen generate --adopt` builds them on the "
                "shared bases")
    scanned = CliRunner().invoke(cli, ["scan", str(workspace)])
    assert scanned.exit_code == 0, scanned.output
    assert expected in scanned.stderr
    generated = CliRunner().invoke(cli, ["generate", str(workspace)])
    assert generated.exit_code == 0, generated.output
    assert expected in generated.stderr
    adopted = CliRunner().invoke(cli, ["generate", str(workspace), "--adopt"])
    assert adopted.exit_code == 0, adopted.output
    assert "keep their own" not in adopted.stderr
    assert "adopted 4 services; `docker buildx bake own`" in adopted.stdout


def test_adopting_leaves_the_dockerfiles_and_unadopting_restores_the_plan(
    tmp_path: Path,
) -> None:
    workspace = _copy("adopt-npm", tmp_path, config=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["generate", str(workspace)]).exit_code == 0
    before = _files(workspace)
    result = runner.invoke(cli, ["generate", str(workspace), "--adopt", "@ad/api",
                                 "--adopt", "ad-web,@ad/worker"])
    assert result.exit_code == 0, result.output
    after = _files(workspace)
    for rel in ("apps/api/Dockerfile", "apps/web/Dockerfile", "apps/worker/Dockerfile"):
        assert after[rel] == before[rel]
    bake = load_bake(after["docker-bake.hcl"].decode())
    targets, groups = bake["targets"], bake["groups"]
    assert resolve_list(groups["own"]["targets"]) == ["own-ad-api", "own-ad-web",
                                                      "own-ad-worker"]
    assert "own-ad-api" not in resolve_list(groups["default"]["targets"])
    assert unquote(targets["ad-api"]["dockerfile"]) == "docker/services/ad-api.Dockerfile"
    assert unquote(targets["own-ad-api"]["dockerfile"]) == "apps/api/Dockerfile"
    assert unquote(targets["ad-admin"]["dockerfile"]) == "apps/admin/Dockerfile"  # kept
    # the kept target is the original one under another name
    old = before["docker-bake.hcl"].decode()
    original = old[old.index('target "ad-api" {'):]
    original = original[:original.index("\n}\n") + 3]
    kept = after["docker-bake.hcl"].decode()
    kept = kept[kept.index('target "own-ad-api" {'):]
    kept = kept[:kept.index("\n}\n") + 3]
    assert kept == original.replace("ad-api", "own-ad-api")
    check = runner.invoke(cli, ["generate", str(workspace), "--check", "--adopt", "@ad/api",
                                "--adopt", "ad-web,@ad/worker"])
    assert check.exit_code == 0, check.output
    stale = runner.invoke(cli, ["generate", str(workspace), "--check"])
    assert stale.exit_code == 1
    diff = runner.invoke(cli, ["generate", str(workspace), "--diff"])
    assert diff.exit_code == 1 and "-target \"own-ad-api\" {" in diff.stdout
    assert runner.invoke(cli, ["generate", str(workspace)]).exit_code == 0
    assert _files(workspace) == before


def test_config_adopt_and_its_removal(tmp_path: Path) -> None:
    workspace = _copy("adopt-npm", tmp_path)
    config = (workspace / "bakegen.toml").read_text()
    runner = CliRunner()
    assert runner.invoke(cli, ["generate", str(workspace)]).exit_code == 0
    assert (workspace / "docker/services/ad-api.Dockerfile").is_file()
    (workspace / "bakegen.toml").write_text(config.replace("adopt = true", "adopt = false"))
    assert runner.invoke(cli, ["generate", str(workspace)]).exit_code == 0
    assert not (workspace / "docker/services/ad-api.Dockerfile").exists()
    assert "own" not in (workspace / "docker-bake.hcl").read_text().split("group ")[-1]
    # `--adopt` for all leaves out the services the config says not to adopt
    result = runner.invoke(cli, ["generate", str(workspace), "--adopt"])
    assert result.exit_code == 0
    assert not (workspace / "docker/services/ad-api.Dockerfile").exists()


def test_adopt_names_an_unknown_service(tmp_path: Path) -> None:
    workspace = _copy("adopt-npm", tmp_path, config=False)
    result = CliRunner().invoke(cli, ["generate", str(workspace), "--adopt", "nope"])
    assert result.exit_code != 0
    assert ("--adopt nope: no service of that name keeps its own Dockerfile (these do: "
            "@ad/admin, @ad/api, @ad/web, @ad/worker)") in result.output


def test_adopted_dockerfile_carries_the_original_settings(tmp_path: Path) -> None:
    workspace = _copy("adopt-npm", tmp_path)
    result = CliRunner().invoke(cli, ["generate", str(workspace)])
    assert result.exit_code == 0, result.output
    worker = (workspace / "docker/services/ad-worker.Dockerfile").read_text()
    assert "ENV QUEUE_NAME=jobs" in worker
    assert "EXPOSE 3963" in worker
    assert "HEALTHCHECK CMD node -e" in worker
    assert worker.rstrip().endswith('CMD ["node", "apps/worker/src/server.js"]')
    assert "ARG BUILD_FLAVOUR" in worker
    admin = (workspace / "docker/services/ad-admin.Dockerfile").read_text()
    assert 'ENTRYPOINT ["node"]' in admin and 'CMD ["apps/admin/src/server.js"]' in admin
    assert "USER node not carried over" in result.stderr


def test_config_adopt_must_be_a_boolean() -> None:
    with pytest.raises(BakegenError, match=r'"service."api".adopt" must be true or false'):
        parse_config({"service": {"api": {"adopt": "yes"}}}, "bakegen.toml")
    assert parse_config({"service": {"api": {"adopt": True}}}, "x").service("api").adopt


def test_system_packages_of_the_runtime_stage_are_installed(tmp_path: Path) -> None:
    workspace = _copy("adopt-turbo-prune", tmp_path)
    result = CliRunner().invoke(cli, ["generate", str(workspace)])
    assert result.exit_code == 0, result.output
    api = (workspace / "docker/services/rb-api.Dockerfile").read_text()
    assert "apt-get install -y --no-install-recommends tzdata" in api
    assert "libc6-compat" not in api  # a musl shim a Debian image does not need
    assert "apk packages tzdata are installed with apt-get" in result.stderr
    assert "FROM node:20-alpine: the bases are Debian" in result.stderr


def test_ci_matrices_and_affected_leave_the_own_group_out(tmp_path: Path) -> None:
    import json
    import subprocess

    workspace = _copy("adopt-npm", tmp_path)
    assert CliRunner().invoke(cli, ["generate", str(workspace)]).exit_code == 0
    git = ["git", "-C", str(workspace), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "a"], check=True)
    (workspace / "apps/web/extra.js").write_text("module.exports = 1\n")

    def targets(*args: str) -> list[str]:
        result = CliRunner().invoke(cli, ["matrix", str(workspace), *args],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        services = document.get("services", document)
        return [entry["target"] for entry in services["include"]]

    everything = ["ad-admin", "ad-api", "ad-web", "ad-worker"]
    assert targets() == everything
    assert targets("--layered", "--split-platforms")[::2] == everything
    # the change in apps/web affects the adopted target, not the comparison build
    assert targets("--affected", "--base", "HEAD", "--worktree") == ["ad-web"]
    affected = CliRunner().invoke(cli, ["affected", str(workspace), "--base", "HEAD",
                                        "--worktree"], catch_exceptions=False)
    assert affected.stdout.startswith("ad-web: apps/web/extra.js")
    # bake still builds the comparison when asked: the group is in the file
    bake = (workspace / "docker-bake.hcl").read_text()
    assert 'group "own"' in bake and 'target "own-ad-web"' in bake


@pytest.mark.parametrize(("ecosystem", "image", "version", "noted"), [
    ("node", "node:20-alpine", "20", "not Alpine"),
    ("node", "dhi.io/node:24-debian12", "24", None),
    ("node", "docker.io/library/node:22.11-bookworm-slim", "22", None),
    ("node", "localhost:5000/node", None, None),
    ("python", "cgr.dev/chainguard/python:latest-dev", None, None),
    ("python", "python:3.12.4-slim", "3.12", None),
    ("python", "nikolaik/python-nodejs:python3.12", None, "is not a python image"),
])
def test_the_runtime_version_an_adopted_base_image_names(
    ecosystem: str, image: str, version: str | None, noted: str | None
) -> None:
    from bakegen.adopt.carry import image_version

    found, note = image_version(ecosystem, image)
    assert found == version
    assert (note is None) if noted is None else (note is not None and noted in note)
