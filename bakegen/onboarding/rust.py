"""Rust services for `bakegen new`: a `Cargo.toml` like its siblings' and a std-only server.

Conventions learnt from the workspace: which `[package]` fields siblings inherit with
`field.workspace = true` (kept when the root's `[workspace.package]` defines them), their
edition otherwise, `publish = false`; internal dependencies are `{ workspace = true }` when the
root's `[workspace.dependencies]` names the crate, else `{ path = "..." }`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bakegen.model import Package, Workspace
from bakegen.onboarding.context import Context, most_common, read_toml
from bakegen.onboarding.lock import LockStep
from bakegen.onboarding.names import crate_name_problem
from bakegen.onboarding.register import MemberList
from bakegen.tree import join

#: `[package]` fields a crate may inherit from `[workspace.package]`, in Cargo.toml order
INHERITABLE = (
    "version", "edition", "rust-version", "authors", "license", "repository", "homepage",
    "publish",
)
VERSION = "0.1.0"
EDITION = "2021"

MAIN_RS = """\
//! @NAME@: a minimal HTTP service scaffolded by `bakegen new`.
//!
//! GET /health answers {"status":"ok"}; the port comes from $PORT (default @PORT@).

use std::env;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

const SERVICE: &str = "@NAME@";
const DEFAULT_PORT: u16 = @PORT@;

fn handle(stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers: this service never reads a body.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split('?').next().unwrap_or(target);
    let (status, body) = if path == "/health" {
        ("200 OK", format!("{{\\"status\\":\\"ok\\",\\"service\\":\\"{}\\"}}", SERVICE))
    } else {
        ("404 Not Found", String::from("{\\"error\\":\\"not found\\"}"))
    };
    let mut out = stream;
    let head = format!(
        "HTTP/1.1 {}\\r\\nContent-Type: application/json\\r\\nContent-Length: {}\\r\\n",
        status,
        body.len()
    );
    out.write_all(head.as_bytes())?;
    out.write_all(b"Connection: close\\r\\n\\r\\n")?;
    out.write_all(body.as_bytes())?;
    out.flush()
}

fn main() {
    let port = env::var("PORT")
        .ok()
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or(DEFAULT_PORT);
    let listener = TcpListener::bind(("0.0.0.0", port)).unwrap_or_else(|e| {
        eprintln!("{}: cannot bind port {}: {}", SERVICE, port, e);
        std::process::exit(1);
    });
    println!("{} listening on :{}", SERVICE, port);
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                if let Err(e) = handle(stream) {
                    eprintln!("{}: request failed: {}", SERVICE, e);
                }
            }
            Err(e) => eprintln!("{}: accept failed: {}", SERVICE, e),
        }
    }
}
"""


class RustLanguage:
    """`bakegen new NAME --lang rust`."""

    ecosystem = "cargo"

    def name_problem(self, name: str) -> str | None:
        return crate_name_problem(name)

    def package_name(self, name: str, siblings: tuple[Package, ...]) -> str:
        return name

    def member_list(self, root: Path, workspace: Workspace) -> MemberList | None:
        """`[workspace] members` of the root Cargo.toml (absent for a standalone crate)."""
        manifest = join(workspace.root, "Cargo.toml")
        table = read_toml(root, manifest).get("workspace")
        if not isinstance(table, dict):
            return None
        members = table.get("members", [])
        exclude = table.get("exclude", [])
        return MemberList(
            manifest,
            "Cargo.toml",
            tuple(m for m in members if isinstance(m, str)) if isinstance(members, list) else (),
            tuple(e for e in exclude if isinstance(e, str)) if isinstance(exclude, list) else (),
        )

    def files(self, ctx: Context) -> dict[str, str]:
        """`Cargo.toml` and `src/main.rs` (a bin target named like the crate)."""
        return {
            join(ctx.folder, "Cargo.toml"): cargo_toml(ctx),
            join(ctx.folder, "src/main.rs"): MAIN_RS.replace("@NAME@", ctx.name).replace(
                "@PORT@", str(ctx.port)
            ),
        }

    def folder_name(self, name: str) -> str:
        return name

    def image_name(self, name: str) -> str:
        return name

    def dependency_name(self, raw: str) -> str:
        return raw

    def standalone_lock(self, folder: str) -> LockStep | None:
        """A crate outside a workspace gets its own first Cargo.lock."""
        return LockStep(("cargo", "generate-lockfile"), folder, join(folder, "Cargo.lock"))

    def local_command(self, ctx: Context) -> str:
        return f"PORT={ctx.port} cargo run -p {ctx.name}"


def cargo_toml(ctx: Context) -> str:
    """The `[package]` and `[dependencies]` tables of the new crate."""
    root_data = read_toml(ctx.root, ctx.members.manifest) if ctx.members else {}
    workspace = root_data.get("workspace", {}) if isinstance(root_data, dict) else {}
    shared = workspace.get("package", {}) if isinstance(workspace, dict) else {}
    shared_deps = workspace.get("dependencies", {}) if isinstance(workspace, dict) else {}
    siblings = [read_toml(ctx.root, p.manifest).get("package", {}) for p in ctx.sample()]
    siblings = [s for s in siblings if isinstance(s, dict)]
    lines = ["[package]", f"name = {_quote(ctx.name)}"]
    for field in INHERITABLE:
        inheriting = sum(1 for s in siblings if _inherits(s.get(field)))
        if isinstance(shared, dict) and field in shared and 2 * inheriting > len(siblings):
            lines.append(f"{field}.workspace = true")
        elif field == "version":
            lines.append(f"version = {_quote(VERSION)}")
        elif field == "edition":
            editions = [s["edition"] for s in siblings if isinstance(s.get("edition"), str)]
            lines.append(f"edition = {_quote(most_common(editions, EDITION))}")
        elif field == "publish":
            private = sum(1 for s in siblings if s.get("publish") is False)
            if siblings and 2 * private > len(siblings):
                lines.append("publish = false")
    lines += ["", "[dependencies]"]
    for dep in sorted(ctx.dependencies, key=lambda p: p.name):
        entry = shared_deps.get(dep.name) if isinstance(shared_deps, dict) else None
        if isinstance(entry, dict) and "path" in entry:
            lines.append(f"{dep.name} = {{ workspace = true }}")
        else:
            lines.append(f"{dep.name} = {{ path = {_quote(ctx.relative(dep.path))} }}")
    return "\n".join(lines) + "\n"


def _inherits(value: Any) -> bool:
    return isinstance(value, dict) and value.get("workspace") is True


def _quote(text: str) -> str:
    return json.dumps(text)
