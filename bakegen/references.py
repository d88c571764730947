"""The rules for values bakegen writes into the bake file as given: platforms and registries.

One rule each, used by the command line (`--platform`, `--registry`) and by the config
(`platforms = [...]`, `registry = ...`), so a value refused in one is refused in the other.
Each check returns why a value is wrong (None when it is right), with a suggestion when one
is close; callers add where the value came from.
"""

from __future__ import annotations

import difflib
import re

#: operating systems and architectures BuildKit accepts, as containerd's platforms package
#: lists them (platforms/database.go); a platform outside them fails only at build time
KNOWN_OS = (
    "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
    "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
)
KNOWN_ARCH = (
    "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips",
    "mips64", "mips64le", "mips64p32", "mips64p32le", "mipsle", "ppc", "ppc64", "ppc64le",
    "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
)
#: variants containerd normalises, per architecture (others take none)
KNOWN_VARIANTS = {
    "arm": ("v5", "v6", "v7", "v8"),
    "arm64": ("v8", *(f"v8.{n}" for n in range(1, 10)), "v9", *(f"v9.{n}" for n in range(1, 6))),
    "amd64": ("v1", "v2", "v3", "v4"),
}
#: platforms a suggestion is drawn from: the usual ones first
COMMON_PLATFORMS = (
    "linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/386",
    "linux/ppc64le", "linux/s390x", "linux/riscv64", "windows/amd64",
)
#: other names of architectures, as `uname -m` prints them
_ARCH_ALIASES = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "i386": "386",
                 "i686": "386", "armhf": "arm", "armel": "arm"}


def platform_error(value: str) -> str | None:
    """Why `value` is not an `os/arch[/variant]` BuildKit knows, or None when it is."""
    parts = value.split("/")
    if value != value.strip() or not all(parts) or len(parts) > 3 or value != value.lower():
        return _with_hint(f"{value!r}: not os/arch[/variant]", value)
    if len(parts) == 1:
        return _with_hint(f"{value!r}: no operating system (os/arch)", value)
    os_name, arch = parts[0], parts[1]
    if os_name not in KNOWN_OS:
        return _with_hint(f"{value!r}: unknown operating system {os_name!r}", value)
    if arch not in KNOWN_ARCH:
        return _with_hint(f"{value!r}: unknown architecture {arch!r}", value)
    if len(parts) == 3 and parts[2] not in KNOWN_VARIANTS.get(arch, ()):
        known = KNOWN_VARIANTS.get(arch)
        which = f"one of {', '.join(known)}" if known else "none"
        return _with_hint(f"{value!r}: unknown variant {parts[2]!r} of {arch} ({which})", value)
    return None


def suggest_platform(value: str) -> str | None:
    """The known platform `value` most likely meant: `amd64` -> `linux/amd64`."""
    text = value.strip().lower()
    parts = [p for p in text.split("/") if p]
    if len(parts) == 1:
        parts = ["linux", *parts]
    parts[1:2] = [_ARCH_ALIASES.get(parts[1], parts[1])] if len(parts) > 1 else []
    guess = "/".join(parts)
    if guess != value and guess in COMMON_PLATFORMS:
        return guess
    close = difflib.get_close_matches(guess, COMMON_PLATFORMS, n=1, cutoff=0.75)
    if close and close[0] != value:
        return close[0]
    if len(parts) >= 2 and parts[0] in KNOWN_OS:
        arch = difflib.get_close_matches(parts[1], KNOWN_ARCH, n=1, cutoff=0.75)
        if arch:
            return "/".join((parts[0], arch[0]))
    return None


def _with_hint(reason: str, value: str) -> str:
    guess = suggest_platform(value)
    return f'{reason} (did you mean "{guess}"?)' if guess else (
        f"{reason}; expected os/arch[/variant] like linux/amd64 or linux/arm/v7")


#: a registry host: DNS labels, optionally a port (docker's reference grammar)
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"(?::[0-9]+)?"
)
#: a repository path component: lowercase, separated by `.`, `_`, `__` or dashes
_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")


def registry_error(value: str) -> str | None:
    """Why `value` is not a registry and namespace (`ghcr.io/acme`), or None when it is.

    Image names are `<registry>/<target>:<tag>`, so the value must be a host (with an
    optional port) and lowercase path components, as docker's reference grammar says.
    """
    if not value:
        return "must not be empty"
    parts = value.rstrip("/").split("/")
    host_like = _host_like(parts)
    bad = _bad_part(parts, host_like)
    if bad is None:
        return None
    hint = _suggest_registry(parts, host_like)
    tail = f' (did you mean "{hint}"?)' if hint and hint != value else ""
    return (f'must be a registry and namespace like "ghcr.io/acme", got {value!r}: '
            f"{bad!r} is not lowercase letters, digits and . _ -{tail}")


def _host_like(parts: list[str]) -> bool:
    return len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost")


def _bad_part(parts: list[str], host_like: bool) -> str | None:
    if host_like and not _HOST.fullmatch(parts[0]):
        return parts[0]
    return next((p for p in parts[1 if host_like else 0:] if not _COMPONENT.fullmatch(p)), None)


def _suggest_registry(parts: list[str], host_like: bool) -> str | None:
    fixed = []
    for index, part in enumerate(parts):
        if index == 0 and host_like:
            fixed.append(part.lower())
            continue
        words = re.split(r"[^a-z0-9._-]+", part.lower())
        fixed.append("-".join(w.strip("._-") for w in words if w.strip("._-")))
    guess = "/".join(fixed)
    return guess if all(fixed) and _bad_part(fixed, host_like) is None else None
