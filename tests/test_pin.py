"""`bakegen pin`: digests from a registry (token auth as docker.io does it), written to config."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen import pin
from bakegen.cli import cli
from bakegen.errors import BakegenError
from tests.builders import write_tree

DIGEST = "sha256:" + "ab" * 32


class _Registry(http.server.BaseHTTPRequestHandler):
    """A registry that wants an anonymous Bearer token, like registry-1.docker.io."""

    def do_GET(self) -> None:
        if self.path.startswith("/token?"):
            assert "scope=repository%3Alibrary%2Fnode%3Apull" in self.path
            return self._answer(200, json.dumps({"token": "t0k"}).encode())
        if self.headers.get("Authorization") != "Bearer t0k":
            realm = f"http://127.0.0.1:{self.server.server_address[1]}/token"
            return self._answer(401, b"{}", {"WWW-Authenticate": (
                f'Bearer realm="{realm}",service="test",'
                'scope="repository:library/node:pull"')})
        if self.path == "/v2/library/node/manifests/22-bookworm-slim":
            assert "application/vnd.oci.image.index.v1+json" in self.headers["Accept"]
            return self._answer(200, b"{}", {"Docker-Content-Digest": DIGEST})
        return self._answer(404, b"{}")

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def mirror() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize(("ref", "expected"), [
    ("node:22", ("registry-1.docker.io", "library/node", "22", None)),
    ("debian", ("registry-1.docker.io", "library/debian", "latest", None)),
    ("docker.io/acme/api:1", ("registry-1.docker.io", "acme/api", "1", None)),
    ("ghcr.io/acme/api", ("ghcr.io", "acme/api", "latest", None)),
    ("localhost:5000/x/y:2@sha256:1", ("localhost:5000", "x/y", "2", "sha256:1")),
])
def test_references_follow_dockers_defaults(ref: str, expected: tuple[object, ...]) -> None:
    parsed = pin.Reference.parse(ref)
    assert (parsed.registry, parsed.repository, parsed.tag, parsed.digest) == expected


def test_resolve_follows_the_token_challenge(mirror: str) -> None:
    assert pin.resolve("node:22-bookworm-slim", mirror=mirror) == DIGEST
    assert pin.resolve("node:22@sha256:1", mirror=mirror) == "sha256:1"  # nothing asked
    with pytest.raises(BakegenError, match=r"node:nope: the registry answered 404 .*no such"):
        pin.resolve("node:nope", mirror=mirror)


def test_unreachable_registry_is_one_line_naming_the_url() -> None:
    with pytest.raises(BakegenError, match=r"http://127.0.0.1:9/v2/x/manifests/1: cannot reach"):
        pin.resolve("127.0.0.1:9/x:1")


def test_plan_pins_skips_pinned_and_diverging_images() -> None:
    found, notes = pin.plan_pins(
        [("node", "build", "node:22"), ("node", "runtime", "node:22"),
         ("node", "runtime", "node:22"), ("cargo", "build", "rust:1@sha256:9"),
         ("python", "build", "python:3.11"), ("python", "build", "python:3.12")],
        lambda ref: DIGEST,
    )
    assert found == [pin.Pin("node", "build", "node:22", f"node:22@{DIGEST}"),
                     pin.Pin("node", "runtime", "node:22", f"node:22@{DIGEST}")]
    assert notes == [
        "[images.cargo] build: rust:1@sha256:9 is pinned already",
        "[images.python] build: workspaces use python:3.11, python:3.12; not pinned "
        "(set each workspace's image yourself)",
    ]


def test_write_pins_keeps_the_rest_of_the_file() -> None:
    pins = [pin.Pin("node", "build", "node:22", f"node:22@{DIGEST}")]
    text = '# mine\nregistry = "ghcr.io/acme"\n\n[images.node]\nruntime = "x"  # kept\n'
    after = pin.write_pins(text, pins, in_pyproject=False)
    assert after.startswith(text.rstrip("\n").rsplit("\n", 1)[0])
    assert f'build = "node:22@{DIGEST}"' in after and 'runtime = "x"  # kept' in after
    pyproject = pin.write_pins('[project]\nname = "x"\n\n[tool.bakegen]\nregistry = "r"\n',
                               pins, in_pyproject=True)
    assert f'[tool.bakegen.images.node]\nbuild = "node:22@{DIGEST}"' in pyproject


def test_pin_command_writes_the_config_and_generate_uses_the_digests(
    mirror: str, tmp_path: Path
) -> None:
    write_tree(tmp_path, {
        "package.json": {"name": "root", "private": True, "workspaces": ["apps/*"],
                         "engines": {"node": "22"}},
        "package-lock.json": {"lockfileVersion": 3, "packages": {
            "": {"workspaces": ["apps/*"]}, "apps/api": {"version": "1.0.0"},
            "node_modules/api": {"resolved": "apps/api", "link": True}}},
        "apps/api/package.json": {"name": "api", "version": "1.0.0",
                                  "scripts": {"start": "node server.js"}},
        "bakegen.toml": 'registry = "ghcr.io/acme"\n',
    })
    runner = CliRunner()
    dry = runner.invoke(cli, ["pin", str(tmp_path), "--mirror", mirror, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"[images.node] build = node:22-bookworm-slim@{DIGEST}" in dry.output
    assert (tmp_path / "bakegen.toml").read_text() == 'registry = "ghcr.io/acme"\n'
    done = runner.invoke(cli, ["pin", str(tmp_path), "--mirror", mirror])
    assert done.exit_code == 0, done.output
    assert "wrote bakegen.toml" in done.output
    generated = runner.invoke(cli, ["generate", str(tmp_path)])
    assert generated.exit_code == 0, generated.output
    base = (tmp_path / "docker/base-node.Dockerfile").read_text()
    assert f"ARG NODE_IMAGE=node:22-bookworm-slim@{DIGEST}" in base
    again = runner.invoke(cli, ["pin", str(tmp_path), "--mirror", mirror])
    assert "is pinned already" in again.output and "nothing to pin" in again.output
