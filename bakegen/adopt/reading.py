"""What a service's own Dockerfile builds and runs, read with BuildKit's parser.

Multi-stage aware: the stage that is built (compose's `build.target`, else the last one)
is what runs, and it inherits ENV, EXPOSE, CMD, ENTRYPOINT, USER, WORKDIR and HEALTHCHECK
from the stages it starts `FROM`. Installs are counted over every stage the built one
needs (`FROM`, `COPY --from`, `RUN --mount=from=`), as BuildKit builds only those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import dockerfile

from bakegen.adopt.installs import installs_in, run_script, simple_commands
from bakegen.dockerfiles import bind_sources
from bakegen.tree import normalize

#: build args BuildKit defines itself: never the user's to carry over
PREDEFINED_ARGS = frozenset({
    "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS",
    "BUILDARCH", "BUILDVARIANT", "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY",
    "ALL_PROXY", "http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy",
})
_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::?[-+][^}]*)?\}|(\w+))")
_FROM_FLAG = re.compile(r"(?:^|,)from=([^,]+)")


@dataclass(frozen=True, slots=True)
class Healthcheck:
    """A HEALTHCHECK: its options (`--interval=5s`) and its test, in the form written."""

    options: tuple[str, ...]
    #: exec form: the words; shell form: one string run by `/bin/sh -c`
    command: tuple[str, ...]
    shell: bool
    #: `HEALTHCHECK NONE`
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class OwnImage:
    """The image a service's own Dockerfile builds, as far as adopting it needs."""

    path: str
    #: the image the built stage finally starts from (ARG defaults substituted)
    base_image: str | None = None
    ports: tuple[int, ...] = ()
    #: exec-form words (shell form becomes `/bin/sh -c <line>`, as the image records it)
    cmd: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    env: tuple[tuple[str, str], ...] = ()
    #: the same, each value as written (quotes kept), to write it again unchanged
    env_written: tuple[tuple[str, str], ...] = ()
    user: str | None = None
    workdir: str | None = None
    healthcheck: Healthcheck | None = None
    #: (name, default or None) of every ARG the built stages declare
    args: tuple[tuple[str, str | None], ...] = ()
    #: build-context paths the needed stages COPY/ADD
    copies: tuple[str, ...] = ()
    #: every dependency install the needed stages run (`npm ci`, `pip install -r`)
    installs: tuple[str, ...] = ()
    #: system packages the runtime stages install: (manager, package) with apt-get or apk
    system_packages: tuple[tuple[str, str], ...] = ()
    #: stage names from the built one back to its first `FROM` image
    chain: tuple[str, ...] = ()
    problem: str | None = None
    #: the instructions of the runtime stages nothing above accounts for (RUN, COPY, ...)
    other: tuple[str, ...] = field(default=())
    #: (instruction, image its source starts from) of each `COPY/ADD --from=` of the runtime
    #: stages: another stage (by the image that stage's chain starts FROM) or an image
    from_copies: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class _Stage:
    name: str
    index: int
    base: str
    commands: list[dockerfile.Command]


def read_own_image(path: str, text: str, stage: str | None = None) -> OwnImage:
    """Parse a Dockerfile; a syntax error or an unknown stage is kept as `problem`."""
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return OwnImage(path, problem=f"cannot parse the Dockerfile: {exc}")
    global_args: dict[str, str | None] = {}
    stages: list[_Stage] = []
    for command in commands:
        if command.cmd == "FROM" and command.value:
            values = command.value
            name = values[2] if len(values) >= 3 and values[1].upper() == "AS" else ""
            base = _substitute(values[0], global_args)
            stages.append(_Stage(name.lower() or str(len(stages)), len(stages), base, []))
        elif not stages:
            if command.cmd == "ARG":
                global_args.update(_arg_pairs(command.value))
        else:
            stages[-1].commands.append(command)
    if not stages:
        return OwnImage(path, problem="has no FROM line")
    by_name = {s.name: s for s in stages}
    by_name.update({str(s.index): s for s in stages})
    built = by_name.get(stage.lower()) if stage else stages[-1]
    if built is None:
        return OwnImage(path, problem=f'has no stage "{stage}"')
    chain = _chain(built, by_name)
    needed = _needed(built, by_name)
    return _facts(path, chain, needed, global_args, by_name)


def _chain(built: _Stage, by_name: dict[str, _Stage]) -> list[_Stage]:
    """The built stage and the stages it starts FROM, oldest first."""
    chain = [built]
    while chain[-1].base.lower() in by_name and len(chain) <= len(by_name):
        parent_stage = by_name[chain[-1].base.lower()]
        if parent_stage.index >= chain[-1].index:
            break
        chain.append(parent_stage)
    return chain[::-1]


def _needed(built: _Stage, by_name: dict[str, _Stage]) -> list[_Stage]:
    """Every stage the built one needs, in file order."""
    seen: dict[int, _Stage] = {}
    todo = [built]
    while todo:
        current = todo.pop()
        if current.index in seen:
            continue
        seen[current.index] = current
        refs = [current.base]
        for command in current.commands:
            for flag in command.flags:
                if flag.startswith("--from="):
                    refs.append(flag[len("--from="):])
                elif flag.startswith("--mount="):
                    refs += _FROM_FLAG.findall(flag[len("--mount="):])
        todo += [by_name[ref.lower()] for ref in refs if ref.lower() in by_name]
    return [seen[i] for i in sorted(seen)]


def _facts(
    path: str, chain: list[_Stage], needed: list[_Stage], global_args: dict[str, str | None],
    by_name: dict[str, _Stage],
) -> OwnImage:
    env: dict[str, str] = {}
    written: dict[str, str] = {}
    ports: list[int] = []
    cmd: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    user = workdir = None
    health: Healthcheck | None = None
    system: list[tuple[str, str]] = []
    other: list[str] = []
    from_copies: list[tuple[str, str]] = []
    for stage in chain:
        for command in stage.commands:
            kind = command.cmd
            if kind in ("COPY", "ADD"):
                from_copies += [(command.original, _source_image(f[len("--from="):], by_name))
                                for f in command.flags if f.startswith("--from=")]
            if kind == "ENV":
                env.update(_env_pairs(command.value))
                values = command.value
                written.update({values[i]: values[i + 1] for i in range(0, len(values) - 1, 2)})
            elif kind == "EXPOSE":
                ports += [p for p in (_port(v) for v in command.value) if p is not None]
            elif kind == "CMD":
                cmd = _exec(command)
            elif kind == "ENTRYPOINT":
                entrypoint, cmd = _exec(command), None  # ENTRYPOINT resets an inherited CMD
            elif kind == "USER":
                user = command.value[0] if command.value else None
            elif kind == "WORKDIR" and command.value:
                workdir = normalize_workdir(workdir, command.value[0])
            elif kind == "HEALTHCHECK":
                health = _healthcheck(command)
            elif kind == "RUN":
                script = run_script(command)
                packages = system_packages_in(script)
                system += packages
                if not packages and not installs_in(script):
                    other.append(command.original)
            elif kind not in ("ARG", "LABEL", "ONBUILD", "SHELL", "STOPSIGNAL", "MAINTAINER"):
                other.append(command.original)
    # a global ARG is seen inside a stage only when the stage declares it again
    args: dict[str, str | None] = {}
    copies: list[str] = []
    installs: list[str] = []
    for stage in needed:
        for command in stage.commands:
            if command.cmd == "ARG":
                for name, default in _arg_pairs(command.value).items():
                    if name not in PREDEFINED_ARGS:
                        if default is None:
                            default = args.get(name) or global_args.get(name)
                        args[name] = default
            elif command.cmd in ("COPY", "ADD") and not any(
                    f.startswith("--from") for f in command.flags):
                copies += _sources(command)
            elif command.cmd == "RUN":
                installs += installs_in(run_script(command))
                copies += bind_sources(command.flags)
    return OwnImage(
        path,
        base_image=chain[0].base,
        ports=tuple(dict.fromkeys(ports)),
        cmd=cmd,
        entrypoint=entrypoint,
        env=tuple(env.items()),
        env_written=tuple(written.items()),
        user=user,
        workdir=workdir,
        healthcheck=health,
        args=tuple(sorted(args.items())),
        copies=tuple(dict.fromkeys(copies)),
        installs=tuple(installs),
        system_packages=tuple(dict.fromkeys(system)),
        chain=tuple(s.name for s in chain),
        other=tuple(other),
        from_copies=tuple(from_copies),
    )


def _source_image(source: str, by_name: dict[str, _Stage]) -> str:
    """The image a `--from=` source starts from: a stage's first FROM image, else itself."""
    stage = by_name.get(source.lower())
    return _chain(stage, by_name)[0].base if stage is not None else source


def normalize_workdir(current: str | None, value: str) -> str:
    """WORKDIR as the image records it: a relative one joins the current one."""
    value = _unquote(value)
    if not value.startswith("/"):
        value = (current or "/").rstrip("/") + "/" + value
    return "/" + normalize(value.lstrip("/")).removeprefix(".") if value != "/" else "/"


def _arg_pairs(values: tuple[str, ...]) -> dict[str, str | None]:
    pairs: dict[str, str | None] = {}
    for value in values:
        name, eq, default = value.partition("=")
        pairs[name] = _unquote(default) if eq else None
    return pairs


def _env_pairs(values: tuple[str, ...]) -> dict[str, str]:
    return {values[i]: _unquote(values[i + 1]) for i in range(0, len(values) - 1, 2)}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner if value[0] == "'" else re.sub(r"\\(.)", r"\1", inner)
    return value


def _substitute(image: str, args: dict[str, str | None]) -> str:
    return _VARIABLE.sub(lambda m: args.get(m.group(1) or m.group(2)) or "", image)


def _port(value: str) -> int | None:
    number, _, protocol = value.partition("/")
    if protocol not in ("", "tcp") or not number.isdigit():
        return None
    return int(number) if 0 < int(number) < 65536 else None


def _exec(command: dockerfile.Command) -> tuple[str, ...]:
    if command.json:
        return tuple(command.value)
    return ("/bin/sh", "-c", " ".join(command.value))


def _healthcheck(command: dockerfile.Command) -> Healthcheck:
    values = command.value
    if values and values[0].upper() == "NONE":
        return Healthcheck((), (), shell=False, disabled=True)
    words = tuple(values[1:])
    return Healthcheck(tuple(command.flags), words, shell=not command.json)


def _sources(command: dockerfile.Command) -> list[str]:
    found = []
    for source in command.value[:-1]:
        if command.heredocs and source.startswith("<<"):
            continue
        if "://" in source or source.startswith("git@") or "$" in source:
            continue
        found.append(normalize(source))
    return found


def system_packages_in(run: str) -> list[tuple[str, str]]:
    """(manager, package) for every package an `apt-get install` or `apk add` names."""
    found = []
    for words in simple_commands(run):
        tool = words[0].rsplit("/", 1)[-1]
        manager = "apk" if tool == "apk" else "apt-get" if tool in ("apt-get", "apt") else None
        verbs = [w for w in words[1:] if not w.startswith("-")]
        if manager is None or not verbs or verbs[0] != ("add" if manager == "apk" else "install"):
            continue
        for word in verbs[1:]:
            found.append((manager, word.split("=", 1)[0]))
    return found
