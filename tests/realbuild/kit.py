"""Find the real BuildKit kit (../shared/buildkit) and run bakes and images with it.

The kit's `up` writes `$KIT_HOME/env.sh` (builder, registry, PATH) and `images.env` (base image
overrides for its stand-ins). Tests read both instead of relying on the caller's shell.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
KIT_DIR = PROJECT.parent / "shared" / "buildkit"


@dataclass(frozen=True, slots=True)
class Kit:
    """A running kit: the environment bake needs, the registry, and `run-image`."""

    env: dict[str, str]
    registry: str
    run_image: Path

    def bake(
        self, workspace: Path, registry: str, *targets: str
    ) -> subprocess.CompletedProcess[str]:
        """`docker buildx bake` of the generated file, amd64, pushed to the kit's registry."""
        command = [
            "docker", "buildx", "bake", "-f", "docker-bake.hcl",
            "--set", "*.output=type=image,push=true,registry.insecure=true",
            *targets,
        ]
        # one platform of the images, through the variable (the kit builds amd64 only)
        env = {**self.env, "REGISTRY": registry, "BUILD_PLATFORMS": "linux/amd64"}
        return subprocess.run(
            command, cwd=workspace, env=env, capture_output=True, text=True, timeout=1200
        )

    def print_targets(self, workspace: Path) -> dict[str, dict[str, object]]:
        """The targets of the default group as `bake --print` resolves them."""
        out = subprocess.run(
            ["docker", "buildx", "bake", "-f", "docker-bake.hcl", "--print"],
            cwd=workspace, env=self.env, capture_output=True, text=True, timeout=120, check=True,
        ).stdout
        printed: dict[str, dict[str, object]] = json.loads(out)["target"]
        return printed

    def run(self, image: str, port: int | None, path: str = "/health") -> dict[str, object]:
        """Start `image` with run-image, probe it, and return run-image's JSON answer."""
        command = ["bash", str(self.run_image), image, "--timeout", "40"]
        if port is not None:
            command += ["--port", str(port), "--path", path]
        done = subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=300
        )
        answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
        return answer

    def unpack(self, image: str, dest: Path) -> Path:
        """The image's root filesystem, unpacked under `dest`."""
        dest.mkdir(parents=True, exist_ok=True)
        layout = dest / "oci"
        subprocess.run(
            ["skopeo", "copy", "-q", "--src-tls-verify=false", f"docker://{image}",
             f"oci:{layout}:img"],
            env=self.env, check=True, capture_output=True, timeout=300,
        )
        subprocess.run(
            ["umoci", "unpack", "--image", f"{layout}:img", str(dest / "bundle")],
            env=self.env, check=True, capture_output=True, timeout=300,
        )
        return dest / "bundle" / "rootfs"


def kit_home() -> Path:
    """Where the kit keeps its state (the kit's own default unless KIT_HOME is set)."""
    default = Path(os.environ.get("TMPDIR", "/tmp")) / "bakegen-buildkit"
    return Path(os.environ.get("KIT_HOME", default))


def find_kit() -> Kit | str:
    """The running kit, or the reason there is none."""
    home = kit_home()
    env_sh = home / "env.sh"
    if not env_sh.is_file():
        return f"no BuildKit kit: {env_sh} is absent (run `bash ../shared/buildkit/up`)"
    dumped = subprocess.run(
        ["bash", "-c", f'. "{env_sh}" && set -a && . "$KIT_IMAGES_ENV" && env -0'],
        capture_output=True, text=True, timeout=30,
    )
    if dumped.returncode != 0:
        return f"no BuildKit kit: sourcing {env_sh} failed: {dumped.stderr.strip()[:200]}"
    env = dict(line.split("=", 1) for line in dumped.stdout.split("\0") if "=" in line)
    probe = subprocess.run(
        ["docker", "buildx", "inspect", env.get("KIT_BUILDER", "bakegen-kit")],
        env=env, capture_output=True, text=True, timeout=60,
    )
    if probe.returncode != 0 or ("Status:" in probe.stdout and "running" not in probe.stdout):
        return f"no BuildKit kit: builder not answering ({(probe.stderr or probe.stdout)[:200]})"
    return Kit(env=env, registry=env["KIT_REGISTRY"], run_image=Path(env["KIT_DIR"]) / "run-image")
