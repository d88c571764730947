"""Workspace packages a package's TypeScript configuration extends.

`"extends": "@acme/tsconfig/base.json"` makes the shared config package a build-time need,
whether or not package.json declares it: with hoisting (npm, yarn, bun) an undeclared one
resolves through the root's node_modules, and the package's `tsc` fails without its files
(TS6053). A relative `extends` into another package's folder is the same need.
"""

from __future__ import annotations

import re

from bakegen.ecosystems.node.manifest import WorkspaceIndex
from bakegen.errors import BakegenError
from bakegen.tree import SourceTree, iter_parents, join, normalize, parent

_CONFIG = re.compile(r"tsconfig[\w.-]*\.json")
_EXTENDS = re.compile(r'"extends"\s*:\s*(\[[^\]]*\]|"(?:[^"\\]|\\.)*")')
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def config_files(tree: SourceTree) -> dict[str, list[str]]:
    """Every `tsconfig*.json` of the tree, by folder (one pass, for all packages)."""
    found: dict[str, list[str]] = {}
    for rel in tree.files:
        if "tsconfig" in rel and _CONFIG.fullmatch(rel.rsplit("/", 1)[-1]):
            found.setdefault(parent(rel), []).append(rel)
    return found


def extended_packages(
    tree: SourceTree, configs: dict[str, list[str]], folder: str, index: WorkspaceIndex
) -> set[str]:
    """Names of the workspace packages the `tsconfig*.json` files of `folder` extend (the
    package in `folder` itself left out); `configs` is `config_files(tree)`."""
    own = index.names_by_folder.get(folder)
    found: set[str] = set()
    for rel in sorted(configs.get(folder, ())):
        try:
            text = tree.read_text(rel)
        except BakegenError:
            continue  # an unreadable config fails the user's own build the same way
        for target in _extends(_without_comments(text)):
            name = _package_of(target, folder, index)
            if name is not None and name != own:
                found.add(name)
    return found


def _extends(text: str) -> list[str]:
    match = _EXTENDS.search(text)
    return _STRING.findall(match.group(1)) if match else []


def _package_of(target: str, folder: str, index: WorkspaceIndex) -> str | None:
    if target.startswith("/"):
        return None
    if target.startswith("."):
        path = normalize(join(folder, target))
        for candidate in (parent(path), *iter_parents(parent(path))):
            if candidate in index.names_by_folder and candidate != ".":
                return index.names_by_folder[candidate]
        return None
    parts = target.split("/")
    name = "/".join(parts[:2]) if target.startswith("@") else parts[0]
    return name if name in index.folders_by_name else None


def _without_comments(text: str) -> str:
    """JSONC without its `//` and `/* */` comments (strings, with their `//` URLs, kept)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            end = i + 1
            while end < n and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[i:end + 1])
            i = end + 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(char)
            i += 1
    return "".join(out)
