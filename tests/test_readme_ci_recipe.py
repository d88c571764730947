"""The README's two-wave recipe for CI systems other than GitHub runs as written: with a
fake `docker`, it bakes the missing bases in CI mode, then the services."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import REPO, SAMPLE

BASES = sorted(f"{eco}-{kind}-base" for eco in ("cargo", "node", "python")
               for kind in ("deps", "production"))


def recipe() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    found = [b for b in blocks if "# wave 1:" in b and "bakegen matrix --layered" in b]
    assert len(found) == 1
    return found[0]


def run_recipe(tmp_path: Path) -> list[str]:
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    shim = tmp_path / "bin" / "bakegen"
    shim.write_text(f"#!{sys.executable}\nfrom bakegen.cli import main\nmain()\n")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", recipe()], cwd=SAMPLE,
                          env=os.environ.copy(), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "docker.log").read_text().splitlines()
    return [line for line in log if " bake " in f" {line} "]


def test_recipe_builds_missing_bases_then_services(tmp_path: Path, fake_docker: Path) -> None:
    assert run_recipe(tmp_path) == [
        "BAKEGEN_MODE=ci buildx bake -f docker-bake.hcl --push " + " ".join(BASES),
        "BAKEGEN_MODE=ci buildx bake -f docker-bake.hcl --push",
    ]


def test_recipe_skips_wave_one_when_the_registry_has_every_base(
        tmp_path: Path, fake_docker: Path) -> None:
    from bakegen.bakefile import load_bakefile
    from bakegen.matrix import base_wave

    bake = load_bakefile(SAMPLE)
    services = [t.name for t in bake.buildable()]
    fake_docker.write_text("\n".join(b.tag for b in base_wave(bake, services)))
    assert run_recipe(tmp_path) == ["BAKEGEN_MODE=ci buildx bake -f docker-bake.hcl --push"]
