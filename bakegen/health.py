"""HEALTHCHECK probes made of what each runtime image already has.

The images carry no curl or wget, so a probe is a shell-form one-liner in the runtime's own language
(`node -e` with fetch, `python -c` with urllib) or, for runtimes with no interpreter (Rust
binaries on plain Debian), a tiny std-only Rust program compiled in a stage of its own. Every
probe asks `http://127.0.0.1:$PORT<path>`, taking the port from the environment first (so a
`docker run -e PORT=...` still probes the right one) and the configured port otherwise, and
exits 0 on a 2xx/3xx answer, 1 on anything else, a refused connection or a timeout.
The config allows health paths without quotes, spaces or shell operators, so a path sits
inside the probe's string literal as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bakegen.ecosystems.base import ServiceRecipe, Stage
from bakegen.ecosystems.instructions import exec_form
from bakegen.settings import ServiceSettings

#: HEALTHCHECK options: a slow first start is not a failure, a hung probe is
OPTIONS = "--interval=30s --timeout=5s --start-period=20s --retries=3"
#: where the compiled probe lives in the image
PROBE_BIN = "/usr/local/bin/bakegen-probe"
PROBE_STAGE = "health-probe"
_SECONDS = 4

# No single quotes in these lines: they are written with printf '%s\n' '<line>' ...
_RUST_PROBE = (
    "use std::io::{Read, Write};",
    "use std::net::{SocketAddr, TcpStream};",
    "use std::time::Duration;",
    "// bakegen-probe PATH PORT: GET PATH on 127.0.0.1 at env PORT (else PORT), exit 0 on 2xx/3xx",
    "fn main() {",
    "    let args: Vec<String> = std::env::args().collect();",
    '    let path = args.get(1).cloned().unwrap_or_else(|| "/".to_string());',
    "    let port = std::env::var(\"PORT\").ok().filter(|p| !p.is_empty())",
    '        .or_else(|| args.get(2).cloned()).unwrap_or_else(|| "80".to_string());',
    "    std::process::exit(if probe(&port, &path).unwrap_or(false) { 0 } else { 1 });",
    "}",
    "fn probe(port: &str, path: &str) -> std::io::Result<bool> {",
    "    let bad = std::io::Error::new(std::io::ErrorKind::InvalidInput, \"port\");",
    '    let addr: SocketAddr = format!("127.0.0.1:{}", port).parse().map_err(|_| bad)?;',
    f"    let limit = Duration::from_secs({_SECONDS});",
    "    let mut stream = TcpStream::connect_timeout(&addr, limit)?;",
    "    stream.set_read_timeout(Some(limit))?;",
    "    stream.set_write_timeout(Some(limit))?;",
    '    let request = format!("GET {} HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n", path);',
    "    stream.write_all(request.as_bytes())?;",
    "    let mut head = [0u8; 12];",
    "    stream.read_exact(&mut head)?;",
    '    Ok(head.starts_with(b"HTTP/1.") && (head[9] == b"2"[0] || head[9] == b"3"[0]))',
    "}",
)


def probed(
    recipe: ServiceRecipe,
    settings: ServiceSettings,
    probe: Callable[[str, int], str],
) -> ServiceRecipe:
    """The recipe with a HEALTHCHECK probing the configured health path, when there is one
    and neither an explicit `healthcheck` command nor the recipe's own probe replaces it."""
    if settings.health is None or settings.port is None or settings.healthcheck:
        return recipe
    if recipe.healthcheck:
        return recipe
    return replace(recipe, healthcheck=probe(settings.health, settings.port))


def compiled_probe(recipe: ServiceRecipe, settings: ServiceSettings) -> ServiceRecipe:
    """`probed` with the compiled probe: its stage, the COPY into the image, the HEALTHCHECK."""
    with_probe = probed(recipe, settings, binary_probe)
    if with_probe is recipe:
        return recipe
    return replace(
        with_probe,
        stages=(*recipe.stages, rust_probe_stage()),
        runtime=(*recipe.runtime, copy_probe()),
    )


def node_probe(path: str, port: int) -> str:
    """`node -e` with the built-in fetch (Node 18+), aborted after a few seconds."""
    return f"node -e '{_fetch_script(path, port)}'"


def bun_probe(path: str, port: int) -> str:
    """`bun -e` with the same fetch, for an image that has bun and no node."""
    return f"bun -e '{_fetch_script(path, port)}'"


def _fetch_script(path: str, port: int) -> str:
    return (
        f'fetch("http://127.0.0.1:"+(process.env.PORT||"{port}")+"{path}",'
        f"{{signal:AbortSignal.timeout({_SECONDS * 1000})}})"
        ".then(r=>process.exit(r.status<400?0:1),()=>process.exit(1))"
    )


def python_probe(path: str, port: int) -> str:
    """`python -c` with urllib: an HTTP error status raises, so the exit code is non-zero."""
    script = (
        "import os,urllib.request as u;"
        f'u.urlopen("http://127.0.0.1:"+(os.environ.get("PORT") or "{port}")+"{path}",'
        f"timeout={_SECONDS})"
    )
    return f"python -c '{script}'"


def binary_probe(path: str, port: int) -> str:
    """The compiled probe (see `rust_probe_stage`), exec form: the runtime may lack a shell."""
    return exec_form((PROBE_BIN, path, str(port)))


def rust_probe_stage(base: str = "deps-base") -> Stage:
    """A stage compiling the probe with the build image's rustc, statically linked so it runs
    on any runtime image. The step is the same in every service, so BuildKit runs it once."""
    source = " \\\n    ".join(f"'{line}'" for line in _RUST_PROBE)
    run = (
        f"RUN printf '%s\\n' \\\n    {source} \\\n    > /tmp/bakegen-probe.rs \\\n"
        " && rustc --edition 2021 -C opt-level=s -C panic=abort -C strip=symbols"
        " -C target-feature=+crt-static -o /bakegen-probe /tmp/bakegen-probe.rs"
    )
    return Stage(name=PROBE_STAGE, base=base, instructions=("WORKDIR /tmp", run))


def copy_probe() -> str:
    """The final stage's line bringing the compiled probe in."""
    return f"COPY --from={PROBE_STAGE} --chmod=0755 /bakegen-probe {PROBE_BIN}"
