"""`yarn.lock`, classic (v1, its own format) and berry (v2+, YAML with `__metadata`).

Berry records workspaces as entries (`name@workspace:path`) with their dependencies.
Classic does not, so members' direct dependencies come from their package.json files,
read at the same revision as the lockfile.
"""

from __future__ import annotations

import json
from typing import Any

from bakegen.lockfiles.model import (
    GraphBuilder,
    LockfileUnsure,
    LockGraph,
    Members,
    Reader,
    as_dict,
    fingerprint,
)
from bakegen.lockfiles.yamlload import load_yaml
from bakegen.tree import join, normalize

ENTRY_FIELDS = ("dependencies", "optionalDependencies")
MANIFEST_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")
_WORKSPACE = "@workspace:"


def parse(text: str, members: Members, read: Reader) -> LockGraph:
    """Berry when the file has `__metadata`, classic otherwise."""
    if "\n__metadata:" in f"\n{text}":
        return _parse_berry(text)
    return _parse_classic(text, members, read)


def split_descriptor(descriptor: str) -> tuple[str, str]:
    """`@scope/a@npm:^1.0.0` -> (`@scope/a`, `npm:^1.0.0`)."""
    at = descriptor.find("@", 1)
    if at < 0:
        return descriptor, ""
    return descriptor[:at], descriptor[at + 1:]


def _parse_berry(text: str) -> LockGraph:
    data = as_dict(load_yaml(text), "the lockfile")
    index: dict[str, str] = {}
    entries: dict[str, dict[str, Any]] = {}
    for keys, entry in data.items():
        if keys == "__metadata":
            continue
        entry = as_dict(entry, str(keys))
        resolution = entry.get("resolution")
        if not isinstance(resolution, str):
            raise LockfileUnsure(f'entry "{keys}" has no resolution')
        entries[resolution] = entry
        for descriptor in str(keys).split(","):
            index[descriptor.strip()] = resolution

    def resolve(name: str, spec: Any) -> str | None:
        spec = str(spec)
        return index.get(f"{name}@{spec}") or index.get(f"{name}@npm:{spec}")

    builder = GraphBuilder()
    for resolution, entry in sorted(entries.items()):
        deps = []
        for field in ENTRY_FIELDS:
            for name, spec in sorted(as_dict(entry.get(field), field).items()):
                key = resolve(str(name), spec)
                if key is not None and _WORKSPACE not in key:
                    deps.append(key)
        name, ref = split_descriptor(resolution)
        if ref.startswith("workspace:"):
            builder.member(normalize(ref[len("workspace:"):]), name, tuple(deps))
            continue
        content = fingerprint(entry.get("version"), entry.get("checksum"))
        builder.node(resolution, name, str(entry.get("version", "")), content, tuple(deps))
    return builder.build()


def _parse_classic(text: str, members: Members, read: Reader) -> LockGraph:
    blocks = classic_blocks(text)
    index: dict[str, str] = {}
    keyed: dict[str, dict[str, Any]] = {}
    for descriptors, fields in blocks:
        name = split_descriptor(descriptors[0])[0]
        key = f"{name}@{fields.get('version', '')}#{fields.get('resolved', '')}"
        keyed[key] = {"name": name, **fields}
        for descriptor in descriptors:
            index[descriptor] = key

    def deps_of(entry: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
        found = []
        for field in fields:
            for dep, spec in sorted(as_dict(entry.get(field), field).items()):
                key = index.get(f"{dep}@{spec}")
                if key is not None:
                    found.append(key)
        return found

    builder = GraphBuilder()
    for key, entry in sorted(keyed.items()):
        deps = deps_of(entry, ENTRY_FIELDS)
        content = fingerprint(entry.get("resolved"), entry.get("integrity"))
        builder.node(key, entry["name"], str(entry.get("version", "")), content, tuple(deps))
    for path in sorted(members.paths | {"."}):
        manifest_path = join(path, "package.json")
        text_ = read(manifest_path)
        if text_ is None:
            if path == ".":
                continue
            raise LockfileUnsure(f"{manifest_path} is missing")
        try:
            manifest = as_dict(json.loads(text_), manifest_path)
        except json.JSONDecodeError as exc:
            raise LockfileUnsure(f"{manifest_path} is not valid JSON") from exc
        builder.member(path, manifest.get("name"), tuple(deps_of(manifest, MANIFEST_FIELDS)))
    return builder.build()


def classic_blocks(text: str) -> list[tuple[list[str], dict[str, Any]]]:
    """The entries of a v1 lockfile: descriptors and fields (subsections as dicts)."""
    blocks: list[tuple[list[str], dict[str, Any]]] = []
    section: dict[str, str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            if not line.endswith(":"):
                raise LockfileUnsure(f"unexpected line {number}")
            descriptors = [_unquote(d.strip()) for d in line[:-1].split(",")]
            blocks.append((descriptors, {}))
            section = None
            continue
        if not blocks:
            raise LockfileUnsure(f"unexpected indented line {number}")
        key, value = _pair(line.strip(), number)
        fields = blocks[-1][1]
        if indent == 2:
            if value is None:
                section = {}
                fields[key] = section
            else:
                fields[key] = value
                section = None
        elif section is not None and value is not None:
            section[key] = value
        else:
            raise LockfileUnsure(f"unexpected indentation at line {number}")
    return blocks


def _pair(text: str, number: int) -> tuple[str, str | None]:
    if text.endswith(":") and " " not in text.rstrip(":").strip('"'):
        return _unquote(text[:-1]), None
    if text.startswith('"'):
        end = text.find('"', 1)
        if end < 0:
            raise LockfileUnsure(f"unterminated quote at line {number}")
        key, rest = text[1:end], text[end + 1:]
    else:
        key, _, rest = text.partition(" ")
    return key, _unquote(rest.strip())


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text
