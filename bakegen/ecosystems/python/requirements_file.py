"""A plain pip project's `requirements.txt`: the pins its own Dockerfile installs.

Projects with no uv.lock or poetry.lock often keep their pinned third-party set in a
`requirements.txt` beside `pyproject.toml` (and a Dockerfile running `pip install -r`).
deps-base installs those requirements together with what `pyproject.toml` declares, so the
pins hold. Read here: requirement lines (with markers and extras), comments, line
continuations and `-r` includes; `--hash` options are dropped (the set is installed as
one resolve with the pyproject requirements), other options, constraints and local or
editable paths are reported and left out.
"""

from __future__ import annotations

import re

from bakegen.ecosystems.python.pep import Requirement, parse_requirement
from bakegen.errors import BakegenError, Found, Problem
from bakegen.tree import SourceTree, join, parent

FILE_NAME = "requirements.txt"
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s+|=)(?P<path>\S+)$")
_HASH = re.compile(r"\s--hash[=\s]\S+")
_COMMENT = re.compile(r"(^|\s)#.*$")
#: at most this many nested `-r` files (a cycle stops at the first repeat anyway)
_MAX_INCLUDES = 16


def read_requirements(tree: SourceTree, rel: str) -> Found[tuple[Requirement, ...]]:
    """The requirements `rel` and its `-r` includes list, in order, with warnings for
    every line left out."""
    found: list[Requirement] = []
    problems: list[Problem] = []
    _read(tree, rel, found, problems, [rel])
    unique = {r.text: r for r in found}
    return Found(tuple(unique.values()), tuple(problems))


def is_pinned(requirement: Requirement) -> bool:
    """`name==1.2.3` (or `===`, or a direct URL): one version, whatever the index holds."""
    return requirement.url is not None or bool(re.search(r"===?\s*[\w.!+-]+\s*(;|$)",
                                                         requirement.text))


def _read(tree: SourceTree, rel: str, found: list[Requirement], problems: list[Problem],
          chain: list[str]) -> None:
    try:
        text = tree.read_text(rel)
    except BakegenError as exc:
        problems.append(Problem.warning(chain[-2] if len(chain) > 1 else rel,
                                        f"cannot read {rel} ({exc.message}); not installed"))
        return
    for number, line in _logical_lines(text):
        where = f"{FILE_NAME if rel.endswith(FILE_NAME) else rel} line {number}"
        include = _INCLUDE.match(line)
        if include:
            target = join(parent(rel), include["path"])
            if target in chain or len(chain) > _MAX_INCLUDES:
                continue
            _read(tree, target, found, problems, [*chain, target])
            continue
        if line.startswith("-") or line.startswith((".", "/", "file:")):
            problems.append(Problem.warning(rel, (
                f"{where}: `{line[:60]}` is not installed by the shared bases (options, "
                "constraints and local paths are left out; workspace packages are built "
                "from their own folders)")))
            continue
        try:
            found.append(parse_requirement(_HASH.sub("", f" {line}").strip()))
        except ValueError as exc:
            problems.append(Problem.warning(rel, f"{where}: {exc}; not installed"))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each non-empty line, continuations joined and
    comments removed."""
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        line = _COMMENT.sub("", pending + raw).strip()
        pending = ""
        if line:
            lines.append((start, line))
    return lines
