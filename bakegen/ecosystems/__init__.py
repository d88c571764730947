"""The ecosystems bakegen understands: one package each, behind the `Ecosystem` protocol.

Each package's module is the plugin itself (`base.Ecosystem`: name, image variable, scan,
images, recipes, lockfile parsers). Adding a language means adding one package and one line
to `ECOSYSTEMS`; every other list of ecosystems (config keys, lockfile parsers, `new --lang`,
lock commands) is read from here.
"""

from __future__ import annotations

from bakegen.ecosystems import cargo, go, node, python
from bakegen.ecosystems.base import Ecosystem
from bakegen.lockfiles.model import Parser

#: name -> plugin, in the order messages list them
ECOSYSTEMS: dict[str, Ecosystem] = {
    "node": node, "cargo": cargo, "python": python, "go": go,
}


def lockfile_parser(path: str) -> Parser | None:
    """The parser of a lockfile path, by its base name; None for a format nobody reads."""
    base = path.rsplit("/", 1)[-1]
    for ecosystem in ECOSYSTEMS.values():
        if base in ecosystem.lockfiles:
            return ecosystem.lockfiles[base]
    return None


def secret_targets() -> dict[str, str]:
    """BuildKit secret id -> where the install steps mount it, over every ecosystem (two
    that share an id mount it at the same place)."""
    return {key: target for eco in ECOSYSTEMS.values() for key, target in eco.secrets.items()}


def manifest_ecosystems() -> dict[str, str]:
    """Manifest file name -> the ecosystem that declares packages in it."""
    return {file: name for name, eco in ECOSYSTEMS.items() for file in eco.manifest_files}
