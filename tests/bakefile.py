"""Read a generated bake file back, resolving bakegen's BAKEGEN_MODE conditionals."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2

_CONDITIONAL = re.compile(r'^\$\{BAKEGEN_MODE == "ci" \? "(?P<ci>[^"]*)" : "(?P<local>[^"]*)"\}$')


def unquote(value: str) -> str:
    assert value.startswith('"') and value.endswith('"'), value
    return value[1:-1]


def resolve(value: str, mode: str = "local") -> str:
    """A plain string, or the branch of a BAKEGEN_MODE conditional chosen by `mode`."""
    match = _CONDITIONAL.match(value)
    if match:
        return match["ci" if mode == "ci" else "local"]
    return unquote(value)


_LIST_CONDITIONAL = re.compile(
    r'^\$\{BAKEGEN_MODE == "ci" \? \[(?P<ci>[^\]]*)\] : \[(?P<local>[^\]]*)\]\}$'
)


def resolve_list(value: str | list[str], mode: str = "local") -> list[str]:
    """A list attribute, or the branch of a BAKEGEN_MODE conditional list chosen by `mode`."""
    if isinstance(value, list):
        return [unquote(v) for v in value]
    match = _LIST_CONDITIONAL.match(value)
    assert match, value
    branch = match["ci" if mode == "ci" else "local"]
    return re.findall(r'"((?:[^"\\]|\\.)*)"', branch)


def load_bake(text: str) -> dict[str, Any]:
    """{'targets': {name: attrs}, 'groups': {...}, 'variables': {...}} with names unquoted."""
    data = hcl2.loads(text)

    def blocks(kind: str) -> dict[str, Any]:
        return {unquote(k): v for block in data.get(kind, []) for k, v in block.items()}

    return {
        "targets": blocks("target"),
        "groups": blocks("group"),
        "variables": blocks("variable"),
        "text": text,
    }


def load_bake_file(path: Path) -> dict[str, Any]:
    return load_bake(path.read_text(encoding="utf-8"))


def contexts(target: dict[str, Any], mode: str = "local") -> dict[str, str]:
    return {unquote(k): resolve(v, mode) for k, v in target.get("contexts", {}).items()}
