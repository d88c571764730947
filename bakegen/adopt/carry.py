"""What an adopted service's generated Dockerfile takes from the user's own one.

Port, CMD, ENTRYPOINT, build args and the healthcheck become the service's settings (the
config's own values win); ENV, WORKDIR, the system packages the runtime stages install and
the whole HEALTHCHECK instruction go into the final stage as `Carried`; the base image's
version becomes the workspace's runtime version when the repository states none. What
cannot be carried over is said, one warning each.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass

from bakegen.adopt.reading import OwnImage
from bakegen.ecosystems import ECOSYSTEMS
from bakegen.errors import Problem
from bakegen.model import Package
from bakegen.settings import ServiceSettings

#: where bakegen's images keep the workspace; a WORKDIR elsewhere is not carried over
APP_ROOT = "/app"
#: what production-base has already, or what a glibc image does not need (musl shims)
_PROVIDED = frozenset({"tini", "ca-certificates", "dumb-init", "libc6-compat", "gcompat"})
_VERSION = re.compile(r"\d+(?:\.\d+)*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Carried:
    """Final-stage lines an adopted service's generated Dockerfile takes over."""

    #: the user's Dockerfile, which stays as it is
    dockerfile: str
    #: (name, value as written) of its ENV instructions
    env: tuple[tuple[str, str], ...] = ()
    #: Debian packages installed in the final stage, before the service's files
    system_packages: tuple[str, ...] = ()
    workdir: str | None = None
    #: the whole HEALTHCHECK instruction, options included
    healthcheck: str | None = None


@dataclass(frozen=True, slots=True)
class Adoption:
    """One adopted service: its settings with the Dockerfile's values filled in, the final
    stage lines, the runtime version its base image names, and what was not carried."""

    package: Package
    settings: ServiceSettings
    carried: Carried
    runtime_version: str | None
    warnings: tuple[Problem, ...]


def adopt(pkg: Package, own: OwnImage, settings: ServiceSettings) -> Adoption:
    """Fill the service's settings from its own Dockerfile; config values stay."""
    notes: list[str] = []
    port = settings.port
    if port is None and own.ports:
        port = own.ports[0]
    if port is None:
        env = dict(own.env)
        port = int(env["PORT"]) if env.get("PORT", "").isdigit() else None
    if len(own.ports) > 1:
        notes.append(f"EXPOSE {' '.join(map(str, own.ports[1:]))} not carried over "
                     f"(one port per service: {port})")
    args = dict(settings.args)
    for name, default in own.args:
        if name in args:
            continue
        if default is None:
            notes.append(f'ARG {name} has no default and is not carried over; set it in '
                         f'[service."{pkg.name}"] args if the build needs it')
        elif not _CONTROL.search(default):
            args[name] = default
    merged = dataclasses.replace(
        settings,
        dockerfile=None,
        context=None,
        port=port,
        cmd=settings.cmd if settings.cmd is not None else own.cmd,
        entrypoint=settings.entrypoint if settings.entrypoint is not None else own.entrypoint,
        args=tuple(sorted(args.items())),
    )
    carried = Carried(
        own.path,
        env=own.env_written,
        system_packages=_system_packages(own, notes),
        workdir=_workdir(own, pkg.path, notes),
        healthcheck=None if settings.healthcheck else _healthcheck(own),
    )
    _user(own, notes)
    _from_copies(pkg.ecosystem, own, notes)
    for line in own.other:
        if line.startswith("RUN "):
            notes.append(f"`{_short(line)}` of the runtime stage is not carried over")
        elif line.split(" ", 1)[0] in ("VOLUME", "STOPSIGNAL", "SHELL", "ONBUILD"):
            notes.append(f"`{_short(line)}` is not carried over")
    if "pip install -r" in own.installs and pkg.requirements_file is None:
        notes.append("its `pip install -r` requirements are not installed by the shared bases, "
                     "which install what pyproject.toml and a requirements.txt beside it "
                     "declare: list them there")
    version, note = image_version(pkg.ecosystem, own.base_image)
    if note:
        notes.append(note)
    warnings = tuple(Problem.warning(own.path, f"adopting {pkg.name}: {n}") for n in notes)
    return Adoption(pkg, merged, carried, version, warnings)


def _system_packages(own: OwnImage, notes: list[str]) -> tuple[str, ...]:
    kept = []
    from_apk = []
    for manager, name in own.system_packages:
        if name in _PROVIDED or not re.fullmatch(r"[a-z0-9][a-z0-9.+-]*", name):
            continue
        kept.append(name)
        if manager == "apk":
            from_apk.append(name)
    if from_apk:
        notes.append(f"apk packages {', '.join(from_apk)} are installed with apt-get under the "
                     "same names (the bases are Debian)")
    return tuple(dict.fromkeys(kept))


def _workdir(own: OwnImage, package_path: str, notes: list[str]) -> str | None:
    """The WORKDIR inside /app; the package's folder wherever the user kept the
    workspace (`/repo/apps/api` is `/app/apps/api` here)."""
    workdir = own.workdir
    if workdir is None:
        return None
    if workdir == APP_ROOT or workdir.startswith(APP_ROOT + "/"):
        return workdir
    if package_path != "." and workdir.endswith("/" + package_path):
        return f"{APP_ROOT}/{package_path}"
    notes.append(f"WORKDIR {workdir} not carried over: the image keeps the workspace in "
                 f"{APP_ROOT} (check the paths of its CMD)")
    return None


def _healthcheck(own: OwnImage) -> str | None:
    check = own.healthcheck
    if check is None:
        return None
    if check.disabled:
        return "HEALTHCHECK NONE"
    test = " ".join(check.command) if check.shell else json.dumps(list(check.command))
    return " ".join(("HEALTHCHECK", *check.options, "CMD", test))


def _from_copies(ecosystem: str, own: OwnImage, notes: list[str]) -> None:
    """Say which `COPY --from=` of the runtime stage the adopted image goes without: what a
    stage of another language builds (a web frontend a Python image serves) or what some
    image brings. The service's own build, which the generated one replaces, and tools the
    bases have (uv, tini) are accounted for."""
    for line, image in own.from_copies:
        if image_ecosystem(image) == ecosystem:
            continue
        sources = line.split()[1:-1]
        if any(word.rsplit("/", 1)[-1] in _PROVIDED for word in sources if word[:1] != "-"):
            continue
        notes.append(f"`{_short(line)}` is not carried over: the adopted image lacks what it "
                     f"copies (made on {image}); if the service needs it, keep its own "
                     "Dockerfile (no adopt)")


def image_ecosystem(image: str) -> str | None:
    """The ecosystem an image's name hints at (`oven/bun:1` -> node, `ghcr.io/astral-sh/uv`
    -> python), None for any other image."""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0].lower()
    for eco, module in ECOSYSTEMS.items():
        if any(name.startswith(hint) for hint in module.image_hints):
            return eco
    return None


def _user(own: OwnImage, notes: list[str]) -> None:
    if own.user is None or own.user.split(":", 1)[0] in ("root", "0"):
        notes.append("its image runs as root; the adopted one runs as the non-root user "
                     "10001:10001")
    else:
        notes.append(f"USER {own.user} not carried over: the image runs as 10001:10001")


def image_version(ecosystem: str, image: str | None) -> tuple[str | None, str | None]:
    """The language version an image names (`node:20-alpine` -> 20, `python:3.11-slim` ->
    3.11), and a note when its variant cannot be kept."""
    if image is None or ecosystem not in ECOSYSTEMS:
        return None, None
    names = ECOSYSTEMS[ecosystem].image_repositories
    parts = ECOSYSTEMS[ecosystem].version_parts
    repo, _, tag = image.split("@", 1)[0].rpartition(":")
    if "/" in tag:  # a registry port (`localhost:5000/node`), no tag
        repo, tag = f"{repo}:{tag}", ""
    # the official image or a rebuild of it elsewhere (dhi.io/node, cgr.dev/chainguard/node)
    if repo.rsplit("/", 1)[-1] not in names:
        return None, f"FROM {image} is not a {names[0]} image; the bases use their own"
    match = _VERSION.match(tag)
    note = (f"FROM {image}: the bases are Debian (bookworm slim), not Alpine"
            if "alpine" in tag else None)
    if match is None:
        return None, note
    return ".".join(match.group().split(".")[:parts]), note


def _short(line: str) -> str:
    line = " ".join(line.split())
    return line if len(line) <= 60 else line[:57] + "..."
