"""HEALTHCHECK probes: config, rendering per runtime, and each probe run against a server."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bakegen import health
from bakegen.config import parse_config
from bakegen.ecosystems.base import ServiceRecipe
from bakegen.errors import BakegenError
from bakegen.settings import ServiceSettings

RECIPE = ServiceRecipe(build=(), runtime=("COPY --from=build /out/ ./",), command=("x",),
                       context=("apps/x",))


def test_health_path_needs_a_port_and_a_plain_path() -> None:
    settings = parse_config({"service": {"x": {"port": 80, "health": "/healthz?deep=1"}}}, "t")
    assert settings.service("x").health == "/healthz?deep=1"
    with pytest.raises(BakegenError, match=r'health" needs .*port" too'):
        parse_config({"service": {"x": {"health": "/health"}}}, "bakegen.toml")
    for bad in ("health", "/a b", "/a'b", '/a"b', "/$HOME", "/a;b", "/a&b", 5):
        with pytest.raises(BakegenError, match="health"):
            parse_config({"service": {"x": {"port": 80, "health": bad}}}, "bakegen.toml")


def test_probed_only_with_a_path_and_without_an_explicit_command() -> None:
    with_path = ServiceSettings(port=3000, health="/up")
    assert health.probed(RECIPE, ServiceSettings(port=3000), health.node_probe) is RECIPE
    explicit = ServiceSettings(port=3000, health="/up", healthcheck="true")
    assert health.probed(RECIPE, explicit, health.node_probe) is RECIPE
    probed = health.probed(RECIPE, with_path, health.node_probe)
    assert probed.healthcheck.startswith("node -e '")
    assert '"/up"' in probed.healthcheck and '"3000"' in probed.healthcheck


def test_compiled_probe_adds_its_stage_copy_and_exec_form() -> None:
    recipe = health.compiled_probe(RECIPE, ServiceSettings(port=8081, health="/health"))
    assert [s.name for s in recipe.stages] == [health.PROBE_STAGE]
    assert recipe.stages[0].base == "deps-base"
    assert recipe.runtime[-1] == health.copy_probe()
    assert recipe.healthcheck == '["/usr/local/bin/bakegen-probe", "/health", "8081"]'
    assert health.compiled_probe(RECIPE, ServiceSettings(port=1)) is RECIPE


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path.startswith("/health") else 503)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server_port() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def _shell(command: str, bin_dir: str, env_port: int | None = None) -> int:
    """Run a shell-form probe as HEALTHCHECK does, with `python` and `node` on PATH."""
    node = shutil.which("node")
    env = {"PATH": ":".join([bin_dir, str(Path(node).parent) if node else "", "/usr/bin:/bin"])}
    if env_port is not None:
        env["PORT"] = str(env_port)
    return subprocess.run(["sh", "-c", command], env=env, timeout=30,
                          capture_output=True, check=False).returncode


def _python_on_path(tmp_path: Path) -> str:
    python = shutil.which("python3")
    assert python
    (tmp_path / "python").symlink_to(python)
    return str(tmp_path)


@pytest.mark.parametrize("kind", ["node", "python"])
def test_interpreter_probes_answer_like_the_server(
    kind: str, server_port: int, tmp_path: Path
) -> None:
    if shutil.which(kind if kind == "node" else "python3") is None:
        pytest.skip(f"{kind} is not installed")
    probe = health.node_probe if kind == "node" else health.python_probe
    bin_dir = _python_on_path(tmp_path)
    assert _shell(probe("/health", server_port), bin_dir) == 0
    assert _shell(probe("/other", server_port), bin_dir) != 0
    # PORT from the environment wins over the configured one (`docker run -e PORT=`)
    assert _shell(probe("/health", 1), bin_dir, env_port=server_port) == 0
    assert _shell(probe("/health", server_port), bin_dir, env_port=1) != 0


def test_compiled_probe_answers_like_the_server(server_port: int, tmp_path: Path) -> None:
    if shutil.which("rustc") is None:
        pytest.skip("rustc is not installed")
    run = health.rust_probe_stage().instructions[-1]
    script = run.removeprefix("RUN ").replace("/tmp/bakegen-probe.rs", str(tmp_path / "p.rs"))
    script = script.replace("-o /bakegen-probe", f"-o {tmp_path / 'probe'}")
    script = script.replace(" -C target-feature=+crt-static", "")
    subprocess.run(["sh", "-c", script], check=True, timeout=300, capture_output=True)
    probe = str(tmp_path / "probe")

    def rc(path: str, port: int, env_port: int | None = None) -> int:
        env = {} if env_port is None else {"PORT": str(env_port)}
        return subprocess.run([probe, path, str(port)], env=env, timeout=30,
                              check=False).returncode

    assert rc("/health", server_port) == 0
    assert rc("/other", server_port) == 1
    assert rc("/health", 1, env_port=server_port) == 0
    assert rc("/health", server_port, env_port=1) == 1
