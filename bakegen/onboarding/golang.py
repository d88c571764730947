"""Go services for `bakegen new`: a `go.mod` like its siblings' and a std-only server.

Conventions learnt from the workspace: the module path continues the siblings' (services
`example.com/mono/services/status` -> `example.com/mono/services/billing`), the `go` line
is the siblings' most common one, and internal dependencies are required at v0.0.0 and
replaced by their folders (which go.work, when there is one, makes redundant but harmless).
A go.work gets a `use` line for the new module (`register.add_go_work_use`).
"""

from __future__ import annotations

import re
from pathlib import Path

from bakegen.ecosystems.go.manifest import GO_MOD, GO_WORK, parse_go_mod, parse_go_work
from bakegen.errors import BakegenError
from bakegen.model import Package, Workspace
from bakegen.onboarding.context import Context, most_common
from bakegen.onboarding.lock import LockStep
from bakegen.onboarding.register import MemberList
from bakegen.tree import join, normalize

GO_VERSION = "1.22"
_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_ELEMENT = re.compile(r"[A-Za-z0-9._~-]+")

MAIN_GO = """\
// @NAME@: a minimal HTTP service scaffolded by `bakegen new`.
//
// GET /health answers {"status":"ok"}; the port comes from $PORT (default @PORT@).
package main

import (
	"fmt"
	"net/http"
	"os"
)

const service = "@NAME@"

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "@PORT@"
	}
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"ok","service":%q}`, service)
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
	})
	fmt.Printf("%s listening on :%s\\n", service, port)
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\\n", service, err)
		os.Exit(1)
	}
}
"""


class GoLanguage:
    """`bakegen new NAME --lang go`."""

    ecosystem = "go"

    def name_problem(self, name: str) -> str | None:
        """The name, or the last element of the module path made of it."""
        *prefix, last = name.split("/")
        if not _NAME.fullmatch(last):
            return ("a Go service name is a lowercase word of letters, digits, '-' and '_', "
                    "starting with a letter")
        if any(not _ELEMENT.fullmatch(part) for part in prefix):
            return f'"{name}" is not a valid module path'
        return None

    def package_name(self, name: str, siblings: tuple[Package, ...]) -> str:
        """The module path: the siblings' services' parent path plus the name."""
        services = [p.name for p in siblings if p.deployable] or [p.name for p in siblings]
        parents = [path.rsplit("/", 1)[0] for path in services if "/" in path]
        return f"{most_common(parents, '')}/{name}".lstrip("/")

    def member_list(self, root: Path, workspace: Workspace) -> MemberList | None:
        """go.work's `use` lines (None for modules no go.work uses)."""
        if not workspace.declared:
            return None
        rel = join(workspace.root, GO_WORK)
        try:
            work = parse_go_work(rel, (root / rel).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, BakegenError):
            return None
        return MemberList(rel, GO_WORK, tuple(normalize(u) for u in work.uses))

    def files(self, ctx: Context) -> dict[str, str]:
        """`go.mod` and `main.go` (package main at the module root)."""
        name = ctx.name.rsplit("/", 1)[-1]
        return {
            join(ctx.folder, GO_MOD): go_mod(ctx),
            join(ctx.folder, "main.go"): MAIN_GO.replace("@NAME@", name).replace(
                "@PORT@", str(ctx.port)),
        }

    def folder_name(self, name: str) -> str:
        """The module path's last element, the binary's name."""
        return name.rsplit("/", 1)[-1]

    def image_name(self, name: str) -> str:
        """The binary's name: the module path's last element."""
        return name.rsplit("/", 1)[-1]

    def dependency_name(self, raw: str) -> str:
        return raw

    def standalone_lock(self, folder: str) -> LockStep | None:
        """None: a module without requires needs no go.sum."""
        return None

    def local_command(self, ctx: Context) -> str:
        return f"PORT={ctx.port} go run ./{ctx.folder}"


def go_mod(ctx: Context) -> str:
    """The new module's go.mod: its path, the siblings' go line, its internal requires."""
    versions = []
    for sibling in ctx.sample():
        try:
            mod = parse_go_mod(sibling.manifest, (ctx.root / sibling.manifest).read_text(
                encoding="utf-8"))
        except (OSError, UnicodeDecodeError, BakegenError):
            continue
        if mod.go:
            versions.append(mod.go)
    lines = [f"module {ctx.name}", "", f"go {most_common(versions, GO_VERSION)}"]
    deps = sorted(ctx.dependencies, key=lambda p: p.name)
    if deps:
        lines += ["", "require (", *(f"\t{d.name} v0.0.0" for d in deps), ")", ""]
        lines += [f"replace {d.name} => {_relative(ctx, d.path)}" for d in deps]
    return "\n".join(lines) + "\n"


def _relative(ctx: Context, path: str) -> str:
    rel = ctx.relative(path)
    return rel if rel.startswith(".") else f"./{rel}"

