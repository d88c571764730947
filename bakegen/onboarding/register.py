"""Add one member to a workspace's list of members, leaving every other byte of the file alone.

- `package.json` `workspaces` (a list or `{"packages": [...]}`): a small span-keeping JSON
  reader finds the list, and the entry is spliced into the text;
- `pnpm-workspace.yaml` `packages`: a line edit of the YAML block or flow list;
- `go.work` `use`: a line edit of the `use (` block or the single `use` lines;
- `Cargo.toml` `[workspace] members` and `pyproject.toml` `[tool.uv.workspace] members`:
  tomlkit, which keeps comments and formatting.

Where the entry goes: at its sorted place when the list is sorted, else last. In a list
written one entry per line, adding the entry must add exactly one line; a JSON list (and a
TOML list without a trailing comma) cannot take a new last entry without a comma on the line
before it, so there the entry goes just before the last one instead.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

import tomlkit
import tomlkit.items

from bakegen.errors import BakegenError
from bakegen.tree import match_globs


@dataclass(frozen=True, slots=True)
class MemberList:
    """Where a workspace lists its members: the file, its kind, and its globs.

    `includes` and `excludes` are relative to the workspace root, as the file writes them.
    """

    manifest: str  # repository-relative
    kind: str  # package.json | pnpm-workspace.yaml | go.work | Cargo.toml | pyproject.toml
    includes: tuple[str, ...]
    excludes: tuple[str, ...] = ()

    def covers(self, member: str) -> bool:
        """Whether the globs already select `member` (relative to the workspace root)."""
        return is_covered(member, list(self.includes), list(self.excludes))

    def add(self, text: str, member: str) -> str:
        """The file's text with `member` listed."""
        if self.kind == "package.json":
            return add_json_workspace(text, self.manifest, member)
        if self.kind == "pnpm-workspace.yaml":
            return add_pnpm_workspace(text, member)
        if self.kind == "go.work":
            return add_go_work_use(text, member)
        table = ("workspace",) if self.kind == "Cargo.toml" else ("tool", "uv", "workspace")
        return add_toml_member(text, self.manifest, table, member)


def is_covered(member: str, includes: list[str], excludes: list[str]) -> bool:
    """Whether the member globs of a workspace already select `member` (relative to its root)."""
    try:
        matched, _ = match_globs([member], includes, excludes)
    except ValueError:
        return False
    return bool(matched)


def is_excluded(member: str, excludes: list[str]) -> bool:
    """Whether an exclude glob (or folder, as cargo reads `exclude`) removes `member`."""
    return any(
        is_covered(member, [glob], []) or member.startswith(glob.rstrip("/") + "/")
        for glob in excludes
    )


def insertion_index(entries: list[str], new: str, may_append: bool) -> int:
    """Where `new` goes: its sorted place in a sorted list, else the end; never after the
    last entry when `may_append` is false (and the list is not empty)."""
    index = bisect_left(entries, new) if entries == sorted(entries) else len(entries)
    if index == len(entries) and entries and not may_append:
        return len(entries) - 1
    return index


# -- JSON ------------------------------------------------------------------------------------


def add_json_workspace(text: str, rel: str, member: str) -> str:
    """`package.json` text with `member` added to `workspaces` (or `workspaces.packages`)."""
    reader = _JsonSpans(text, rel)
    start = reader.skip_space(0)
    root = reader.object_members(start)
    if "workspaces" not in root:
        close = reader.value_end(start) - 1
        return _add_json_key(text, start, close, root, member)
    span = root["workspaces"]
    if text[span[0]] == "{":
        inner = reader.object_members(span[0])
        if "packages" not in inner:
            raise BakegenError.at(rel, f'"workspaces" has no "packages" list to add {member} to')
        span = inner["packages"]
    if text[span[0]] != "[":
        raise BakegenError.at(rel, '"workspaces" must be a list of globs')
    items = reader.array_items(span[0])
    values = [json.loads(text[a:b]) for a, b in items]
    return _splice_json(text, span, items, values, member)


def _splice_json(
    text: str,
    span: tuple[int, int],
    items: list[tuple[int, int]],
    values: list[Any],
    member: str,
) -> str:
    entry = json.dumps(member)
    nl = "\r\n" if "\r\n" in text else "\n"
    open_at, close_at = span[0], span[1] - 1
    multiline = "\n" in text[open_at:close_at]
    strings = [v for v in values if isinstance(v, str)]
    if not items:
        if not multiline:
            return text[: open_at + 1] + entry + text[close_at:]
        indent = _line_indent(text, open_at) + "  "
        line_start = text.rfind("\n", 0, close_at) + 1
        return text[:line_start] + indent + entry + nl + text[line_start:]
    if len(strings) == len(values):
        index = insertion_index(strings, member, may_append=not multiline)
    else:
        index = len(items) - 1 if multiline else len(items)
    if not multiline:
        if index == len(items):
            end = items[-1][1]
            return text[:end] + ", " + entry + text[end:]
        at = items[index][0]
        return text[:at] + entry + ", " + text[at:]
    at = items[index][0]
    line_start = text.rfind("\n", 0, at) + 1
    if text[line_start:at].strip():  # several entries on one line: stay on that line
        return text[:at] + entry + ", " + text[at:]
    return text[:line_start] + text[line_start:at] + entry + "," + nl + text[line_start:]


def _add_json_key(
    text: str, start: int, close: int, members: dict[str, tuple[int, int]], member: str
) -> str:
    """Add `"workspaces": [member]` as the last key of the top-level object."""
    entry = f'"workspaces": [{json.dumps(member)}]'
    if not members:
        return text[: start + 1] + entry + text[close:]
    last_end = max(end for _, end in members.values())
    indent = _line_indent(text, min(s for s, _ in members.values()))
    key_start = text.rfind("\n", 0, min(s for s, _ in members.values()))
    nl = "\r\n" if "\r\n" in text else "\n"
    separator = "," + nl + indent if key_start > start else ", "
    return text[:last_end] + separator + entry + text[last_end:]


def _line_indent(text: str, at: int) -> str:
    line_start = text.rfind("\n", 0, at) + 1
    match = re.match(r"[ \t]*", text[line_start:])
    return match.group(0) if match else ""


class _JsonSpans:
    """Offsets of values in a JSON text already known to parse (json.loads succeeded)."""

    def __init__(self, text: str, rel: str) -> None:
        self.text = text
        self.rel = rel

    def skip_space(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in " \t\r\n":
            i += 1
        return i

    def value_end(self, i: int) -> int:
        """Index just after the value starting at `i`."""
        ch = self.text[i]
        if ch == '"':
            return self._string_end(i)
        if ch in "[{":
            closing = "]" if ch == "[" else "}"
            i = self.skip_space(i + 1)
            while self.text[i] != closing:
                if ch == "{":
                    i = self.skip_space(self._string_end(i))  # key
                    i = self.skip_space(i + 1)  # colon
                i = self.skip_space(self.value_end(i))
                if self.text[i] == ",":
                    i = self.skip_space(i + 1)
            return i + 1
        match = re.compile(r"[^\s,\]}]+").match(self.text, i)
        if match is None:
            raise BakegenError.at(self.rel, f"unexpected character at offset {i}")
        return match.end()

    def _string_end(self, i: int) -> int:
        i += 1
        while self.text[i] != '"':
            i += 2 if self.text[i] == "\\" else 1
        return i + 1

    def object_members(self, i: int) -> dict[str, tuple[int, int]]:
        """Key -> (start, end) of its value, for the object starting at `i`."""
        if self.text[i] != "{":
            raise BakegenError.at(self.rel, "must be a JSON object")
        found: dict[str, tuple[int, int]] = {}
        i = self.skip_space(i + 1)
        while self.text[i] != "}":
            key_end = self._string_end(i)
            key = json.loads(self.text[i:key_end])
            start = self.skip_space(self.skip_space(key_end) + 1)
            end = self.value_end(start)
            found.setdefault(key, (start, end))
            i = self.skip_space(end)
            if self.text[i] == ",":
                i = self.skip_space(i + 1)
        return found

    def array_items(self, i: int) -> list[tuple[int, int]]:
        """(start, end) of each item of the array starting at `i`."""
        items = []
        i = self.skip_space(i + 1)
        while self.text[i] != "]":
            end = self.value_end(i)
            items.append((i, end))
            i = self.skip_space(end)
            if self.text[i] == ",":
                i = self.skip_space(i + 1)
        return items


# -- pnpm-workspace.yaml ---------------------------------------------------------------------

_YAML_KEY = re.compile(r"packages\s*:(?P<rest>.*)$")
_YAML_ITEM = re.compile(r"(?P<indent>[ \t]*)-\s+(?P<value>.*?)\s*(?:#.*)?$")


def add_pnpm_workspace(text: str, member: str) -> str:
    """`pnpm-workspace.yaml` text with `member` added to `packages`."""
    lines = text.splitlines(keepends=True)
    key = next(
        (i for i, line in enumerate(lines) if _YAML_KEY.match(line.rstrip("\r\n"))), None
    )
    if key is None:
        prefix = text if not text or text.endswith("\n") else text + "\n"
        return prefix + "packages:\n  - " + _yaml_quote(member, "'") + "\n"
    rest = _YAML_KEY.match(lines[key].rstrip("\r\n"))
    assert rest is not None
    inline = rest.group("rest").split("#", 1)[0].strip()
    if inline.startswith("["):
        return "".join(lines[:key]) + _add_flow_item(lines[key], member) + "".join(lines[key + 1 :])
    items: list[tuple[int, str, str]] = []  # (line index, indent, value)
    for i in range(key + 1, len(lines)):
        body = lines[i].rstrip("\r\n")
        if not body.strip() or body.lstrip().startswith("#"):
            continue
        match = _YAML_ITEM.fullmatch(body)
        if match is None:
            break
        items.append((i, match.group("indent"), match.group("value")))
    quote = next((v[0] for _, _, v in items if v[:1] in "'\""), "'")
    entry = _yaml_quote(member, quote)
    if not items:
        return "".join(lines[: key + 1]) + f"  - {entry}\n" + "".join(lines[key + 1 :])
    values = [_yaml_unquote(v) for _, _, v in items]
    index = insertion_index(values, member, True)
    newline = "\r\n" if lines[items[0][0]].endswith("\r\n") else "\n"
    indent = items[min(index, len(items) - 1)][1]
    at = items[index][0] if index < len(items) else items[-1][0] + 1
    if at == len(lines) and lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    return "".join(lines[:at]) + f"{indent}- {entry}{newline}" + "".join(lines[at:])


def _add_flow_item(line: str, member: str) -> str:
    close = line.rindex("]")
    open_at = line.index("[")
    inside = line[open_at + 1 : close].strip()
    quote = "'" if "'" in inside or not inside else '"'
    entry = _yaml_quote(member, quote)
    joined = f"{entry}" if not inside else f", {entry}"
    return line[:close].rstrip() + joined + line[close:]


def _yaml_quote(value: str, quote: str) -> str:
    if quote == '"':
        return json.dumps(value)
    return "'" + value.replace("'", "''") + "'"


def _yaml_unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return str(json.loads(value))
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


# -- TOML (Cargo workspace, uv workspace) ----------------------------------------------------


def add_toml_member(text: str, rel: str, table_path: tuple[str, ...], member: str) -> str:
    """TOML text with `member` added to `<table_path>.members`, through tomlkit."""
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.TOMLKitError as exc:
        raise BakegenError.at(rel, f"invalid TOML: {exc}") from exc
    table: Any = doc
    for key in table_path:
        table = table.get(key) if hasattr(table, "get") else None
        if table is None:
            raise BakegenError.at(rel, f"has no [{'.'.join(table_path)}] table")
    members = table.get("members")
    if members is None:
        table["members"] = [member]
        return tomlkit.dumps(doc)
    if not isinstance(members, tomlkit.items.Array):
        raise BakegenError.at(rel, f'"{".".join(table_path)}.members" must be a list')
    values = [str(v) for v in members]
    multiline = "\n" in members.as_string()
    may_append = not multiline or _has_trailing_comma(members.as_string())
    members.insert(insertion_index(values, member, may_append), member)
    return tomlkit.dumps(doc)


def _has_trailing_comma(array_text: str) -> bool:
    body = re.sub(r"#[^\n]*", "", array_text.rstrip()[:-1]).rstrip()
    return body.endswith(",")


def add_go_work_use(text: str, member: str) -> str:
    """go.work with `use ./member`: in its `use (` block (sorted place, else last), else
    after the last `use` line, else at the end."""
    entry = member if member.startswith(("./", "../")) else f"./{member}"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"\s*use\s*\(\s*$", line)), None)
    if start is not None:
        end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == ")")
        block = [line.strip() for line in lines[start + 1:end]]
        at = end
        if block == sorted(block):
            at = start + 1 + sum(1 for b in block if b and b < entry)
        indent = next((line[: len(line) - len(line.lstrip())] for line in lines[start + 1:end]
                       if line.strip()), "\t")
        lines.insert(at, f"{indent}{entry}")
    else:
        singles = [i for i, line in enumerate(lines) if re.match(r"\s*use\s+\S", line)]
        at = singles[-1] + 1 if singles else len(lines)
        if not singles and lines and lines[-1].strip():
            lines.append("")
            at += 1
        lines.insert(at, f"use {entry}")
    return "\n".join(lines) + "\n"
