"""The services `bakegen new` scaffolds really run: started as processes, they answer /health.

Every wait is bounded and every process is killed, whatever the test's outcome.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from tests.builders import copy_sample

START_TIMEOUT = 15.0


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RUSTUP_TOOLCHAIN", "stable")  # sample_monorepo pins an absent one
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    return copy_sample(tmp_path)


def new(root: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["new", *args, "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(command: list[str], cwd: Path, env: dict[str, str]) -> Iterator[int]:
    """Start a server on a free port, wait (bounded) until it accepts, always kill it."""
    port = free_port()
    process = subprocess.Popen(
        command, cwd=cwd, env={**os.environ, **env, "PORT": str(port)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"{command} exited with {process.returncode}: {output}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{command} did not listen on {port} within {START_TIMEOUT} s")
                time.sleep(0.1)
        yield port
    finally:
        process.kill()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def get(port: int, path: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_skeleton_answers_health(repo: Path) -> None:
    new(repo, "billing", "--lang", "node", "--depends-on", "@acme/shared", "--no-lock")
    folder = repo / "apps/billing"
    start = json.loads((folder / "package.json").read_text())["scripts"]["start"]
    assert start == "node server.js"
    with serving(["node", "server.js"], folder, {}) as port:
        assert get(port, "/health") == (200, {"status": "ok", "service": "@acme/billing"})
        assert get(port, "/nope") == (404, {"error": "not found"})


def test_python_skeleton_answers_health_and_help(repo: Path) -> None:
    new(repo, "reports", "--lang", "python", "--depends-on", "acme-common", "--no-lock")
    folder = repo / "python/reports"
    env = {"PYTHONPATH": str(folder / "src")}
    helped = subprocess.run(
        [sys.executable, "-m", "reports", "--help"], cwd=folder, env={**os.environ, **env},
        capture_output=True, text=True, timeout=30,
    )
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: reports")
    assert "--port" in helped.stdout
    with serving([sys.executable, "-m", "reports"], folder, env) as port:
        assert get(port, "/health") == (200, {"status": "ok", "service": "reports"})
        assert get(port, "/health?verbose=1")[0] == 200
        assert get(port, "/") == (404, {"error": "not found"})


def test_python_console_script_points_at_main(repo: Path) -> None:
    new(repo, "reports", "--lang", "python", "--no-lock")
    text = (repo / "python/reports/pyproject.toml").read_text()
    assert '[project.scripts]\nreports = "reports.__main__:main"' in text
    main = (repo / "python/reports/src/reports/__main__.py").read_text()
    assert "def main(argv: list[str] | None = None) -> int:" in main


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")
def test_rust_skeleton_is_a_valid_locked_workspace_member(repo: Path) -> None:
    new(repo, "ledger", "--lang", "rust", "--depends-on", "geo")
    metadata = subprocess.run(
        ["cargo", "metadata", "--offline", "--locked", "--format-version", "1"],
        cwd=repo, capture_output=True, text=True, timeout=120,
    )
    assert metadata.returncode == 0, metadata.stderr
    data = json.loads(metadata.stdout)
    ledger = next(p for p in data["packages"] if p["name"] == "ledger")
    assert [d["name"] for d in ledger["dependencies"]] == ["geo"]
    assert [t["kind"] for t in ledger["targets"]] == [["bin"]]
    assert any(m.startswith("path+file://") and "ledger" in m for m in data["workspace_members"])


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")
def test_rust_skeleton_builds_and_answers_health(repo: Path, tmp_path: Path) -> None:
    new(repo, "ledger", "--lang", "rust", "--path", "services/ledger", "--depends-on", "geo")
    target = tmp_path / "target"
    build = subprocess.run(
        ["cargo", "build", "--offline", "--locked", "-p", "ledger"],
        cwd=repo, env={**os.environ, "CARGO_TARGET_DIR": str(target)},
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr
    with serving([str(target / "debug/ledger")], repo, {}) as port:
        assert get(port, "/health") == (200, {"status": "ok", "service": "ledger"})
        assert get(port, "/x?y=1") == (404, {"error": "not found"})
