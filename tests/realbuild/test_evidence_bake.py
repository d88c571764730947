"""The real `docker buildx bake --print` accepts what bakegen generates from declared builds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from tests.realbuild.kit import PROJECT, Kit

pytestmark = pytest.mark.realbuild

CASES = PROJECT / "tests" / "cases"


def _generated(name: str, tmp_path: Path) -> Path:
    workspace = shutil.copytree(CASES / name / "workspace", tmp_path / name)
    result = CliRunner().invoke(cli, ["generate", str(workspace)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return workspace


@pytest.mark.parametrize(("name", "expected"), [
    ("evidence-docker-folder", {
        "api-gateway": (".", "docker/api-gateway.Dockerfile"),
        "auth": (".", "docker/auth.Dockerfile"),
        "billing": (".", "docker/billing.Dockerfile"),
        "notifications": (".", "docker/notifications.Dockerfile"),
        "search": (".", "docker/search.Dockerfile"),
    }),
    ("evidence-compose", {
        "api": (".", "apps/api/Dockerfile.prod"),
        "chat-bot": ("tools/bot", "bot.Dockerfile"),
        "storefront": ("apps/web", "Dockerfile"),
    }),
    ("scope-stray-manifests", {
        "deploy": ("tools/deploy", "Dockerfile"),
        "m-api": (".", "docker/services/m-api.Dockerfile"),
        "svc": (".", "docker/services/svc.Dockerfile"),
    }),
])
def test_bake_accepts_declared_builds(
    kit: Kit, tmp_path: Path, name: str, expected: dict[str, tuple[str, str]]
) -> None:
    printed = kit.print_targets(_generated(name, tmp_path))
    services = {t: (str(v["context"]), str(v["dockerfile"])) for t, v in printed.items()
                if t in expected}
    assert services == expected


def test_plain_bake_merges_the_compose_file_and_the_printed_command_does_not(
    kit: Kit, tmp_path: Path
) -> None:
    workspace = _generated("evidence-compose", tmp_path)
    plain = subprocess.run(["docker", "buildx", "bake", "--print"], cwd=workspace, env=kit.env,
                           capture_output=True, text=True, timeout=120)
    assert plain.returncode != 0 and "env file" in plain.stderr
    assert "api" in kit.print_targets(workspace)
