"""The one builder of Dockerfile instruction text the recipes share.

Every RUN is written the same way: BuildKit `--mount` flags first, then shell commands
chained with `&&`, one per line. Words that come from manifests (package names, paths) go
through `sh_quote` for shell lines, `literal_path` for COPY and WORKDIR (which expand
variables) and `exec_form` for CMD and ENTRYPOINT (no shell at all).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable

#: between two chained commands of one RUN
CONTINUE = " \\\n && "
#: between a RUN's mount flags (or an ENV's pairs) when each gets its own line
INDENT = " \\\n    "
_SAFE_TOKEN = re.compile(r"[A-Za-z0-9@%+=:,./_-]+")


def run(*commands: str, mounts: Iterable[str] = (), mounts_inline: bool = False) -> str:
    """`RUN [mounts] cmd1 && cmd2 ...`, each command on its own line.

    Mount flags get a line each, or share the first line with `mounts_inline`.
    """
    gap = " " if mounts_inline else INDENT
    flags = "".join(f"{mount}{gap}" for mount in mounts)
    return f"RUN {flags}{CONTINUE.join(commands)}"


def secret_mount(secret_id: str, target: str) -> str:
    """The RUN flag mounting a BuildKit secret where a tool reads its credentials, e.g.
    `--mount=type=secret,id=npmrc,target=/root/.npmrc` (optional: BuildKit's default, so a
    build without the secret sees no file there)."""
    return f"--mount=type=secret,id={secret_id},target={target}"


def env(*pairs: str) -> str:
    """`ENV a=1 b=2`, one pair a line when there are several."""
    return "ENV " + INDENT.join(pairs)


def words(items: Iterable[str], width: int | None = None) -> str:
    """Shell-quoted words separated by spaces; with `width`, wrapped onto continuation lines
    of about that many characters so long lists (1,000 crates) stay readable."""
    quoted = [sh_quote(item) for item in items]
    if width is None:
        return " ".join(quoted)
    lines: list[str] = []
    line = ""
    for word in quoted:
        if line and len(line) + len(word) > width:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    lines.append(line)
    return INDENT.join(lines)


def exec_form(args: tuple[str, ...] | list[str]) -> str:
    """A JSON array for CMD/ENTRYPOINT: no shell, so no injection from names."""
    return json.dumps(list(args), ensure_ascii=False)


def sh_quote(value: str) -> str:
    """Quote one word for a RUN shell line (package names, paths from manifests)."""
    if _SAFE_TOKEN.fullmatch(value):
        return value
    return shlex.quote(value)


def literal_path(path: str) -> str:
    """A path for COPY or WORKDIR, which expand variables: `$` and `\\` stay literal."""
    return path.replace("\\", "\\\\").replace("$", "\\$")


def copy_paths(paths: tuple[str, ...] | list[str], dest_root: str = "./") -> tuple[str, ...]:
    """`COPY` instructions bringing repository paths to the same relative place.

    Uses the JSON form so paths with spaces survive; folders keep their trailing slash.
    """
    lines = []
    for path in sorted(set(paths)):
        dest = dest_root.rstrip("/") + "/" + path if dest_root not in ("./", ".") else path
        lines.append(f"COPY {exec_form([literal_path(path), literal_path(dest)])}")
    return tuple(lines)
