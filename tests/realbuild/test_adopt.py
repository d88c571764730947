"""Adopted services, really built: same port, command and environment as the originals, one
install per ecosystem, a faster cold bake, and an edit that rebuilds only the edited service.

The workspace is tests/cases/adopt-npm: four services, each with its own Dockerfile (five
`npm ci` between them). `bakegen generate --adopt` builds them on the shared bases, and its
`own` group still builds the originals, so both plans are baked from one bake file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import dockerfile
import pytest
from click.testing import CliRunner

from bakegen.adopt.installs import installs_in
from bakegen.adopt.reading import read_own_image
from bakegen.cli import cli
from tests.realbuild.kit import PROJECT, Kit

pytestmark = pytest.mark.realbuild

CASE = PROJECT / "tests" / "cases" / "adopt-npm" / "workspace"
#: target -> (Dockerfile, port)
SERVICES = {
    "ad-admin": ("apps/admin/Dockerfile", 3964),
    "ad-api": ("apps/api/Dockerfile", 3961),
    "ad-web": ("apps/web/Dockerfile", 3962),
    "ad-worker": ("apps/worker/Dockerfile", 3963),
}
#: an instruction step: `#21 [ad-web build 4/5] RUN ...` (FROM only resolves an image)
_STEP = re.compile(r"^#(\d+) \[([\w.-]+) [\w.-]+ \d+/\d+\] (?!FROM )")


def _bake(kit: Kit, root: Path, registry: str, *args: str) -> tuple[float, str]:
    command = ["docker", "buildx", "bake", "-f", "docker-bake.hcl", "--progress", "plain",
               "--set", "*.output=type=image,push=true,registry.insecure=true", *args]
    start = time.perf_counter()
    env = {**kit.env, "REGISTRY": registry, "BUILD_PLATFORMS": "linux/amd64"}
    done = subprocess.run(command, cwd=root, env=env,
                          capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr[-3000:]
    return seconds, done.stderr


def _executed(log: str) -> set[str]:
    """The targets of the steps a bake ran (not CACHED), read from its plain progress."""
    owner: dict[str, str] = {}
    cached: set[str] = set()
    finished: set[str] = set()
    for line in log.splitlines():
        match = _STEP.match(line)
        if match:
            owner.setdefault(match.group(1), match.group(2))
        number = line.split(" ", 1)[0].lstrip("#")
        if line.endswith(" CACHED"):
            cached.add(number)
        elif re.match(r"^#\d+ DONE ", line):
            finished.add(number)
    steps = {n for n in finished - cached if n in owner}
    return {owner[n] for n in steps}


def _answer(run: dict[str, object]) -> dict[str, object]:
    """The service's JSON answer without its uptime, which differs from run to run."""
    body: dict[str, object] = json.loads(str(run["body"]))
    body.pop("uptime", None)
    return body


@pytest.fixture(scope="module")
def adopted(kit: Kit, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = shutil.copytree(CASE, tmp_path_factory.mktemp("adopt") / "ws")
    originals = {rel: (root / rel).read_bytes() for rel, _ in SERVICES.values()}
    result = CliRunner().invoke(cli, ["generate", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    registry = f"{kit.registry}/adopt-{uuid.uuid4().hex[:6]}"
    own, _ = _bake(kit, root, registry, "--no-cache", "own")
    ours, _ = _bake(kit, root, registry, "--no-cache", "default")
    print(f"\ncold bake, 4 services: own Dockerfiles {own:.1f} s, adopted {ours:.1f} s")
    return {"root": root, "registry": registry, "own": own, "ours": ours,
            "originals": originals}


def test_adopted_images_answer_as_the_originals(kit: Kit, adopted: dict[str, object]) -> None:
    registry, root = str(adopted["registry"]), Path(str(adopted["root"]))
    for target, (rel, port) in SERVICES.items():
        mine = kit.run(f"{registry}/{target}:latest", port)
        theirs = kit.run(f"{registry}/own-{target}:latest", port)
        assert mine["ok"] and theirs["ok"], (target, mine.get("logs"), theirs.get("logs"))
        assert _answer(mine) == _answer(theirs), target
        ours, own = dict(mine["config"]), dict(theirs["config"])  # type: ignore[call-overload]
        assert ours.get("Cmd") == own.get("Cmd"), target
        assert set(ours.get("ExposedPorts") or {}) == set(own.get("ExposedPorts") or {})
        written = read_own_image(rel, (root / rel).read_text())
        if written.entrypoint is not None:
            assert ours.get("Entrypoint") == own.get("Entrypoint"), target
        theirs_env = dict(e.split("=", 1) for e in own.get("Env") or [])
        ours_env = dict(e.split("=", 1) for e in ours.get("Env") or [])
        for name, _ in written.env:
            assert ours_env.get(name) == theirs_env.get(name), (target, name)
        assert mine["uid"] == 10001
        if written.healthcheck is not None:
            assert mine["healthcheck_rc"] == 0, target


def test_one_install_for_the_workspace_and_dockerfiles_untouched(
    adopted: dict[str, object],
) -> None:
    root = Path(str(adopted["root"]))
    installs = []
    for path in sorted((root / "docker").rglob("*.Dockerfile")):
        for command in dockerfile.parse_file(str(path)):
            if command.cmd == "RUN":
                installs += [(path.name, i) for i in installs_in(" ".join(command.value))]
    assert installs == [("base-node.Dockerfile", "npm ci")]
    originals = adopted["originals"]
    assert isinstance(originals, dict)
    for rel, text in originals.items():
        assert (root / rel).read_bytes() == text


def test_adopted_cold_bake_is_faster(adopted: dict[str, object]) -> None:
    own, ours = float(str(adopted["own"])), float(str(adopted["ours"]))
    assert ours < own, f"adopted {ours:.1f} s, own Dockerfiles {own:.1f} s"


def test_an_edit_rebuilds_only_that_service(kit: Kit, adopted: dict[str, object]) -> None:
    root, registry = Path(str(adopted["root"])), str(adopted["registry"])
    _bake(kit, root, registry, "default")  # warm
    server = root / "apps/api/src/server.js"
    # unique content: BuildKit's cache is content-addressed, and outlives this test's files
    server.write_text(server.read_text() + f"// edited {uuid.uuid4().hex}\n")
    _, log = _bake(kit, root, registry, "default")
    assert _executed(log) == {"ad-api"}, _executed(log)
