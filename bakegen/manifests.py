"""Load JSON, TOML and YAML manifests, turning every parse failure into `path: problem`."""

from __future__ import annotations

import json
from typing import Any

import yaml

from bakegen import tomlparse
from bakegen.errors import BakegenError
from bakegen.tree import SourceTree


def load_json(tree: SourceTree, rel: str) -> Any:
    """Parse a JSON file of the tree; BakegenError names the file, line and column."""
    text = tree.read_text(rel)
    if not text.strip():
        raise BakegenError.at(rel, "empty file, expected JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BakegenError.at(rel,
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise too_deep(rel, "JSON") from exc


def load_toml(tree: SourceTree, rel: str) -> dict[str, Any]:
    """Parse a TOML file of the tree; BakegenError names the file and the parser's position."""
    text = tree.read_text(rel)
    try:
        data: dict[str, Any] = tomlparse.loads(text)
        return data
    except tomlparse.TOMLDecodeError as exc:
        raise BakegenError.at(rel, f"invalid TOML: {exc}") from exc
    except RecursionError as exc:
        raise too_deep(rel, "TOML") from exc


def load_yaml(tree: SourceTree, rel: str) -> Any:
    """Parse a YAML file of the tree; BakegenError names the file and line."""
    text = tree.read_text(rel)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BakegenError.at(rel, f"invalid YAML{where}: {problem}") from exc
    except RecursionError as exc:
        raise too_deep(rel, "YAML") from exc


def too_deep(rel: str, language: str) -> BakegenError:
    """The error for a document nested deeper than Python's parsers recurse."""
    return BakegenError.at(rel, f"invalid {language}: nested too deeply to read")


def expect_type(rel: str, where: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """Check a manifest value's type, raising `rel: "where" must be what, got X`."""
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise BakegenError.at(rel, f'"{where}" must be {what}, got {json.dumps(value)}')
    if not isinstance(value, kind):
        raise BakegenError.at(rel, f'"{where}" must be {what}, got {shown(value)}')
    return value


def string_list(rel: str, where: str, value: Any) -> list[str]:
    """A list of strings from a manifest, or BakegenError naming the key."""
    expect_type(rel, where, value, list, "a list of strings")
    for item in value:
        if not isinstance(item, str):
            raise BakegenError.at(rel,
                f'"{where}" must be a list of strings, got an item {shown(item)}'
            )
    return list(value)


def shown(value: Any, limit: int = 60) -> str:
    """A manifest value for a message: scalars as JSON (long ones cut), containers by kind.

    Never serialises a container: a YAML alias bomb expands to billions of items.
    """
    if isinstance(value, (bool, int, float, str)) or value is None:
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= limit else text[: limit - 4] + '..."'
    if isinstance(value, dict):
        return "an object"
    return "a list" if isinstance(value, list) else type(value).__name__
