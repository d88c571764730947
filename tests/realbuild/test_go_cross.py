"""Go cross-compiles: an arm64 image's binary is built on the amd64 builder, no emulation.

The kit has no qemu and amd64-only build images, so only a native build stage can produce an
arm64 binary here: the service's `build` stage is exported for linux/arm64 and its binary's
ELF header must say AArch64 (e_machine 183).
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from tests.elf import AARCH64, machine
from tests.realbuild.kit import PROJECT, Kit

pytestmark = pytest.mark.realbuild
CASE = PROJECT / "tests" / "cases" / "rb-go" / "workspace"


def _bake_arm64(kit: Kit, root: Path, registry: str, *flags: str) -> None:
    """Bake with BUILD_PLATFORMS=linux/arm64, pushed as an image (a local export hangs on
    the kit's remote driver)."""
    done = subprocess.run(
        ["docker", "buildx", "bake", "-f", "docker-bake.hcl", *flags],
        cwd=root, env={**kit.env, "BUILD_PLATFORMS": "linux/arm64", "REGISTRY": registry},
        capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]


def _elf_machine(kit: Kit, image: str, binary: str, tmp_path: Path) -> int:
    """e_machine of `binary` (a path in the rootfs) in the arm64 image `image`."""
    layout = tmp_path / "oci"
    subprocess.run(["skopeo", "--override-arch", "arm64", "copy", "-q",
                    "--src-tls-verify=false", f"docker://{image}", f"oci:{layout}:img"],
                   env=kit.env, check=True, timeout=300)
    subprocess.run(["umoci", "unpack", "--image", f"{layout}:img", str(tmp_path / "bundle")],
                   env=kit.env, check=True, capture_output=True, timeout=300)
    return machine(tmp_path / "bundle/rootfs" / binary)


def test_an_arm64_binary_is_cross_compiled_without_emulation(kit: Kit, tmp_path: Path) -> None:
    root = shutil.copytree(CASE, tmp_path / "ws")
    assert CliRunner().invoke(cli, ["generate", str(root)]).exit_code == 0
    registry = f"{kit.registry}/go-cross-{uuid.uuid4().hex[:8]}"
    # the build stage only
    _bake_arm64(kit, root, registry, "--set", "status.target=build",
                "--set", "status.output=type=image,push=true,registry.insecure=true", "status")
    assert _elf_machine(kit, f"{registry}/status:latest", "out/status", tmp_path) == AARCH64


def test_the_static_server_is_cross_compiled_for_arm64(kit: Kit, tmp_path: Path) -> None:
    root = shutil.copytree(PROJECT / "tests" / "cases" / "rb-static" / "workspace",
                           tmp_path / "ws")
    assert CliRunner().invoke(cli, ["generate", str(root)]).exit_code == 0
    registry = f"{kit.registry}/static-cross-{uuid.uuid4().hex[:8]}"
    target = "bakegen-static-server"
    _bake_arm64(kit, root, registry, "--set", f"{target}.tags={registry}/server:latest",
                "--set", f"{target}.output=type=image,push=true,registry.insecure=true", target)
    assert _elf_machine(kit, f"{registry}/server:latest", "static-server", tmp_path) == AARCH64
