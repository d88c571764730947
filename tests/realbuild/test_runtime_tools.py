"""production-base takes tini and the CA bundle from runtime-tools, only what the image lacks.

The official `debian:bookworm-slim` has no CA bundle; the kit's stand-in carries the host's
(see the kit's README), so a runtime like the official one is made here by removing it. On
that runtime the image must get runtime-tools' bundle, Debian's small dynamically linked tini
(which bookworm's glibc runs), and still start as the non-root user. Its Rust binary ships
without a symbol table, as the Go builds do.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from tests.elf import section_names
from tests.realbuild.kit import PROJECT, Kit

pytestmark = pytest.mark.realbuild
CASE = PROJECT / "tests" / "cases" / "rb-cargo" / "workspace"
BUNDLE = "etc/ssl/certs/ca-certificates.crt"
#: Debian's tini is 27 kB, tini-static 708 kB
DYNAMIC_TINI_MAX = 100_000


def _runtime_without_bundle(kit: Kit, tmp_path: Path, registry: str) -> str:
    image = f"{registry}/slim-no-bundle:1"
    folder = tmp_path / "runtime"
    folder.mkdir()
    (folder / "Dockerfile").write_text(
        f"FROM debian:bookworm-slim\nRUN rm -f /{BUNDLE} /usr/local/share/ca-certificates/*\n",
        encoding="utf-8")
    done = subprocess.run(
        ["docker", "buildx", "build", "--provenance=false", "--output",
         f"type=image,name={image},push=true,registry.insecure=true", str(folder)],
        env=kit.env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return image


def test_a_runtime_without_a_bundle_gets_one_and_the_small_tini(
    kit: Kit, tmp_path: Path
) -> None:
    registry = f"{kit.registry}/rt-{uuid.uuid4().hex[:8]}"
    runtime = _runtime_without_bundle(kit, tmp_path, registry)
    root = shutil.copytree(CASE, tmp_path / "ws")
    assert CliRunner().invoke(cli, ["generate", str(root)]).exit_code == 0
    done = subprocess.run(
        ["docker", "buildx", "bake", "-f", "docker-bake.hcl",
         "--set", "*.output=type=image,push=true,registry.insecure=true", "rb-svc"],
        cwd=root, env={**kit.env, "REGISTRY": registry, "BUILD_PLATFORMS": "linux/amd64",
                       "RUST_RUNTIME_IMAGE": runtime},
        capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    image = f"{registry}/rb-svc:latest"
    rootfs = kit.unpack(image, tmp_path / "img")
    bundle = (rootfs / BUNDLE).read_text(encoding="utf-8")
    assert bundle.count("BEGIN CERTIFICATE") > 100
    assert not (rootfs / "usr/share/ca-certificates").exists()
    tini = rootfs / "usr/bin/tini"
    assert 0 < tini.stat().st_size < DYNAMIC_TINI_MAX
    sections = section_names(rootfs / "usr/local/bin/rb-svc")
    assert ".text" in sections and ".symtab" not in sections
    answer = kit.run(image, 3931)
    assert answer["ok"], answer
    assert answer.get("uid") == 10001
