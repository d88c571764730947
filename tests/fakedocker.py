"""A fake `docker` on PATH for tests: `buildx imagetools inspect TAG` finds the tags
listed in a file, `buildx bake ...` succeeds; every call is logged with BAKEGEN_MODE."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

FAKE_DOCKER = """\
#!{python}
import os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    mode = os.environ.get("BAKEGEN_MODE", "")
    log.write(("BAKEGEN_MODE=" + mode + " " if args[:2] == ["buildx", "bake"] else "")
              + " ".join(args) + "\\n")
if args[:2] == ["buildx", "bake"]:
    sys.exit(0)
if args[:3] != ["buildx", "imagetools", "inspect"] or len(args) != 4:
    sys.exit(64)
tag = args[3]
present = open(os.environ["FAKE_DOCKER_PRESENT"]).read().split()
if tag in present:
    print("Name: " + tag)
    sys.exit(0)
if "production" in tag and os.environ.get("FAKE_DOCKER_DENY"):
    print("ERROR: failed to authorize: 401 Unauthorized", file=sys.stderr)
    sys.exit(1)
print("ERROR: " + tag + ": not found", file=sys.stderr)
sys.exit(1)
"""


@pytest.fixture
def fake_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put the fake first on PATH; returns the file listing the tags the registry has
    (its log is `docker.log` beside it)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER.format(python=sys.executable))
    docker.chmod(docker.stat().st_mode | stat.S_IXUSR)
    present = tmp_path / "present"
    present.write_text("")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DOCKER_PRESENT", str(present))
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(tmp_path / "docker.log"))
    return present
