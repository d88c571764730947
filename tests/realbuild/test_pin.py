"""`bakegen pin` against a real registry: the kit's, which serves as BuildKit's docker.io mirror."""

from __future__ import annotations

import hashlib
import subprocess

import pytest

from bakegen import pin
from tests.realbuild.kit import Kit

pytestmark = pytest.mark.realbuild


def test_digest_is_the_one_the_registry_serves(kit: Kit) -> None:
    mirror = f"http://{kit.registry}"
    raw = subprocess.run(
        ["skopeo", "inspect", "--tls-verify=false", "--raw",
         f"docker://{kit.registry}/library/debian:bookworm-slim"],
        env=kit.env, capture_output=True, check=True, timeout=120,
    ).stdout
    expected = "sha256:" + hashlib.sha256(raw).hexdigest()
    assert pin.resolve("debian:bookworm-slim", mirror=mirror) == expected
    # a registry named in the reference is asked directly (plain http on 127.0.0.1)
    assert pin.resolve(f"{kit.registry}/library/debian:bookworm-slim") == expected
