"""bakegen's own settings: `bakegen.toml` at the root, or `[tool.bakegen]` in `pyproject.toml`."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec

from bakegen import tomlparse
from bakegen.ecosystems import ECOSYSTEMS, secret_targets
from bakegen.errors import BakegenError
from bakegen.formats import CONFIG_FILE
from bakegen.references import platform_error, registry_error
from bakegen.settings import PER_SERVICE, SHARED, ServiceSettings

CACHE_MODES = ("registry", "gha", "none")
DEPENDENCY_MODES = (SHARED, PER_SERVICE)
DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64")
DEFAULT_REGISTRY = "localhost:5000/acme"


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """Base images of one ecosystem: where it builds and what it runs on."""

    build: str | None = None
    runtime: str | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """Validated settings; every field has a default so a repo needs no config at all."""

    source: str | None = None
    registry: str = DEFAULT_REGISTRY
    platforms: tuple[str, ...] = DEFAULT_PLATFORMS
    cache: str = "registry"
    #: "shared" (one production dependency layer in production-base) or "per-service"
    dependencies: str = SHARED
    output_dir: str = "docker"
    metadata_action: bool = False
    #: the command CI runs to install bakegen (`bakegen ci github --install`)
    install: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    images: dict[str, ImageSettings] = field(default_factory=dict)
    services: dict[str, ServiceSettings] = field(default_factory=dict)
    #: BuildKit secrets the base targets pass to their builds: (id, "path" or "env:NAME")
    secrets: tuple[tuple[str, str], ...] = ()
    #: gitignore-style patterns of paths the scan leaves out (top-level `exclude`)
    scan_exclude: tuple[str, ...] = ()

    def service(self, name: str) -> ServiceSettings:
        return self.services.get(name, ServiceSettings())

    def image(self, ecosystem: str) -> ImageSettings:
        return self.images.get(ecosystem, ImageSettings())


PYPROJECT_SOURCE = "pyproject.toml [tool.bakegen]"


def load_config(root: Path) -> Config:
    """Read the repo's config: `bakegen.toml` or `[tool.bakegen]` in `pyproject.toml`.

    Both at once is an error naming both: one of them would be silently ignored, and every
    generated file would change for a reason no message gave.
    """
    own = root / CONFIG_FILE
    pyproject = root / "pyproject.toml"
    table: Any = None
    if pyproject.is_file():
        tool = _read_toml(pyproject, "pyproject.toml").get("tool", {})
        if isinstance(tool, dict) and "bakegen" in tool:
            table = tool["bakegen"]
    if own.is_file():
        if table is not None:
            raise BakegenError(
                f"{CONFIG_FILE} and {PYPROJECT_SOURCE}: both hold bakegen settings; keep one "
                f"(`bakegen init --force` moves them into {CONFIG_FILE})"
            )
        return parse_config(_read_toml(own, CONFIG_FILE), CONFIG_FILE)
    if table is not None:
        return parse_config(table, PYPROJECT_SOURCE)
    return Config()


def without_tool_table(text: str) -> str:
    """pyproject.toml text without its `[tool.bakegen]` tables, every other byte kept
    (text that is not TOML comes back as it is)."""
    import tomlkit  # only for the rare pyproject holding bakegen's table
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(text)
    except TOMLKitError:
        return text
    tool = doc.get("tool")
    if tool is None or "bakegen" not in tool:
        return text
    del tool["bakegen"]
    kept = tomlkit.dumps(doc)
    newline = "\r\n" if "\r\n" in kept else "\n"
    return kept.rstrip() + newline if kept.strip() else ""


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomlparse.loads(path.read_text(encoding="utf-8"))
        return data
    except tomlparse.TOMLDecodeError as exc:
        raise BakegenError.at(label, f"invalid TOML: {exc}") from exc
    except RecursionError as exc:
        raise BakegenError.at(label, "invalid TOML: nested too deeply to read") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BakegenError.at(label, f"cannot read: {exc}") from exc


_TOP_KEYS = (
    "registry",
    "platforms",
    "cache",
    "dependencies",
    "output_dir",
    "metadata_action",
    "install",
    "services",
    "images",
    "service",
    "secrets",
    "exclude",
)
_SERVICE_KEYS = (
    "dockerfile",
    "entrypoint",
    "cmd",
    "port",
    "healthcheck",
    "health",
    "binaries",
    "static",
    "args",
    "target",
    "context",
    "secrets",
    "adopt",
    "dependencies",
)
_IMAGE_KEYS = ("build", "runtime")
_ECOSYSTEM_NAMES = tuple(ECOSYSTEMS)
# Values written into Dockerfile lines or bake secret specs: what they may hold is narrow,
# since a newline there would start a new instruction.
_IMAGE_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:@-]*")
_SECRET_SOURCE = re.compile(r"env:[A-Za-z_][A-Za-z0-9_]*|[^\x00-\x1f\x7f,\"'$]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: a health path goes into a probe's URL inside a JS or Python string literal inside a
#: shell word: no quotes, backslashes, spaces, `$` or shell operators
_HEALTH_PATH = re.compile(r"/[A-Za-z0-9._~%/?=+:@,-]*")
#: build args and service secrets become `ARG NAME` lines and `env=NAME` mounts
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_config(data: Any, source: str) -> Config:
    """Validate a config table; BakegenError names the first wrong key and what is expected."""
    table = _table(data, source, "")
    _check_keys(table, _TOP_KEYS, source, "")
    registry = _str(table, "registry", source, DEFAULT_REGISTRY).rstrip("/")
    wrong = registry_error(registry)
    if wrong:
        raise BakegenError.at(source, f'"registry" {wrong}')
    platforms = tuple(_str_list(table, "platforms", source, list(DEFAULT_PLATFORMS)))
    if not platforms:
        raise BakegenError.at(source, '"platforms" must name at least one platform')
    for platform in platforms:
        wrong = platform_error(platform)
        if wrong:
            raise BakegenError.at(source, f'"platforms" has {wrong}')
    cache = _str(table, "cache", source, "registry")
    if cache not in CACHE_MODES:
        raise BakegenError.at(source,
            f'"cache" must be one of {", ".join(CACHE_MODES)}, got {cache!r}'
        )
    dependencies = _str(table, "dependencies", source, SHARED)
    if dependencies not in DEPENDENCY_MODES:
        raise BakegenError.at(source,
            f'"dependencies" must be one of {", ".join(DEPENDENCY_MODES)}, '
            f"got {dependencies!r}"
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
            build=_image(entry, "build", source, f"images.{eco}."),
            runtime=_image(entry, "runtime", source, f"images.{eco}."),
        )
    overrides: dict[str, ServiceSettings] = {}
    for name, value in sorted(_table(table.get("service", {}), source, "service").items()):
        overrides[name] = _service_settings(value, source, f'service."{name}"')
    return Config(
        source=source,
        registry=registry,
        platforms=platforms,
        cache=cache,
        dependencies=dependencies,
        output_dir=_default(_repo_path(table, "output_dir", source, ""), "docker"),
        metadata_action=_bool(table, "metadata_action", source, False),
        install=_str(table, "install", source, ""),
        include=tuple(_str_list(services, "include", source, [], "services.")),
        exclude=tuple(_str_list(services, "exclude", source, [], "services.")),
        images=images,
        services=overrides,
        secrets=_secrets(table.get("secrets", {}), source),
        scan_exclude=_patterns(table, source),
    )


def _patterns(table: dict[str, Any], source: str) -> tuple[str, ...]:
    """`exclude`: gitignore-style lines, checked here so a bad one is reported once."""
    lines = tuple(_str_list(table, "exclude", source, []))
    for line in lines:
        if _CONTROL.search(line):
            raise BakegenError.at(source, f'"exclude" has {line!r}, which is not one line')
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except ValueError as exc:
            raise BakegenError.at(source, f'"exclude" has {line!r}: {exc}') from exc
    return lines


def _secrets(value: Any, source: str) -> tuple[tuple[str, str], ...]:
    """`[secrets]`: secret id -> a file path (`~/` for the home folder) or `env:NAME`."""
    targets = secret_targets()
    known = tuple(sorted(targets))
    found = []
    for secret_id, spec in sorted(_table(value, source, "secrets").items()):
        if secret_id not in targets:
            _unknown(secret_id, known, source, "secrets.")
        if not isinstance(spec, str) or not _SECRET_SOURCE.fullmatch(spec):
            raise BakegenError.at(source,
                f'"secrets.{secret_id}" must be a file path or "env:NAME" without '
                f"commas, quotes or $, got {spec!r}"
            )
        found.append((secret_id, spec))
    return tuple(found)


def _default(value: str | None, default: str) -> str:
    return default if value is None else value


def _image(table: dict[str, Any], key: str, source: str, prefix: str) -> str | None:
    value = _opt_str(table, key, source, prefix)
    if value is not None and not _IMAGE_REF.fullmatch(value):
        raise BakegenError.at(source,
            f'"{prefix}{key}" must be an image reference like '
            f'"node:22-bookworm-slim", got {value!r}'
        )
    return value


def _one_line(table: dict[str, Any], key: str, source: str, prefix: str) -> str | None:
    value = _opt_str(table, key, source, prefix)
    if value is not None and _CONTROL.search(value):
        raise BakegenError.at(source,
            f'"{prefix}{key}" must be one line without control characters, '
            f"got {value!r}"
        )
    return value


def _repo_path(table: dict[str, Any], key: str, source: str, prefix: str) -> str | None:
    """A path relative to the repository root that stays inside it."""
    value = _one_line(table, key, source, prefix)
    if value is None:
        return None
    depth = 0
    for part in value.replace("\\", "/").split("/"):
        depth += -1 if part == ".." else 0 if part in ("", ".") else 1
        if depth < 0:
            break
    if value.startswith(("/", "\\")) or depth < 0:
        raise BakegenError.at(source,
            f'"{prefix}{key}" must be a path inside the repository, got {value!r}'
        )
    return value


def _service_settings(value: Any, source: str, where: str) -> ServiceSettings:
    entry = _table(value, source, where)
    _check_keys(entry, _SERVICE_KEYS, source, where + ".")
    prefix = where + "."
    port = entry.get("port")
    if port is not None and (
        isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536
    ):
        raise BakegenError.at(source, f'"{prefix}port" must be a port number, got {port!r}')
    args = _table(entry.get("args", {}), source, prefix + "args")
    for key, val in args.items():
        if not _ENV_NAME.fullmatch(key):
            raise BakegenError.at(source,
                f'"{prefix}args.{key}" is not a build argument name (letters, '
                "digits and '_', not starting with a digit)"
            )
        if not isinstance(val, str):
            raise BakegenError.at(source, f'"{prefix}args.{key}" must be a string, got {val!r}')
    entrypoint = entry.get("entrypoint")
    cmd = entry.get("cmd")
    adopt = entry.get("adopt")
    if adopt is not None and not isinstance(adopt, bool):
        raise BakegenError(f'{source}: "{prefix}adopt" must be true or false, got {adopt!r}')
    binaries = entry.get("binaries")
    static = entry.get("static")
    if "health" in entry and port is None:
        raise BakegenError(
            f'{source}: "{prefix}health" needs "{prefix}port" too: the probe asks '
            "127.0.0.1 at the service's port"
        )
    if static is not None and not isinstance(static, bool):
        raise BakegenError(f'{source}: "{prefix}static" must be true or false, got {static!r}')
    dependencies = entry.get("dependencies")
    if dependencies is not None and dependencies not in DEPENDENCY_MODES:
        raise BakegenError.at(source,
            f'"{prefix}dependencies" must be one of {", ".join(DEPENDENCY_MODES)}, '
            f"got {dependencies!r}")
    return ServiceSettings(
        dockerfile=_repo_path(entry, "dockerfile", source, prefix),
        entrypoint=None
        if entrypoint is None
        else tuple(_str_list(entry, "entrypoint", source, [], prefix)),
        cmd=None if cmd is None else tuple(_str_list(entry, "cmd", source, [], prefix)),
        port=port,
        healthcheck=_one_line(entry, "healthcheck", source, prefix),
        health=_health_path(entry, source, prefix),
        binaries=None
        if binaries is None
        else _binaries(entry, source, prefix),
        static=static,
        args=tuple(sorted(args.items())),
        target=_opt_str(entry, "target", source, prefix),
        context=_repo_path(entry, "context", source, prefix),
        secrets=_service_secrets(entry.get("secrets", {}), source, prefix),
        adopt=adopt,
        dependencies=dependencies,
    )


def _health_path(entry: dict[str, Any], source: str, prefix: str) -> str | None:
    """`health = "/healthz"`: an absolute URL path, probed on 127.0.0.1 at the service's port."""
    value = _opt_str(entry, "health", source, prefix)
    if value is None:
        return None
    if not _HEALTH_PATH.fullmatch(value):
        raise BakegenError(
            f'{source}: "{prefix}health" must be a URL path starting with "/" (letters, digits '
            f"and ._~%/?=+:@,-), got {value!r}"
        )
    return value


def _binaries(entry: dict[str, Any], source: str, prefix: str) -> tuple[str, ...]:
    names = _str_list(entry, "binaries", source, [], prefix)
    if not names or any(not n or _CONTROL.search(n) for n in names):
        raise BakegenError(
            f'{source}: "{prefix}binaries" must list at least one bin target name, got {names!r}'
        )
    return tuple(dict.fromkeys(names))


def _service_secrets(value: Any, source: str, prefix: str) -> tuple[tuple[str, str], ...]:
    """`[service.X] secrets`: an environment variable name -> a file path or `env:NAME`.

    The service's build steps see each one as that environment variable, for the build's
    duration only (never in a layer nor in the image's history, unlike a build arg).
    """
    found = []
    for secret_id, spec in sorted(_table(value, source, prefix + "secrets").items()):
        if not _ENV_NAME.fullmatch(secret_id):
            raise BakegenError.at(source,
                f'"{prefix}secrets.{secret_id}" must be named like an environment '
                "variable (letters, digits and '_', not starting with a digit)"
            )
        if not isinstance(spec, str) or not _SECRET_SOURCE.fullmatch(spec):
            raise BakegenError.at(source,
                f'"{prefix}secrets.{secret_id}" must be a file path or "env:NAME" '
                f"without quotes, commas or control characters, got {spec!r}"
            )
        found.append((secret_id, spec))
    return tuple(found)


def _table(value: Any, source: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        label = f'"{where}"' if where else "the config"
        raise BakegenError.at(source, f"{label} must be a table, got {type(value).__name__}")
    return dict(value)


def _check_keys(table: dict[str, Any], allowed: tuple[str, ...], source: str, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            _unknown(key, allowed, source, prefix)


def _unknown(key: str, allowed: tuple[str, ...], source: str, prefix: str) -> None:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f' (did you mean "{prefix}{close[0]}"?)' if close else f" (known: {', '.join(allowed)})"
    raise BakegenError.at(source, f'unknown key "{prefix}{key}"{hint}')


def _str(table: dict[str, Any], key: str, source: str, default: str, prefix: str = "") -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise BakegenError.at(source, f'"{prefix}{key}" must be a string, got {value!r}')
    return value


def _opt_str(table: dict[str, Any], key: str, source: str, prefix: str = "") -> str | None:
    if key not in table:
        return None
    return _str(table, key, source, "", prefix)


def _bool(table: dict[str, Any], key: str, source: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise BakegenError.at(source, f'"{key}" must be true or false, got {value!r}')
    return value


def _str_list(
    table: dict[str, Any], key: str, source: str, default: list[str], prefix: str = ""
) -> list[str]:
    value = table.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BakegenError.at(source, f'"{prefix}{key}" must be a list of strings, got {value!r}')
    return list(value)
