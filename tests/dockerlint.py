"""Checks on what `bakegen generate` writes, shared by the lint, property and corpus tests.

Dockerfiles are parsed with the `dockerfile` package (BuildKit's own parser); `.dockerignore`
files are evaluated the way BuildKit's patternmatcher does; the bake file is read back with
python-hcl2 and its raw text scanned for interpolations. Every function returns a list of
human-readable problems: empty means clean.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile
import hcl2

from bakegen.formats import GENERATED_MARKER
from bakegen.render.dockerignore import ALWAYS_EXCLUDED
from tests.bakefile import unquote

SYNTAX_LINE = "# syntax=docker/dockerfile:1"
BASE_STAGES = frozenset({"deps-base", "production-base"})
TARGET_NAME = re.compile(r"[a-zA-Z0-9_-]+")
_SECRET_ENV = re.compile(r"--mount=type=secret,\S*\benv=")
ALLOWED_INSTRUCTIONS = frozenset(
    {"FROM", "ARG", "ENV", "WORKDIR", "RUN", "COPY", "USER", "CMD", "ENTRYPOINT", "EXPOSE",
     "HEALTHCHECK", "LABEL", "ADD"}
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_REMOTE = re.compile(r"^(?:https?|ftp|git)://|^git@", re.IGNORECASE)
_SECRET_NAME = re.compile(
    r"(?:^|/)(?:\.npmrc|\.yarnrc(?:\.yml)?|\.netrc|\.pypirc|pip\.conf|\.env(?:\..*)?|"
    r"credentials(?:\.toml)?|id_rsa.*|id_ed25519.*|[^/]*\.pem|[^/]*\.key|\.git)$"
)
#: never needed by a build, whatever their content
ALWAYS_SECRET = re.compile(
    r"(?:^|/)(?:\.netrc|\.pypirc|\.env(?:\..*)?|\.cargo/credentials(?:\.toml)?|id_rsa.*|"
    r"id_ed25519.*|[^/]*\.pem|[^/]*\.key|\.git(?:/.*)?)$"
)
_SECRET_VARIABLE = re.compile(r"(?i)token|passw|secret|_auth|api_?key|credential")
_MOUNT_FROM = re.compile(r"(?:^|,)from=([^,]+)")
_NON_ROOT_USER = re.compile(r"^(?!0(?::|$))(?!root(?::|$))\S+$")
_HCL_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


# -- Dockerfiles ------------------------------------------------------------------------------


@dataclass
class _Stages:
    names: list[str] = field(default_factory=list)
    final_users: list[str] = field(default_factory=list)

    def known(self, name: str, contexts: frozenset[str]) -> bool:
        return name in self.names or name in contexts or name.isdigit()


def lint_dockerfile(
    text: str,
    where: str,
    contexts: frozenset[str] = frozenset(),
    ships: bool = False,
) -> list[str]:
    """Problems of one generated Dockerfile.

    `contexts` are the bake named contexts the target provides; `ships` marks a Dockerfile
    whose final stage is a service image (it must end as a non-root user).
    """
    problems: list[str] = []
    lines = text.split("\n")
    # the directive, where a Dockerfile has one, is its first line; it must be there for
    # secrets as environment variables, newer than BuildKit 0.10's built-in frontend
    has_syntax = lines[0] == SYNTAX_LINE
    if not has_syntax and any(line.startswith("# syntax=") for line in lines):
        problems.append(f"{where}: a # syntax directive that is not the first line")
    if _SECRET_ENV.search(text) and not has_syntax:
        problems.append(f"{where}: mounts a secret as env= without {SYNTAX_LINE!r} first")
    for number, line in enumerate(lines, 1):
        if _CONTROL.search(line) or "\r" in line:
            problems.append(f"{where}:{number}: control character in {line!r}")
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return [*problems, f"{where}: BuildKit's parser rejects it: {exc}"]
    args_before_from: set[str] = set()
    stages = _Stages()
    for command in commands:
        at = f"{where}:{command.start_line}"
        cmd = command.cmd.upper()
        if cmd not in ALLOWED_INSTRUCTIONS:
            problems.append(f"{at}: unexpected instruction {command.original!r}")
            continue
        if cmd == "ARG":
            for word in command.value:
                name = word.split("=", 1)[0]
                if _SECRET_VARIABLE.search(name):
                    problems.append(f"{at}: build argument {name} looks like a secret")
                if not stages.names:
                    args_before_from.add(name)
        elif cmd == "FROM":
            problems += _check_from(command, at, args_before_from, stages, contexts)
        elif cmd == "ENV":
            problems += _check_env(command, at)
        elif cmd in ("COPY", "ADD"):
            problems += _check_copy(command, at, stages, contexts)
        elif cmd == "RUN":
            problems += _check_run(command, at, stages, contexts)
        elif cmd == "WORKDIR":
            if _unescaped_dollar(command.value[0]):
                problems.append(f"{at}: unescaped $ in {command.original!r}")
        elif cmd == "USER":
            stages.final_users.append(command.value[0])
    if not stages.names:
        problems.append(f"{where}: no FROM")
    if ships:
        user = stages.final_users[-1] if stages.final_users else None
        if user is None or not _NON_ROOT_USER.match(user):
            problems.append(f"{where}: final stage runs as {user or 'the image default user'}")
    return problems


def _check_from(
    command: dockerfile.Command,
    at: str,
    args: set[str],
    stages: _Stages,
    contexts: frozenset[str],
) -> list[str]:
    problems = []
    words = list(command.value)
    flags = [f for f in command.flags if not f.startswith("--platform=")]
    if flags:
        problems.append(f"{at}: unexpected FROM flags {flags}")
    image = words[0]
    variable = re.fullmatch(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", image)
    if variable:
        if variable[1] not in args:
            problems.append(f"{at}: FROM uses ${{{variable[1]}}}, not declared by an ARG")
    elif image in BASE_STAGES and image not in stages.names and image not in contexts:
        problems.append(f"{at}: FROM {image}, which no stage and no bake context provides")
    elif image not in stages.names and image not in contexts and "$" in image:
        problems.append(f"{at}: FROM {image!r} expands a variable")
    if len(words) == 3 and words[1].upper() == "AS":
        if words[2] in stages.names:
            problems.append(f"{at}: stage {words[2]} defined twice")
        stages.names.append(words[2])
    elif len(words) != 1:
        problems.append(f"{at}: malformed FROM {command.original!r}")
    else:
        stages.names.append(f"#{len(stages.names)}")
    stages.final_users.clear()
    return problems


def _check_env(command: dockerfile.Command, at: str) -> list[str]:
    problems = []
    for name in command.value[::2]:
        if _SECRET_VARIABLE.search(name):
            problems.append(f"{at}: environment variable {name} looks like a secret")
    return problems


def _check_copy(
    command: dockerfile.Command, at: str, stages: _Stages, contexts: frozenset[str]
) -> list[str]:
    problems = []
    source_stage = None
    for flag in command.flags:
        if flag.startswith("--from="):
            source_stage = flag.split("=", 1)[1]
            if not stages.known(source_stage, contexts):
                problems.append(f"{at}: --from={source_stage} names no stage or bake context")
    *sources, _dest = command.value
    for source in sources:
        if _unescaped_dollar(source):
            problems.append(f"{at}: unescaped $ in source {source!r}")
        if command.cmd.upper() == "ADD" and _REMOTE.match(source):
            problems.append(f"{at}: ADD of a remote URL {source!r}")
        if source_stage is None and _SECRET_NAME.search(source.rstrip("/")):
            problems.append(f"{at}: copies a secret-looking file {source!r}")
    if _unescaped_dollar(_dest):
        problems.append(f"{at}: unescaped $ in destination {_dest!r}")
    return problems


def _check_run(
    command: dockerfile.Command, at: str, stages: _Stages, contexts: frozenset[str]
) -> list[str]:
    problems = []
    for flag in command.flags:
        if not flag.startswith("--mount="):
            continue
        spec = flag.split("=", 1)[1]
        found = _MOUNT_FROM.search(spec)
        if found and not stages.known(found[1], contexts):
            problems.append(f"{at}: --mount from={found[1]} names no stage or bake context")
        if "type=secret" in spec and "required=true" in spec:
            problems.append(f"{at}: a required secret mount breaks builds without it")
    if not command.json:
        try:
            shlex.split(" ".join(command.value), comments=False, posix=True)
        except ValueError as exc:
            problems.append(f"{at}: shell line does not parse ({exc}): {command.original!r}")
    return problems


def _unescaped_dollar(word: str) -> bool:
    return re.search(r"(?<!\\)\$", word) is not None


# -- .dockerignore ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    include: bool


def read_dockerignore(text: str) -> list[_Pattern]:
    """Patterns of a .dockerignore as BuildKit reads them (moby/patternmatcher)."""
    patterns = []
    for number, raw in enumerate(text.split("\n")):
        line = raw.removeprefix("\ufeff") if number == 0 else raw
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        include = line.startswith("!")
        if include:
            line = line[1:].strip()
        line = _clean(line)
        if len(line) > 1 and line.startswith("/"):
            line = line[1:]
        patterns.append(_Pattern(re.compile(_pattern_regex(line)), include))
    return patterns


def _clean(path: str) -> str:
    """Go's filepath.Clean on a slash path."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        elif part == ".." and rooted:
            continue
        else:
            parts.append(part)
    cleaned = "/".join(parts)
    return ("/" + cleaned if rooted else cleaned) or ("/" if rooted else ".")


def _pattern_regex(pattern: str) -> str:
    out = "^"
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            if pattern[i + 1 : i + 2] == "*":
                i += 1
                if pattern[i + 1 : i + 2] == "/":
                    i += 1
                out += ".*" if i + 1 >= len(pattern) else "(.*/)?"
            else:
                out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch in ".+()|{}$^":
            out += "\\" + ch
        elif ch == "\\":
            if i + 1 < len(pattern):
                i += 1
                out += re.escape(pattern[i])
            else:
                out += "\\\\"
        else:
            out += ch
        i += 1
    return out + "$"


def admitted(files: Iterable[str], dockerignore_text: str) -> set[str]:
    """The files of `files` (repository paths) a build context with this ignore file gets."""
    patterns = read_dockerignore(dockerignore_text)
    kept = set()
    for rel in files:
        parents = rel.split("/")[:-1]
        excluded = False
        for pattern in patterns:
            if pattern.include != excluded:
                continue
            match = pattern.regex.match(rel) is not None or any(
                pattern.regex.match("/".join(parents[: i + 1])) for i in range(len(parents))
            )
            if match:
                excluded = not pattern.include
        if not excluded:
            kept.add(rel)
    return kept


def lint_dockerignore(text: str, where: str, root: Path | None = None) -> list[str]:
    """Every line clean, every admission an existing path, the fixed exclusions last."""
    problems = []
    lines = text.rstrip("\n").split("\n")
    for number, line in enumerate(lines, 1):
        if _CONTROL.search(line) or "\r" in line:
            problems.append(f"{where}:{number}: control character in {line!r}")
        if line != line.strip():
            problems.append(f"{where}:{number}: whitespace BuildKit would trim in {line!r}")
    if tuple(lines[-len(ALWAYS_EXCLUDED) :]) != ALWAYS_EXCLUDED:
        problems.append(f"{where}: does not end with the fixed exclusions")
    try:
        patterns = read_dockerignore(text)
    except re.error as exc:
        return [*problems, f"{where}: a pattern is not valid for BuildKit: {exc}"]
    if root is not None:
        for pattern in patterns:
            if pattern.include and not _exists(root, pattern.regex):
                problems.append(f"{where}: admits {pattern.regex.pattern}, which matches nothing")
    return problems


def _exists(root: Path, regex: re.Pattern[str]) -> bool:
    return any(regex.match(p.relative_to(root).as_posix()) for p in root.rglob("*"))


# -- the bake file ----------------------------------------------------------------------------


def hcl_unescape(body: str) -> str:
    """The literal a quoted HCL string body stands for (bakegen's `escape` reversed)."""
    pairs = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}

    def one(match: re.Match[str]) -> str:
        text = match.group()
        if text.startswith(("$$", "%%")):
            return text[1:]
        if text[1] in "uU":
            return chr(int(text[2:], 16))
        return pairs[text[1]]

    return re.sub(r'\$\$\{|%%\{|\\(?:u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|["\\nrt])', one, body)


def interpolations(text: str) -> tuple[list[str], list[str]]:
    """(names inside every `${...}`, every `%{` directive) of HCL text, escapes skipped."""
    names, directives = [], []
    i = 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith("${", i):
            end = text.find("}", i)
            names.append(text[i + 2 : end] if end != -1 else text[i + 2 :])
            i = end + 1 if end != -1 else len(text)
        elif text.startswith("%{", i):
            directives.append(text[i : i + 20])
            i += 2
        else:
            i += 1
    return names, directives


def lint_bake(text: str) -> tuple[list[str], dict[str, dict[str, object]]]:
    """(problems, targets by name) of a generated bake file."""
    try:
        data = hcl2.loads(text)
    except Exception as exc:  # python-hcl2 raises lark errors of several kinds
        return [f"docker-bake.hcl: python-hcl2 cannot parse it: {exc}"], {}
    problems = []
    targets = {unquote(k): v for block in data.get("target", []) for k, v in block.items()}
    variables = {unquote(k) for block in data.get("variable", []) for k in block}
    for name in targets:
        if not TARGET_NAME.fullmatch(name):
            problems.append(f"docker-bake.hcl: target name {name!r} is not [a-zA-Z0-9_-]+")
    names, directives = interpolations(text)
    for name in names:
        if name not in variables:
            problems.append(f"docker-bake.hcl: ${{{name}}} is no declared variable")
    problems += [f"docker-bake.hcl: template directive {d!r}" for d in directives]
    for line in text.split("\n"):
        if _CONTROL.search(line) or "\r" in line:
            problems.append(f"docker-bake.hcl: control character in {line!r}")
    for name, target in targets.items():
        for value in _context_values(target):
            for ref in re.findall(r"target:([^\"]*)", value):
                if ref not in targets:
                    problems.append(f"docker-bake.hcl: {name} uses target:{ref}: no such target")
    for group in data.get("group", []):
        for gname, body in group.items():
            for member in body.get("targets", []):
                if unquote(member) not in targets:
                    problems.append(f"docker-bake.hcl: group {gname} lists unknown {member}")
    return problems, targets


def _context_values(target: dict[str, object]) -> list[str]:
    contexts = target.get("contexts", {})
    return [str(v) for v in contexts.values()] if isinstance(contexts, dict) else []


def target_contexts(target: dict[str, object]) -> frozenset[str]:
    contexts = target.get("contexts", {})
    return frozenset(unquote(k) for k in contexts) if isinstance(contexts, dict) else frozenset()


# -- a whole generated tree -------------------------------------------------------------------


def lint_files(files: Mapping[str, str], root: Path | None = None) -> list[str]:
    """Lint what `generate` rendered ({path: text}): the bake file, then every Dockerfile
    against the target using it, and its `.dockerignore` (admissions checked on `root`)."""
    bake = files.get("docker-bake.hcl")
    if bake is None:
        return ["docker-bake.hcl: missing"]
    problems, targets = lint_bake(bake)
    linted: set[str] = set()
    for target in targets.values():
        rel = target.get("dockerfile")
        if not isinstance(rel, str):
            continue
        rel = hcl_unescape(unquote(rel))
        text = files.get(rel)
        if rel in linted or text is None:
            continue  # a service's own Dockerfile: not ours to lint
        linted.add(rel)
        contexts = target_contexts(target)
        problems += lint_dockerfile(text, rel, contexts, ships=bool(contexts))
        ignore = files.get(rel + ".dockerignore")
        if ignore is None:
            problems.append(f"{rel}.dockerignore: missing")
        else:
            problems += lint_dockerignore(ignore, rel + ".dockerignore", root)
    unlinted = sorted(
        rel for rel in files if rel.endswith("Dockerfile") and rel not in linted
    )
    problems += [f"{rel}: generated but used by no target" for rel in unlinted]
    return problems


def lint_generated(root: Path) -> list[str]:
    """`lint_files` on the files below `root` that carry bakegen's generated header."""
    found = {}
    for path in [root / "docker-bake.hcl", *root.rglob("*Dockerfile*")]:
        if path.is_file() and not path.is_symlink():
            text = path.read_text(encoding="utf-8")
            if GENERATED_MARKER in "\n".join(text.split("\n")[:5]):
                found[path.relative_to(root).as_posix()] = text
    return lint_files(found, root)


def secret_files_admitted(root: Path, also: Iterable[str] = ()) -> list[str]:
    """`dockerignore: file` for every file that is always secret (keys, `.env`, `.netrc`, ...)
    or listed in `also` and still reaches a build context."""
    extra = set(also)
    files = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() or p.is_symlink()
    ]
    found = []
    for ignore in sorted(root.rglob("*.dockerignore")):
        text = ignore.read_text(encoding="utf-8")
        if GENERATED_MARKER not in text:
            continue
        for rel in sorted(admitted(files, text)):
            if ALWAYS_SECRET.search(rel) or rel in extra:
                found.append(f"{ignore.relative_to(root).as_posix()}: {rel}")
    return found
