"""YAML loading for lockfiles (pnpm-lock.yaml, berry's yarn.lock), which get large.

Package managers write a narrow, regular kind of YAML: block mappings by indentation,
one-line scalars, small flow collections. `_BlockReader` reads exactly that, several
times faster than PyYAML; anything else (block scalars, anchors, tags, multi-line flow)
goes to PyYAML. Every scalar stays a string, as with PyYAML's base loader: a lockfile
comparison needs nothing more.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from bakegen.lockfiles.model import LockfileUnsure

_Loader = getattr(yaml, "CBaseLoader", None) or yaml.BaseLoader
_LINE = re.compile(r"^( *)(- )?(.*)$")
_PLAIN_KEY = re.compile(r"^([^'\"{\[&*!|>%@`#,-][^#]*?|[@-][^\s#][^#]*?):(?: +(.*))?$")


def load_yaml(text: str) -> Any:
    """Parse YAML, or LockfileUnsure naming the line."""
    try:
        return _BlockReader(text).read()
    except _Unsupported:
        pass
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise LockfileUnsure(f"invalid YAML{where}") from exc


class _Unsupported(Exception):
    """YAML outside the subset package managers write; PyYAML reads it."""


class _BlockReader:
    """Block mappings and sequences by indentation, with one-line scalar values."""

    def __init__(self, text: str) -> None:
        self.lines: list[tuple[int, bool, str]] = []
        for raw in text.split("\n"):
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if "\t" in raw[: len(raw) - len(raw.lstrip())] or stripped == "---":
                raise _Unsupported
            match = _LINE.match(raw.rstrip())
            assert match is not None
            indent, dash, rest = match.groups()
            if dash and not rest:
                raise _Unsupported
            self.lines.append((len(indent), bool(dash), rest))
        self.i = 0

    def read(self) -> Any:
        if not self.lines:
            return None
        value = self.block(self.lines[0][0])
        if self.i != len(self.lines):
            raise _Unsupported
        return value

    def block(self, indent: int) -> Any:
        if self.lines[self.i][1]:
            return self.sequence(indent)
        return self.mapping(indent)

    def mapping(self, indent: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while self.i < len(self.lines):
            level, dash, rest = self.lines[self.i]
            if level < indent:
                break
            if level != indent or dash:
                raise _Unsupported
            key, value = _split_pair(rest)
            self.i += 1
            if value is None:
                value = self.nested(indent)
            if key in result:
                raise _Unsupported
            result[key] = value
        return result

    def sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        while self.i < len(self.lines):
            level, dash, rest = self.lines[self.i]
            if level < indent:
                break
            if level != indent or not dash:
                raise _Unsupported
            if _split_pair_or_none(rest) is not None:
                raise _Unsupported  # a mapping inside a sequence item
            items.append(_scalar(rest))
            self.i += 1
        return items

    def nested(self, indent: int) -> Any:
        """The value of `key:` with nothing after it: a deeper block, or an empty string."""
        if self.i < len(self.lines):
            level, dash, _ = self.lines[self.i]
            if level > indent or (dash and level == indent):
                return self.block(level)
        return ""


def _split_pair_or_none(text: str) -> tuple[str, str | None] | None:
    try:
        return _split_pair(text)
    except _Unsupported:
        return None


def _split_pair(text: str) -> tuple[str, str | None]:
    """`key: value` -> (key, value); `key:` -> (key, None)."""
    if text[:1] in ("'", '"'):
        key, end = _quoted(text, 0)
        rest = text[end:]
        if not rest.startswith(":"):
            raise _Unsupported
        value = rest[1:].strip()
    else:
        match = _PLAIN_KEY.match(text)
        if match is None:
            raise _Unsupported
        key, value = match.group(1).rstrip(), (match.group(2) or "").strip()
    return key, (_scalar(value) if value else None)


def _scalar(text: str) -> Any:
    text = _strip_comment(text.strip())
    if not text:
        return ""
    first = text[0]
    if first in ("'", '"'):
        value, end = _quoted(text, 0)
        if text[end:].strip():
            raise _Unsupported
        return value
    if first == "{":
        return _flow(text)
    if first == "[":
        return _flow(text)
    if first in "&*!|>%@`" or text.startswith("- ") or ": " in text:
        raise _Unsupported
    return text


def _strip_comment(text: str) -> str:
    if text[:1] in ("'", '"'):
        return text
    cut = text.find(" #")
    return text[:cut].rstrip() if cut >= 0 else text


def _quoted(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    if quote == "'":
        i, out = start + 1, []
        while i < len(text):
            if text[i] == "'":
                if text[i + 1:i + 2] == "'":
                    out.append("'")
                    i += 2
                    continue
                return "".join(out), i + 1
            out.append(text[i])
            i += 1
        raise _Unsupported
    match = re.compile(r'"(?:[^"\\]|\\.)*"').match(text, start)
    if match is None:
        raise _Unsupported
    try:
        return json.loads(match.group()), match.end()
    except json.JSONDecodeError as exc:
        raise _Unsupported from exc


def _flow(text: str) -> Any:
    """`{a: b, c: 'd'}` or `[a, b]` of plain or quoted scalars, on one line."""
    closing = "}" if text[0] == "{" else "]"
    items, end = _flow_items(text)
    if end != len(text):
        raise _Unsupported
    if closing == "]":
        if any(sep for _, sep, _ in items):
            raise _Unsupported
        return [key for key, _, _ in items]
    result: dict[str, Any] = {}
    for key, sep, value in items:
        result[key] = value if sep else ""
    return result


def _flow_items(text: str) -> tuple[list[tuple[str, bool, str]], int]:
    """Items of a flow collection as (first scalar, had `: `, second scalar)."""
    closing = "}" if text[0] == "{" else "]"
    items: list[tuple[str, bool, str]] = []
    i = 1
    while True:
        while i < len(text) and text[i] == " ":
            i += 1
        if i < len(text) and text[i] == closing and not items:
            return items, i + 1
        key, i = _flow_scalar(text, i, closing)
        sep, value = False, ""
        if text.startswith(": ", i) or text.startswith(":" + closing, i) or text.startswith(
                ":,", i):
            sep = True
            i += 1
            while i < len(text) and text[i] == " ":
                i += 1
            if i < len(text) and text[i] not in (",", closing):
                value, i = _flow_scalar(text, i, closing)
        items.append((key, sep, value))
        while i < len(text) and text[i] == " ":
            i += 1
        if i < len(text) and text[i] == ",":
            i += 1
            continue
        if i < len(text) and text[i] == closing:
            return items, i + 1
        raise _Unsupported


def _flow_scalar(text: str, i: int, closing: str) -> tuple[str, int]:
    if i >= len(text):
        raise _Unsupported
    if text[i] in ("'", '"'):
        return _quoted(text, i)
    if text[i] in "{[&*!|>%@`":
        raise _Unsupported
    end = i
    while end < len(text) and text[end] not in (",", closing) and not (
            text[end] == ":" and text[end + 1:end + 2] in (" ", ",", closing)):
        end += 1
    value = text[i:end].strip()
    if not value:
        raise _Unsupported
    return value, end
