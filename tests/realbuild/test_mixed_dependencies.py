"""A workspace mixing shared and per-service dependencies, built for real.

`@rb/api` keeps the workspace's shared production set (`dependencies = "shared"` in its
table) while the config says per-service: production-base holds none, so the api carries
the set itself (escape-html, which only `@rb/site` uses, is in it; no dev dependency is),
and the site holds only its own. Both images answer.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from tests.realbuild.kit import Kit

pytestmark = pytest.mark.realbuild

CASE = Path(__file__).resolve().parent.parent / "cases" / "rb-npm" / "workspace"
CONFIG = """dependencies = "per-service"

[service."@rb/api"]
port = 3901
dependencies = "shared"

[service."@rb/site"]
port = 3911
"""


def test_shared_and_per_service_in_one_workspace(kit: Kit, tmp_path: Path) -> None:
    workspace = shutil.copytree(CASE, tmp_path / "mixed")
    (workspace / "bakegen.toml").write_text(CONFIG)
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    generated = CliRunner().invoke(cli, ["generate", str(workspace)], catch_exceptions=False)
    assert generated.exit_code == 0, generated.output
    registry = f"{kit.registry}/mixed-{uuid.uuid4().hex[:10]}"
    baked = kit.bake(workspace, registry, "rb-api", "rb-site")
    assert baked.returncode == 0, baked.stderr[-3000:]
    contents = {}
    for target, port in (("rb-api", 3901), ("rb-site", 3911)):
        image = f"{registry}/{target}:latest"
        answer = kit.run(image, port)
        assert answer["ok"], (target, answer.get("status"), answer.get("logs"))
        assert answer["uid"] == 10001
        rootfs = kit.unpack(image, tmp_path / target)
        contents[target] = {p.name for p in (rootfs / "app" / "node_modules").iterdir()}
    assert {"escape-html", "ms"} <= contents["rb-api"]
    assert "is-number" not in contents["rb-api"]  # a dev dependency: never in production
    assert {"escape-html", "ms"} <= contents["rb-site"]
    dockerfile = (workspace / "docker" / "services" / "rb-api.Dockerfile").read_text()
    assert re.search(r"^FROM deps-base AS prod-deps$", dockerfile, re.MULTILINE)
