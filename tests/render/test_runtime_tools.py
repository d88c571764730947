"""production-base gets tini and CA certificates from one apt run per bake, not one per base."""

from __future__ import annotations

from pathlib import Path

import dockerfile
import pytest

from bakegen.ecosystems.runtime import runtime_setup, runtime_tools_stage

SAMPLE = Path(__file__).resolve().parents[2] / "sample_monorepo"


def _apt_runs(text: str) -> list[str]:
    return [c.original for c in dockerfile.parse_string(text)
            if c.cmd == "RUN" and "apt-get" in c.original]


def _stages(text: str) -> dict[str, list[dockerfile.Command]]:
    stages: dict[str, list[dockerfile.Command]] = {}
    current = ""
    for command in dockerfile.parse_string(text):
        if command.cmd == "FROM":
            current = command.value[-1]
        stages.setdefault(current, []).append(command)
    return stages


@pytest.mark.parametrize("image", ["node:20-bookworm-slim", "python:3.12-slim-bookworm",
                                   "node:16-bullseye-slim"])
def test_slim_runtimes_copy_the_tools_from_one_stage(image: str) -> None:
    stage = runtime_tools_stage(image)
    assert stage[0] == "FROM debian:bookworm-slim AS runtime-tools"
    setup = "\n".join(runtime_setup(image))
    assert "apt-get" not in setup
    assert "--mount=type=bind,from=runtime-tools,target=/run/runtime-tools" in setup
    # the dynamic tini where the image's libc starts it, else the static one
    assert ("usr/bin/tini --version >/dev/null 2>&1 && cp usr/bin/tini /usr/bin/tini \\\n"
            "      || cp usr/bin/tini-static /usr/bin/tini") in setup
    # only the bundle, and only where the image has none
    assert ("[ -s /etc/ssl/certs/ca-certificates.crt ] \\\n"
            "      || cp --parents etc/ssl/certs/ca-certificates.crt /") in setup
    assert "/usr/share/ca-certificates" not in setup
    assert 'ENTRYPOINT ["/usr/bin/tini", "--"]' in setup and "useradd --system --uid 10001" in setup


def test_plain_debian_copies_the_tools_too_so_no_openssl_comes_along() -> None:
    # the same runtime-tools stage as the slim runtimes (BuildKit runs it once per bake);
    # installing ca-certificates in place would bring openssl and libssl3 into Rust and Go
    # images, which only a lockfile linking openssl needs (Workspace.runtime_packages)
    assert runtime_tools_stage("debian:bookworm-slim") == runtime_tools_stage(
        "node:20-bookworm-slim")
    setup = "\n".join(runtime_setup("debian:bookworm-slim"))
    assert "apt-get" not in setup
    assert "cp usr/bin/tini-static /usr/bin/tini" in setup


@pytest.mark.parametrize("image", ["node:20-alpine", "gcr.io/distroless/cc-debian12"])
def test_alpine_and_distroless_have_no_tools_stage(image: str) -> None:
    assert runtime_tools_stage(image) == ()
    assert not any("runtime-tools" in line for line in runtime_setup(image))


def test_the_sample_runs_one_identical_apt_step_in_every_base() -> None:
    texts = {p.name: p.read_text(encoding="utf-8") for p in (SAMPLE / "docker").glob("base-*")
             if p.suffix == ".Dockerfile"}
    assert sorted(texts) == ["base-cargo.Dockerfile", "base-node.Dockerfile",
                             "base-python.Dockerfile"]
    runs = {name: _apt_runs(text) for name, text in texts.items()}
    assert all(len(r) == 1 for r in runs.values()), runs
    assert len({r[0] for r in runs.values()}) == 1
    for name in ("base-node.Dockerfile", "base-python.Dockerfile"):
        stages = _stages(texts[name])
        assert [c.value[0] for c in stages["runtime-tools"] if c.cmd == "FROM"] == [
            "debian:bookworm-slim"]
        production = stages["production-base"]
        assert not any("apt-get" in c.original for c in production)
        assert any(c.cmd == "RUN" and "--mount=type=bind,from=runtime-tools," in c.original
                   for c in production)
