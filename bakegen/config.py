"""bakegen's own settings: `bakegen.toml` at the root, or `[tool.bakegen]` in `pyproject.toml`."""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bakegen.errors import BakegenError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE = "bakegen.toml"
CACHE_MODES = ("registry", "gha", "none")
DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64")
DEFAULT_REGISTRY = "localhost:5000/acme"


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """Base images of one ecosystem: where it builds and what it runs on."""

    build: str | None = None
    runtime: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """Per-service overrides, keyed in the config by package name."""

    dockerfile: str | None = None
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    port: int | None = None
    healthcheck: str | None = None
    args: tuple[tuple[str, str], ...] = ()
    target: str | None = None
    context: str | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """Validated settings; every field has a default so a repo needs no config at all."""

    source: str | None = None
    registry: str = DEFAULT_REGISTRY
    platforms: tuple[str, ...] = DEFAULT_PLATFORMS
    cache: str = "registry"
    output_dir: str = "docker"
    metadata_action: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    images: dict[str, ImageSettings] = field(default_factory=dict)
    services: dict[str, ServiceSettings] = field(default_factory=dict)

    def service(self, name: str) -> ServiceSettings:
        return self.services.get(name, ServiceSettings())

    def image(self, ecosystem: str) -> ImageSettings:
        return self.images.get(ecosystem, ImageSettings())


def load_config(root: Path) -> Config:
    """Read the repo's config: `bakegen.toml` wins over `[tool.bakegen]` in `pyproject.toml`."""
    own = root / CONFIG_FILE
    if own.is_file():
        return parse_config(_read_toml(own, CONFIG_FILE), CONFIG_FILE)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject, "pyproject.toml")
        tool = data.get("tool", {})
        if isinstance(tool, dict) and "bakegen" in tool:
            return parse_config(tool["bakegen"], "pyproject.toml [tool.bakegen]")
    return Config()


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        return data
    except tomllib.TOMLDecodeError as exc:
        raise BakegenError(f"{label}: invalid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BakegenError(f"{label}: cannot read: {exc}") from exc


_TOP_KEYS = (
    "registry",
    "platforms",
    "cache",
    "output_dir",
    "metadata_action",
    "services",
    "images",
    "service",
)
_SERVICE_KEYS = (
    "dockerfile",
    "entrypoint",
    "cmd",
    "port",
    "healthcheck",
    "args",
    "target",
    "context",
)
_IMAGE_KEYS = ("build", "runtime")
_ECOSYSTEM_NAMES = ("node", "cargo", "python")


def parse_config(data: Any, source: str) -> Config:
    """Validate a config table; BakegenError names the first wrong key and what is expected."""
    table = _table(data, source, "")
    _check_keys(table, _TOP_KEYS, source, "")
    registry = _str(table, "registry", source, DEFAULT_REGISTRY).rstrip("/")
    if not registry:
        raise BakegenError(f'{source}: "registry" must not be empty')
    platforms = tuple(_str_list(table, "platforms", source, list(DEFAULT_PLATFORMS)))
    if not platforms:
        raise BakegenError(f'{source}: "platforms" must name at least one platform')
    for platform in platforms:
        if platform.count("/") not in (1, 2) or " " in platform:
            raise BakegenError(f'{source}: "platforms" has {platform!r}, expected os/arch')
    cache = _str(table, "cache", source, "registry")
    if cache not in CACHE_MODES:
        raise BakegenError(
            f'{source}: "cache" must be one of {", ".join(CACHE_MODES)}, got {cache!r}'
        )
    services = _table(table.get("services", {}), source, "services")
    _check_keys(services, ("include", "exclude"), source, "services.")
    images: dict[str, ImageSettings] = {}
    for eco, value in sorted(_table(table.get("images", {}), source, "images").items()):
        if eco not in _ECOSYSTEM_NAMES:
            _unknown(eco, _ECOSYSTEM_NAMES, source, "images.")
        entry = _table(value, source, f"images.{eco}")
        _check_keys(entry, _IMAGE_KEYS, source, f"images.{eco}.")
        images[eco] = ImageSettings(
            build=_opt_str(entry, "build", source, f"images.{eco}."),
            runtime=_opt_str(entry, "runtime", source, f"images.{eco}."),
        )
    overrides: dict[str, ServiceSettings] = {}
    for name, value in sorted(_table(table.get("service", {}), source, "service").items()):
        overrides[name] = _service_settings(value, source, f'service."{name}"')
    return Config(
        source=source,
        registry=registry,
        platforms=platforms,
        cache=cache,
        output_dir=_str(table, "output_dir", source, "docker"),
        metadata_action=_bool(table, "metadata_action", source, False),
        include=tuple(_str_list(services, "include", source, [], "services.")),
        exclude=tuple(_str_list(services, "exclude", source, [], "services.")),
        images=images,
        services=overrides,
    )


def _service_settings(value: Any, source: str, where: str) -> ServiceSettings:
    entry = _table(value, source, where)
    _check_keys(entry, _SERVICE_KEYS, source, where + ".")
    prefix = where + "."
    port = entry.get("port")
    if port is not None and (
        isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536
    ):
        raise BakegenError(f'{source}: "{prefix}port" must be a port number, got {port!r}')
    args = _table(entry.get("args", {}), source, prefix + "args")
    for key, val in args.items():
        if not isinstance(val, str):
            raise BakegenError(f'{source}: "{prefix}args.{key}" must be a string, got {val!r}')
    entrypoint = entry.get("entrypoint")
    cmd = entry.get("cmd")
    return ServiceSettings(
        dockerfile=_opt_str(entry, "dockerfile", source, prefix),
        entrypoint=None
        if entrypoint is None
        else tuple(_str_list(entry, "entrypoint", source, [], prefix)),
        cmd=None if cmd is None else tuple(_str_list(entry, "cmd", source, [], prefix)),
        port=port,
        healthcheck=_opt_str(entry, "healthcheck", source, prefix),
        args=tuple(sorted(args.items())),
        target=_opt_str(entry, "target", source, prefix),
        context=_opt_str(entry, "context", source, prefix),
    )


def _table(value: Any, source: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        label = f'"{where}"' if where else "the config"
        raise BakegenError(f"{source}: {label} must be a table, got {type(value).__name__}")
    return dict(value)


def _check_keys(table: dict[str, Any], allowed: tuple[str, ...], source: str, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            _unknown(key, allowed, source, prefix)


def _unknown(key: str, allowed: tuple[str, ...], source: str, prefix: str) -> None:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f' (did you mean "{prefix}{close[0]}"?)' if close else f" (known: {', '.join(allowed)})"
    raise BakegenError(f'{source}: unknown key "{prefix}{key}"{hint}')


def _str(table: dict[str, Any], key: str, source: str, default: str, prefix: str = "") -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise BakegenError(f'{source}: "{prefix}{key}" must be a string, got {value!r}')
    return value


def _opt_str(table: dict[str, Any], key: str, source: str, prefix: str = "") -> str | None:
    if key not in table:
        return None
    return _str(table, key, source, "", prefix)


def _bool(table: dict[str, Any], key: str, source: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise BakegenError(f'{source}: "{key}" must be true or false, got {value!r}')
    return value


def _str_list(
    table: dict[str, Any], key: str, source: str, default: list[str], prefix: str = ""
) -> list[str]:
    value = table.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BakegenError(f'{source}: "{prefix}{key}" must be a list of strings, got {value!r}')
    return list(value)
