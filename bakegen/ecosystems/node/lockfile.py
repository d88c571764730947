"""Node lockfiles: `package-lock.json`, `pnpm-lock.yaml` and `yarn.lock`.

`package-lock.json` / `npm-shrinkwrap.json` v2 and v3 (the `packages` map): entries are
keyed by install location (`node_modules/a/node_modules/b`); a dependency is found the way
Node finds it, walking up from the dependent's folder. Locations are then collapsed into
identities (`name@version#integrity`), so an entry that only moved in the tree (hoisting)
is not a change.

`pnpm-lock.yaml` v5, v6 and v9: importers (members) and packages/snapshots (entries).

`yarn.lock`, classic (v1, its own format) and berry (v2+, YAML with `__metadata`). Berry
records workspaces as entries (`name@workspace:path`) with their dependencies. Classic does
not, so members' direct dependencies come from their package.json files, read at the same
revision as the lockfile.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from bakegen.lockfiles.model import (
    GraphBuilder,
    LockfileUnsure,
    LockGraph,
    Members,
    Parser,
    Reader,
    as_dict,
    fingerprint,
)
from bakegen.lockfiles.yamlload import load_yaml
from bakegen.tree import join, normalize

ENTRY_FIELDS = ("dependencies", "optionalDependencies")
MANIFEST_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")
_WORKSPACE = "@workspace:"


def parse_yarn(text: str, members: Members, read: Reader) -> LockGraph:
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


DEPENDENCY_FIELDS = (
    "dependencies", "devDependencies", "optionalDependencies", "peerDependencies",
)
_NM = "node_modules/"


def parse_npm(text: str, members: Members, read: Reader) -> LockGraph:
    """Third-party identities with resolved edges; members are the non-node_modules entries."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockfileUnsure(f"invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    data = as_dict(data, "the lockfile")
    version = data.get("lockfileVersion")
    if version not in (2, 3) or not isinstance(data.get("packages"), dict):
        raise LockfileUnsure(f"lockfileVersion {version!r} has no \"packages\" map (v2 or v3)")
    packages = {str(k): as_dict(v, k) for k, v in data["packages"].items()}
    identity = {loc: _identity(loc, entry) for loc, entry in packages.items()
                if _is_installed(loc) and not entry.get("link")}

    def deps_of(loc: str, entry: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
        found = []
        for field in fields:
            for name in sorted(as_dict(entry.get(field), f"{loc} {field}")):
                target = _resolve(packages, loc, name)
                if target is not None and target in identity:
                    found.append(identity[target])
        return found

    builder = GraphBuilder()
    merged: dict[str, tuple[str, str, str, set[str]]] = {}
    for loc, entry in sorted(packages.items()):
        if loc in identity:
            key = identity[loc]
            deps = deps_of(loc, entry, ("dependencies", "optionalDependencies",
                                         "peerDependencies"))
            name, version = _name(loc, entry), str(entry.get("version", ""))
            content = fingerprint(entry.get("resolved"), entry.get("integrity"))
            _, _, _, edges = merged.setdefault(key, (name, version, content, set()))
            edges.update(deps)
        elif not _is_installed(loc) and not entry.get("link"):
            path = normalize(loc) if loc else "."
            builder.member(path, entry.get("name"), tuple(deps_of(loc, entry, DEPENDENCY_FIELDS)))
    for key, (name, version, content, edges) in merged.items():
        builder.node(key, name, version, content, tuple(edges))
    return builder.build()


def _is_installed(loc: str) -> bool:
    return loc.startswith(_NM) or f"/{_NM}" in loc


def _name(loc: str, entry: dict[str, Any]) -> str:
    name = entry.get("name")
    if isinstance(name, str) and name:
        return name
    return loc[loc.rfind(_NM) + len(_NM):]


def _identity(loc: str, entry: dict[str, Any]) -> str:
    digest = entry.get("integrity") or entry.get("resolved") or ""
    return f"{_name(loc, entry)}@{entry.get('version', '')}#{digest}"


def _resolve(packages: dict[str, Any], loc: str, name: str) -> str | None:
    """Node's lookup: `<loc>/node_modules/<name>`, then each enclosing folder's."""
    while True:
        candidate = f"{loc}/{_NM}{name}" if loc else f"{_NM}{name}"
        if candidate in packages:
            return candidate
        if not loc:
            return None
        if _NM in loc:
            cut = loc.rfind(_NM)
            loc = loc[:cut].rstrip("/")
        else:
            loc = posixpath.dirname(loc)


IMPORTER_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")
PACKAGE_FIELDS = ("dependencies", "optionalDependencies")


def parse_pnpm(text: str, members: Members, read: Reader) -> LockGraph:
    """Entries keyed as the lockfile keys them; a dependency `name: version` is looked up
    under each version's key syntax (`name@1.0.0`, `/name@1.0.0`, `/name/1.0.0`)."""
    data = as_dict(load_yaml(text), "the lockfile")
    if "lockfileVersion" not in data:
        raise LockfileUnsure("no lockfileVersion")
    packages = as_dict(data.get("packages"), "packages")
    snapshots = as_dict(data.get("snapshots"), "snapshots")
    # v9 splits an entry into packages (resolution) and snapshots (resolved dependencies)
    entries = snapshots if snapshots else packages
    importers = as_dict(data.get("importers"), "importers")
    if not importers:
        importers = {".": {f: data.get(f) for f in IMPORTER_FIELDS}}

    def resolve(name: str, ref: Any) -> str | None:
        if isinstance(ref, dict):
            ref = ref.get("version")
        if not isinstance(ref, str) or ref.startswith(("link:", "workspace:")):
            return None
        for key in (ref, f"{name}@{ref}", f"/{name}@{ref}", f"/{name}/{ref}"):
            if key in entries:
                return key
        return None

    def deps(where: str, entry: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
        found = []
        for field in fields:
            for name, ref in sorted(as_dict(entry.get(field), f"{where} {field}").items()):
                key = resolve(str(name), ref)
                if key is not None:
                    found.append(key)
        return found

    builder = GraphBuilder()
    for key, entry in entries.items():
        key = str(key)
        entry = as_dict(entry, key)
        edges = deps(key, entry, PACKAGE_FIELDS)
        base = _base_key(key)
        resolution = as_dict(packages.get(base) or packages.get(key), key).get("resolution")
        name, version = _label(key)
        builder.node(key, name, version, fingerprint(resolution), tuple(edges))
    for path, importer in importers.items():
        importer = as_dict(importer, f"importers {path}")
        builder.member(normalize(str(path)), None, tuple(deps(str(path), importer,
                                                              IMPORTER_FIELDS)))
    return builder.build()


def _base_key(key: str) -> str:
    """`a@1.0.0(react@18.2.0)` -> `a@1.0.0`: the peer-dependency suffix removed."""
    return key.split("(", 1)[0]


def _label(key: str) -> tuple[str, str]:
    base = _base_key(key).lstrip("/")
    head, _, tail = base.rpartition("/")
    if key.startswith("/") and head and tail[:1].isdigit():  # v5: /name/1.0.0_peer@1
        return head, tail.split("_", 1)[0]
    at = base.rfind("@")
    return (base[:at], base[at + 1:]) if at > 0 else (base, "")


#: lockfile base name -> parser
PARSERS: dict[str, Parser] = {
    "package-lock.json": parse_npm,
    "npm-shrinkwrap.json": parse_npm,
    "pnpm-lock.yaml": parse_pnpm,
    "yarn.lock": parse_yarn,
}


#: lockfile base name -> the command that writes it again (bun's lockfiles have no reader)
REGENERATE = {
    "package-lock.json": "npm install",
    "npm-shrinkwrap.json": "npm install",
    "yarn.lock": "yarn install",
    "pnpm-lock.yaml": "pnpm install",
}


def locked_members(lockfile: str, text: str) -> set[str] | None:
    """None: a Node lockfile is only checked to be readable (LockfileUnsure when it is not);
    whether it lists every member is the package manager's own check."""
    if lockfile in ("package-lock.json", "npm-shrinkwrap.json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LockfileUnsure(f"invalid JSON at line {exc.lineno}") from exc
        if not isinstance(data, dict):
            raise LockfileUnsure("not a JSON object")
        return None
    if lockfile == "yarn.lock" and "\n__metadata:" not in f"\n{text}":
        classic_blocks(text)
        return None
    if not isinstance(load_yaml(text), (dict, type(None))):
        raise LockfileUnsure("not a YAML mapping")
    return None
