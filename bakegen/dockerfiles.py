"""Dockerfiles a repository brings: how they are named, and what they copy from the context.

Parsed with the `dockerfile` package (BuildKit's own parser), so line continuations, the
JSON form, heredocs and `--from` copies read as BuildKit reads them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import dockerfile

from bakegen.tree import normalize

#: `Dockerfile`, `Dockerfile.api`, `Dockerfile-api`, `Dockerfile_mysql`, `api.Dockerfile`,
#: and the same with `Containerfile`; any case of the word
_NAMED = re.compile(
    r"(?i)(?:(?:docker|container)file(?:[._-](?P<suffix>[A-Za-z0-9][\w.-]*))?"
    r"|(?P<prefix>[A-Za-z0-9][\w.-]*?)\.(?:docker|container)file)"
)
#: endings that make `Dockerfile-settings.tsx` a source file, `Dockerfile.md` a document and
#: `Dockerfile.template` something to render first: none of them is built as it is
_NOT_BUILT = frozenset({
    "ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs", "py", "pyi", "go", "rs", "java",
    "kt", "rb", "php", "cs", "swift", "c", "h", "cpp", "sh", "bash", "ps1", "bat",
    "md", "mdx", "rst", "txt", "adoc", "html", "css", "scss", "svg", "png", "jpg", "gif",
    "json", "jsonc", "yaml", "yml", "toml", "ini", "xml", "lock", "log", "snap",
    "template", "tmpl", "tpl", "j2", "jinja", "jinja2", "erb", "mustache", "hbs", "in",
    "example", "sample", "bak", "orig", "old", "swp", "patch", "diff", "gz", "tgz", "zip",
})
#: name parts of Dockerfiles made for development or CI, never for the deployed image
_WORD = re.compile(r"[\w@./-]+")
DEV_VARIANTS = frozenset({
    "dev", "develop", "development", "local", "debug", "test", "tests", "testing", "ci", "e2e",
    "devcontainer", "playwright", "cypress",
})


@dataclass(frozen=True, slots=True)
class DockerfileInfo:
    """What one Dockerfile builds from: its base images and the context paths it copies."""

    path: str
    #: images of its FROM lines that are not earlier stages
    images: tuple[str, ...] = ()
    #: COPY/ADD sources and RUN bind-mount sources read from the build context (not `--from`,
    #: not URLs or heredocs)
    copies: tuple[str, ...] = ()
    #: a COPY/ADD source only a build argument decides (`COPY ${APP} ./`): `copies` is not all
    dynamic_copies: bool = False
    #: why it could not be read, when it could not
    problem: str | None = None
    #: how often each word or path (1 to 4 segments of a path-like word) appears in its
    #: instructions (comments left out): `RUN turbo build --filter=@acme/api` mentions
    #: `@acme/api`, `/app/apps/api/dist` mentions `apps/api`
    mentions: Mapping[str, int] = field(default_factory=dict)
    #: words where a Dockerfile says what its last stage builds and runs, which outweigh
    #: mere mentions: what `--bin`, `-p`/`--package`, `--filter`, `--workspace` name in RUN
    #: lines, and the file names the last stage's ENTRYPOINT/CMD run and its `COPY --from`
    #: copies (`.../release/atuin-server`)
    builds: Mapping[str, int] = field(default_factory=dict)


def dockerfile_name(rel: str) -> str | None:
    """The image name a Dockerfile's file name gives (`""` for a plain `Dockerfile`), or None
    when the file is no Dockerfile (`Dockerfile.dockerignore` is none)."""
    base = rel.rsplit("/", 1)[-1]
    if base.lower().endswith(".dockerignore"):
        return None
    if "." in base and base.rsplit(".", 1)[1].lower() in _NOT_BUILT:
        return None
    match = _NAMED.fullmatch(base)
    if match is None:
        return None
    return match.group("suffix") or match.group("prefix") or ""


def is_dev_variant(name: str) -> bool:
    """`dev`, `Dockerfile.test`, `api.dev`: a Dockerfile for development or CI."""
    return any(part.lower() in DEV_VARIANTS for part in re.split(r"[._-]", name) if part)


def read_dockerfile(path: str, text: str) -> DockerfileInfo:
    """Parse a Dockerfile; a syntax error is kept as `problem`, never raised."""
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return DockerfileInfo(path, problem=f"cannot parse the Dockerfile: {exc}")
    stages: set[str] = set()
    images: list[str] = []
    copies: list[str] = []
    dynamic = False
    for command in commands:
        if command.cmd == "FROM" and command.value:
            image = command.value[0]
            if image.lower() not in stages:
                images.append(image)
            if len(command.value) >= 3 and command.value[1].upper() == "AS":
                stages.add(command.value[2].lower())
        elif command.cmd in ("COPY", "ADD"):
            if any(flag.startswith("--from") for flag in command.flags):
                continue
            copies.extend(_sources(command.value, heredoc=bool(command.heredocs)))
            dynamic = dynamic or any("$" in source for source in command.value[:-1])
        elif command.cmd == "RUN":
            copies.extend(bind_sources(command.flags))
    body = "\n".join(command.original for command in commands)
    return DockerfileInfo(path, tuple(images), tuple(dict.fromkeys(copies)),
                          dynamic_copies=dynamic, mentions=_mentions(body),
                          builds=_builds(commands))


def _mentions(body: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for word in _WORD.findall(body):
        parts = [p for p in word.split("/") if p and p != "."]
        for i in range(len(parts)):
            for j in range(i + 1, min(len(parts), i + 4) + 1):
                found["/".join(parts[i:j])] += 1
    return found


_BUILD_TOOLS = frozenset({"cargo", "npm", "pnpm", "yarn", "bun", "npx", "turbo", "nx", "uv",
                          "poetry", "lerna"})
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_NAMING_FLAGS = frozenset({"--bin", "-p", "--package", "--filter", "-F", "--workspace", "-w",
                           "--scope", "--project"})


def _builds(commands: tuple[dockerfile.Command, ...]) -> Counter[str]:
    found: Counter[str] = Counter()
    last: Counter[str] = Counter()  # of the stage being read, kept if it is the last one
    for command in commands:
        if command.cmd == "FROM":
            last = Counter()
        elif command.cmd == "RUN":
            for segment in re.split(r"&&|\|\||[;|\n]", " ".join(command.value)):
                words = [w for w in segment.split() if not _ASSIGNMENT.match(w)]
                if not words or words[0].rsplit("/", 1)[-1] not in _BUILD_TOOLS:
                    continue  # `mkdir -p app` names no package
                for i, word in enumerate(words):
                    flag, eq, value = word.partition("=")
                    if flag in _NAMING_FLAGS:
                        named = value if eq else (words[i + 1] if i + 1 < len(words) else "")
                        found[named.strip("'\"").rstrip(".")] += 1
        elif command.cmd in ("ENTRYPOINT", "CMD"):
            for word in (command.value if command.json else " ".join(command.value).split())[:2]:
                last[word.rsplit("/", 1)[-1]] += 1
        elif command.cmd in ("COPY", "ADD") and any(f.startswith("--from") for f in command.flags):
            for source in command.value[:-1]:
                last[source.rstrip("/").rsplit("/", 1)[-1]] += 1
    found.update(last)
    found.pop("", None)
    return found


def bind_sources(flags: tuple[str, ...]) -> list[str]:
    """Context paths a RUN reads through `--mount=type=bind` (no `from`: the build context);
    a bind mount without `source` mounts the whole context."""
    found = []
    for flag in flags:
        if not flag.startswith("--mount="):
            continue
        options = dict(_option(part) for part in flag[len("--mount="):].split(","))
        if options.get("type", "bind") != "bind" or "from" in options:
            continue
        source = options.get("source", options.get("src", "."))
        if "$" not in source:
            found.append(normalize(source))
    return found


def _option(part: str) -> tuple[str, str]:
    key, _, value = part.partition("=")
    return key.strip().lower(), value.strip()


def _sources(values: tuple[str, ...], heredoc: bool) -> list[str]:
    found = []
    for source in values[:-1]:  # the last one is the destination
        if heredoc and source.startswith("<<"):
            continue
        if "://" in source or source.startswith("git@") or "$" in source:
            continue  # a download, or a path only a build argument decides
        found.append(normalize(source))
    return found
