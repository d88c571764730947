"""`bakegen init`: write the settings bakegen uses now as a commented config to start from.

The values written are the effective ones (an existing config's, else the defaults, with base
images chosen from the repo's runtime versions), so `bakegen generate` writes the same files
before and after `init`. What the scan found (ecosystems, package managers, lockfiles,
services) goes into comments. The config is `bakegen.toml`, or with `pyproject=True` a
`[tool.bakegen]` table appended to the root `pyproject.toml` through tomlkit, leaving every
other byte of that file as it was.

`service_port_change` is the small edit `bakegen new` makes: one `[service."name"]` table.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from bakegen import tomlparse
from bakegen.config import (
    DEFAULT_REGISTRY,
    Config,
    ImageSettings,
    parse_config,
    without_tool_table,
)
from bakegen.ecosystems import ECOSYSTEMS
from bakegen.ecosystems.base import Ecosystem
from bakegen.errors import BakegenError
from bakegen.formats import CONFIG_FILE
from bakegen.model import ScanResult, Workspace
from bakegen.onboarding.transaction import FileEdit, Transaction, read_text
from bakegen.pipeline import load_settings
from bakegen.scan.repository import scan_tree
from bakegen.settings import ServiceSettings
from bakegen.tree import SourceTree

PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = "tool.bakegen"
#: beyond this many services the config lists a count instead (`bakegen scan` lists all)
LISTED_SERVICES = 100
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class InitResult:
    """What `init` wrote: the file change, the settings in it, and what the scan found."""

    change: FileEdit
    config: Config
    scan: ScanResult
    replaced: bool  # an existing config was rewritten
    notes: tuple[str, ...] = ()


def init_config(root: Path, pyproject: bool = False, force: bool = False) -> InitResult:
    """Write `bakegen.toml` (or `[tool.bakegen]` in pyproject.toml) from what is detected.

    Refuses to replace an existing config unless `force`; with `force` the existing settings
    are carried over into the new, commented file.
    """
    own_text = read_text(root / CONFIG_FILE)
    py_text = read_text(root / PYPROJECT)
    py_has_table = py_text is not None and _has_tool_table(py_text)
    _refuse_existing(own_text is not None, py_text is not None, py_has_table, pyproject, force)
    notes: list[str] = []
    try:
        config = load_settings(root)
    except BakegenError as exc:
        config = Config()
        notes.append(f"the existing settings could not be read ({exc}); wrote the defaults")
    scan = scan_tree(SourceTree.scan(root), config)
    ecosystems = ECOSYSTEMS
    config = dataclasses.replace(config, images=effective_images(config, scan, ecosystems))
    body = render_config(config, scan, ecosystems, table=PYPROJECT_TABLE if pyproject else "")
    written = dataclasses.replace(_check_round_trip(body, pyproject, config), source=None)
    moved: list[FileEdit] = []
    if pyproject:
        assert py_text is not None
        change = FileEdit(PYPROJECT, py_text, replace_tool_table(py_text, body), "[tool.bakegen]")
    else:
        change = FileEdit(CONFIG_FILE, own_text, body, "bakegen settings")
        if py_has_table:
            # settings live in one file: the table moves, it is not left behind to clash
            assert py_text is not None
            moved.append(FileEdit(PYPROJECT, py_text, without_tool_table(py_text),
                                    "[tool.bakegen] removed"))
            notes.append(
                "pyproject.toml: [tool.bakegen] moved into bakegen.toml (its settings were "
                "carried over); pyproject.toml is an input of the Python base, so regenerate"
            )
    if config.registry == DEFAULT_REGISTRY:
        notes.append(
            f'registry is the placeholder "{DEFAULT_REGISTRY}" (a local registry); '
            "set yours, e.g. ghcr.io/<org>"
        )
    Transaction(root).apply([change, *moved])
    replaced = own_text is not None if not pyproject else py_has_table
    return InitResult(change, written, scan, replaced, tuple(notes))


def _refuse_existing(
    own: bool, has_pyproject: bool, py_has_table: bool, pyproject: bool, force: bool
) -> None:
    if pyproject and not has_pyproject:
        raise BakegenError.at(PYPROJECT,
            f"not found; run `bakegen init` without --pyproject to write {CONFIG_FILE}"
        )
    if pyproject and own:
        raise BakegenError.at(CONFIG_FILE,
            "exists, and settings live in one file; remove it first, "
            "or run `bakegen init --force` without --pyproject"
        )
    if force:
        return
    if own:
        raise BakegenError.at(CONFIG_FILE,
            "already exists; rerun with --force to rewrite it "
            "(its settings are kept)"
        )
    if py_has_table:
        raise BakegenError.at(PYPROJECT,
            "already has [tool.bakegen]; rerun with --force to rewrite it "
            "(its settings are kept)"
        )


def _has_tool_table(text: str) -> bool:
    data = _loads(text, PYPROJECT)
    tool = data.get("tool")
    return isinstance(tool, dict) and "bakegen" in tool


def _loads(text: str, label: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomlparse.loads(text)
        return data
    except tomlparse.TOMLDecodeError as exc:
        raise BakegenError.at(label, f"invalid TOML: {exc}") from exc


def _check_round_trip(body: str, pyproject: bool, wanted: Config) -> Config:
    """The written text must read back as exactly the settings meant (a bug guard)."""
    data = _loads(body, "generated config")
    table = data["tool"]["bakegen"] if pyproject else data
    parsed = parse_config(table, "generated config")
    if dataclasses.replace(parsed, source=None) != dataclasses.replace(wanted, source=None):
        raise BakegenError("generated config: does not read back as the detected settings")
    return parsed


def replace_tool_table(text: str, section: str) -> str:
    """pyproject.toml text without its old `[tool.bakegen]` tables, with `section` appended."""
    doc = tomlkit.parse(text)
    tool = doc.get("tool")
    if tool is not None and "bakegen" in tool:
        del tool["bakegen"]
    kept = tomlkit.dumps(doc)
    newline = "\r\n" if "\r\n" in kept else "\n"
    section = section.replace("\n", newline)
    if not kept.strip():
        return section
    return kept + ("" if kept.endswith("\n") else newline) + newline + section


# -- rendering -------------------------------------------------------------------------------


def render_config(
    config: Config, scan: ScanResult, ecosystems: Mapping[str, Ecosystem], table: str = ""
) -> str:
    """The commented config text; `table` prefixes every table (`tool.bakegen`).

    Base images are written as `config.images` holds them (see `effective_images`); an
    ecosystem without an entry gets a comment listing its workspaces' defaults.
    """
    top = f"[{table}]\n" if table else ""
    prefix = f"{table}." if table else ""
    parts = [
        _header(scan),
        top + _top_keys(config),
        _services_section(config, scan, prefix),
        _images_section(config, scan, ecosystems, prefix),
        _service_tables(config, scan, prefix),
    ]
    return "\n".join(part for part in parts if part)


def _header(scan: ScanResult) -> str:
    lines = [
        "# bakegen settings, written by `bakegen init` from what it found in this repository.",
        "# Every key is optional: delete one to get its default back. `bakegen scan` shows what",
        "# bakegen sees; `bakegen generate` writes docker-bake.hcl and Dockerfiles from this.",
        "#",
    ]
    if not scan.workspaces:
        names = [name.capitalize() for name in ECOSYSTEMS]
        lines.append(f"# Found no {', '.join(names[:-1])} or {names[-1]} workspace yet.")
    else:
        lines.append("# Found:")
        for ws in scan.workspaces:
            lines.append(f"#   {_describe_workspace(ws)}")
    return "\n".join(lines) + "\n"


def _describe_workspace(ws: Workspace) -> str:
    manager = ws.manager + (f" {ws.manager_version}" if ws.manager_version else "")
    runtime = ECOSYSTEMS[ws.ecosystem].display_name if ws.ecosystem in ECOSYSTEMS else ""
    bits = [manager, f"lockfile {ws.lockfile}" if ws.lockfile else "no lockfile"]
    if ws.runtime_version:
        bits.append(f"{runtime} {ws.runtime_version}")
    count = len(ws.packages)
    bits.append(f"{count} package{'s' if count != 1 else ''}")
    return f"{ws.ecosystem} workspace at {ws.root}: {', '.join(bits)}"


def _top_keys(config: Config) -> str:
    return "\n".join([
        "# Registry and namespace images are tagged with: <registry>/<target>:<tag>.",
        f'# "{DEFAULT_REGISTRY}" is a placeholder for a local registry; set your own.',
        f"registry = {_value(config.registry)}",
        "# Platforms every image is built for (os/arch).",
        f"platforms = {_value(list(config.platforms))}",
        '# Build cache: "registry" (cache refs pushed beside the images), "gha" (GitHub',
        '# Actions cache) or "none".',
        f"cache = {_value(config.cache)}",
        "# Folder of the generated Dockerfiles.",
        f"output_dir = {_value(config.output_dir)}",
        "# true: service targets inherit docker/metadata-action's target (tags, labels).",
        f"metadata_action = {_value(config.metadata_action)}",
        "# How CI installs bakegen (`bakegen ci github`; bakegen is not on PyPI), e.g.",
        '# "pip install git+https://github.com/<owner>/bakegen@v<version>".',
        f"install = {_value(config.install)}",
    ]) + "\n"


def _services_section(config: Config, scan: ScanResult, prefix: str) -> str:
    services = [p for p in scan.packages if p.deployable]
    lines = [
        f"# Which packages are services. Found {len(services)} (a start script, a bin target,",
        "# [project.scripts], a __main__.py or its own Dockerfile makes one):",
    ]
    listed = services[:LISTED_SERVICES]
    width = max((len(p.name) for p in listed), default=0)
    path_width = max((len(p.path) for p in listed), default=0)
    for pkg in listed:
        why = f"  ({pkg.deployable_reason})" if pkg.deployable_reason else ""
        row = f"{pkg.name.ljust(width)}  {pkg.ecosystem:<6}  {pkg.path.ljust(path_width)}{why}"
        lines.append(f"#   {row}".rstrip())
    if len(services) > LISTED_SERVICES:
        lines.append(f"#   ... and {len(services) - LISTED_SERVICES} more (`bakegen scan`)")
    lines += [
        f"[{prefix}services]",
        "# Packages to build as services although nothing marks them (name or ecosystem:name).",
        f"include = {_value(list(config.include))}",
        "# Packages never to build as services.",
        f"exclude = {_value(list(config.exclude))}",
    ]
    return "\n".join(lines) + "\n"


def effective_images(
    config: Config, scan: ScanResult, ecosystems: Mapping[str, Ecosystem]
) -> dict[str, ImageSettings]:
    """The config's base images, plus the default images of each ecosystem whose workspaces
    all default to the same pair (so writing them changes nothing)."""
    images = dict(config.images)
    for eco in sorted({ws.ecosystem for ws in scan.workspaces} - set(images)):
        defaults = _defaults(scan, ecosystems, eco)
        if len(defaults) == 1:
            images[eco] = ImageSettings(*defaults[0])
    return images


def _defaults(
    scan: ScanResult, ecosystems: Mapping[str, Ecosystem], eco: str
) -> list[tuple[str, str]]:
    return sorted({
        ecosystems[eco].default_images(ws) for ws in scan.workspaces if ws.ecosystem == eco
    })


def _images_section(
    config: Config, scan: ScanResult, ecosystems: Mapping[str, Ecosystem], prefix: str
) -> str:
    names = sorted({ws.ecosystem for ws in scan.workspaces} | set(config.images))
    if not names:
        return ""
    lines = [
        "# Base images per ecosystem: `build` runs the install and build stages, `runtime` the",
        "# final image. Chosen from the repo's runtime versions (.nvmrc, .python-version,",
        "# rust-toolchain.toml, ...): pin them by digest if you like, or delete a table to",
        "# follow the version files again.",
    ]
    for eco in names:
        images = config.images.get(eco)
        if images is not None:
            lines += [f"[{prefix}images.{eco}]", *_image_keys(images), ""]
            continue
        lines += [
            f"# {eco}: its workspaces use different images; a [{prefix}images.{eco}] table",
            "# would set one pair for all of them:",
            *(
                f"#   build = {_value(b)}, runtime = {_value(r)}"
                for b, r in _defaults(scan, ecosystems, eco)
            ),
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _image_keys(images: ImageSettings) -> list[str]:
    return [
        f"{field_name} = {_value(value)}"
        for field_name, value in (("build", images.build), ("runtime", images.runtime))
        if value is not None
    ]


def _service_tables(config: Config, scan: ScanResult, prefix: str) -> str:
    lines = [
        "# Per-service settings, keyed by package name: port (ENV PORT and EXPOSE), health (a path",
        "# the HEALTHCHECK probes) or healthcheck (a command), static, binaries (Rust), target",
        "# (bake target name), dockerfile, cmd, entrypoint, args, secrets, context.",
    ]
    for name, settings in sorted(config.services.items()):
        lines.append(f"[{prefix}service.{key(name)}]")
        lines += _service_keys(settings)
        lines.append("")
    if not config.services:
        example = next((p.name for p in scan.packages if p.deployable), "my-service")
        lines += [f"# [{prefix}service.{key(example)}]", "# port = 8080"]
    return "\n".join(lines).rstrip("\n") + "\n"


def _service_keys(settings: ServiceSettings) -> list[str]:
    lines = []
    for name in ("port", "health", "healthcheck", "static", "target", "dockerfile", "context"):
        value = getattr(settings, name)
        if value is not None:
            lines.append(f"{name} = {_value(value)}")
    for name in ("entrypoint", "cmd", "binaries"):
        value = getattr(settings, name)
        if value is not None:
            lines.append(f"{name} = {_value(list(value))}")
    if settings.args:
        table = tomlkit.inline_table()
        table.update(dict(settings.args))
        lines.append(f"args = {table.as_string()}")
    if settings.secrets:
        table = tomlkit.inline_table()
        table.update(dict(settings.secrets))
        lines.append(f"secrets = {table.as_string()}")
    return lines


def key(name: str) -> str:
    """A TOML key: bare when it can be, else quoted."""
    return name if _BARE_KEY.fullmatch(name) else tomlkit.key(name).as_string()


def _value(value: Any) -> str:
    return str(tomlkit.item(value).as_string())


# -- the edit `bakegen new` makes ------------------------------------------------------------


def config_path(config: Config) -> str:
    """The file holding the settings (`bakegen.toml` when there is none yet)."""
    return PYPROJECT if config.source not in (None, CONFIG_FILE) else CONFIG_FILE


#: the path every `bakegen new` skeleton answers on, so its image gets a HEALTHCHECK
SKELETON_HEALTH = "/health"


def service_port_change(
    root: Path, config: Config, name: str, port: int, current: str | None = None
) -> FileEdit | None:
    """The config edit giving service `name` its port, in the config the repository has.

    None when the config already says so, or when there is no config: `new` does not create
    one (the skeleton listens on that port by default anyway). Appends a `[service."name"]`
    table, or sets `port` in an existing one through tomlkit; the rest of the file keeps every
    byte. `current` is the file's text when another edit of this run already changed it.
    """
    current_settings = config.service(name)
    if current_settings.port == port and current_settings.health is not None:
        return None
    if config.source is None:
        return None
    rel = config_path(config)
    in_pyproject = rel == PYPROJECT
    text = current if current is not None else read_text(root / rel)
    if text is None:
        raise BakegenError.at(rel, "disappeared while bakegen was running")
    prefix = f"{PYPROJECT_TABLE}." if in_pyproject else ""
    summary = f"[{prefix}service.{key(name)}] port = {port}, health = \"{SKELETON_HEALTH}\""
    if name in config.services:
        doc = tomlkit.parse(text)
        table: Any = doc
        path = ("tool", "bakegen") if in_pyproject else ()
        for part in (*path, "service", name):
            table = table[part]
        table["port"] = port
        if "health" not in table and "healthcheck" not in table:
            table["health"] = SKELETON_HEALTH
        return FileEdit(rel, text, tomlkit.dumps(doc), summary)
    newline = "\r\n" if "\r\n" in text else "\n"
    snippet = (f"[{prefix}service.{key(name)}]{newline}port = {port}{newline}"
               f'health = "{SKELETON_HEALTH}"{newline}')
    after = text.rstrip("\r\n") + newline + newline + snippet if text.strip() else snippet
    return FileEdit(rel, text, after, summary)

