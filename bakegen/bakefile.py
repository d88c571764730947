"""Read the bake files back: `docker-bake.hcl`, then `docker-bake.override.hcl` on top.

Targets are merged the way `docker buildx bake` merges them: a later file's attribute
replaces the earlier one, except the maps `args`, `contexts`, `labels` and `annotations`,
which merge key by key; `inherits` is resolved the same way (parents first, the target
last). String values come back unquoted; an HCL expression (a conditional, a function
call) stays as its `${...}` text. Files are read into python-hcl2's data shape by a fast
reader for the HCL bake files use, and by python-hcl2 itself for anything beyond it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bakegen.errors import BakegenError
from bakegen.formats import BAKE_FILE, BAKE_FILES, OWN_GROUP

#: attributes bake merges key by key instead of replacing
MERGED_MAPS = frozenset({"args", "contexts", "labels", "annotations"})
#: targets that exist for other targets' sake and are never built on their own
HELPER_TARGETS = frozenset({"docker-metadata-action"})

_ESCAPE = re.compile(r'\\(["\\nrt]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})(\{)?')
_SIMPLE = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_INTERPOLATION = re.compile(r"(?<!\$)\$\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}")
_TARGET_REF = re.compile(r"target:([A-Za-z0-9_-]+)")


class BakeFileError(BakegenError):
    """A bake file that cannot be read or parsed."""


@dataclass(frozen=True, slots=True)
class BakeTarget:
    """One target after `inherits` and the override file are applied."""

    name: str
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def context(self) -> str:
        """The build context folder, relative to the bake file (default `.`)."""
        value = self.attributes.get("context", ".")
        return value if isinstance(value, str) and value else "."

    @property
    def dockerfile(self) -> str:
        """The Dockerfile path as bake resolves it: relative to the context."""
        value = self.attributes.get("dockerfile", "Dockerfile")
        return value if isinstance(value, str) and value else "Dockerfile"

    @property
    def platforms(self) -> tuple[str, ...]:
        return _strings(self.attributes.get("platforms"))

    @property
    def tags(self) -> tuple[str, ...]:
        return _strings(self.attributes.get("tags"))

    @property
    def inherits(self) -> tuple[str, ...]:
        return _strings(self.attributes.get("inherits"))

    @property
    def contexts(self) -> dict[str, str]:
        value = self.attributes.get("contexts")
        if not isinstance(value, Mapping):
            return {}
        return {str(k): str(v) for k, v in value.items()}

    @property
    def target_refs(self) -> tuple[str, ...]:
        """Targets this one uses as named contexts (`target:NAME`, in any branch)."""
        refs = {m for value in self.contexts.values() for m in _TARGET_REF.findall(value)}
        return tuple(sorted(refs))


@dataclass(frozen=True, slots=True)
class BakeFile:
    """The merged targets, groups and variable defaults of the bake files that exist."""

    targets: Mapping[str, BakeTarget]
    groups: Mapping[str, tuple[str, ...]]
    variables: Mapping[str, str]
    sources: tuple[str, ...]

    def buildable(self) -> tuple[BakeTarget, ...]:
        """Targets a CI matrix builds, sorted by name.

        Left out: targets other targets use as `target:` contexts (the shared bases, built
        as part of their users), templates (no tags, and inherited by others or named
        `_...`), known helpers such as `docker-metadata-action`, and the `own` group's
        original builds of adopted services (a comparison, built only when asked for).
        """
        inherited: set[str] = set()
        contexts: set[str] = set()
        for target in self.targets.values():
            inherited.update(target.inherits)
            contexts.update(target.target_refs)
        comparisons = set(self.groups.get(OWN_GROUP, ())) - set(self.groups.get("default", ()))
        return tuple(
            target
            for name, target in sorted(self.targets.items())
            if name not in HELPER_TARGETS
            and name not in contexts
            and name not in comparisons
            and (target.tags or (name not in inherited and not name.startswith("_")))
        )

    def with_environment(self, environ: Mapping[str, str]) -> BakeFile:
        """The same file with variables overridden by environment variables of the same
        name, as `docker buildx bake` does unless BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP is set."""
        if environ.get("BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP", "") not in ("", "0", "false"):
            return self
        variables = {name: environ.get(name, default) for name, default in self.variables.items()}
        return dataclasses.replace(self, variables=variables)

    def expand(self, value: Any) -> Any:
        """`value` with `${VAR}` references replaced by the variables' values (their
        defaults, unless `with_environment` overrode them)."""
        if isinstance(value, str):
            return _expand(value, self.variables)
        if isinstance(value, Mapping):
            return {k: self.expand(v) for k, v in sorted(value.items())}
        if isinstance(value, (list, tuple)):
            return [self.expand(v) for v in value]
        return value

    def definition(self, name: str) -> dict[str, Any]:
        """A target's attributes with variables expanded: what its build really gets."""
        return dict(self.expand(dict(self.targets[name].attributes)))


def load_bakefile(root: Path) -> BakeFile:
    """Read `docker-bake.hcl` (required) and `docker-bake.override.hcl` (optional) at root."""
    texts = []
    for name in BAKE_FILES:
        path = root / name
        if not path.is_file():
            if name == BAKE_FILE:
                raise BakeFileError.at(name, "not found; run `bakegen generate` first")
            continue
        try:
            texts.append((name, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise BakeFileError.at(name, f"cannot read ({exc})") from exc
    return parse_bakefiles(texts)


def parse_bakefiles(texts: Sequence[tuple[str, str]]) -> BakeFile:
    """Merge bake files given as (name, text), later files winning; BakeFileError on bad HCL."""
    raw: dict[str, dict[str, Any]] = {}
    groups: dict[str, tuple[str, ...]] = {}
    variables: dict[str, str] = {}
    for name, text in texts:
        data = _parse(name, text)
        for label, body in _blocks(data, "target"):
            raw[label] = _merge(raw.get(label, {}), _clean(body))
        for label, body in _blocks(data, "group"):
            groups[label] = _strings(_clean(body).get("targets"))
        for label, body in _blocks(data, "variable"):
            default = _clean(body).get("default", "")
            variables[label] = default if isinstance(default, str) else _scalar(default)
    targets = {name: BakeTarget(name, _resolve(name, raw, ())) for name in sorted(raw)}
    return BakeFile(
        targets=targets,
        groups=dict(sorted(groups.items())),
        variables=dict(sorted(variables.items())),
        sources=tuple(name for name, _ in texts),
    )


def _parse(name: str, text: str) -> dict[str, Any]:
    """Blocks of one file in python-hcl2's shape: the fast reader below, python-hcl2
    itself for anything the fast reader does not cover (functions, heredocs, ...)."""
    try:
        return _FastReader(text).document()
    except _Unsupported:
        pass
    import hcl2

    try:
        data = hcl2.loads(text)
    except Exception as exc:  # python-hcl2 raises lark errors of many kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BakeFileError.at(name, f"invalid HCL: {first}") from exc
    if not isinstance(data, dict):
        raise BakeFileError.at(name, "invalid HCL: expected blocks at the top level")
    return data


class _Unsupported(Exception):
    """Something the fast reader leaves to python-hcl2 (which also reports real errors)."""


_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<nl>\n)
  | (?P<string>"(?:[^"\\$\n]|\\.|\$(?!\{)|\$\{[^}"\n]*\})*")
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![A-Za-z_]))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<punct>[{}\[\](),=:?.!<>+*/%&|-])
""", re.VERBOSE | re.DOTALL)
_LITERALS = {"true": True, "false": False, "null": None}


class _FastReader:
    """A reader for the HCL that bake files use (blocks of attributes whose values are
    strings, numbers, booleans, lists, objects and expressions), returning what
    `hcl2.loads` returns: strings keep their quotes, expressions become `${...}` text.

    python-hcl2 takes seconds on the bake file of a 10,000-package repository; this
    takes a fraction of a second. Anything else raises _Unsupported.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int, int]] = []
        pos = 0
        for match in _TOKEN.finditer(text):
            if match.start() != pos:
                raise _Unsupported(pos)
            pos = match.end()
            kind = match.lastgroup or ""
            if kind not in ("ws", "comment"):
                self.tokens.append((kind, match.group(), match.start(), match.end()))
        if pos != len(text):
            raise _Unsupported(pos)
        self.tokens.append(("eof", "", len(text), len(text)))
        self.i = 0

    def peek(self) -> tuple[str, str, int, int]:
        return self.tokens[self.i]

    def next(self) -> tuple[str, str, int, int]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def skip_newlines(self) -> None:
        while self.peek()[0] == "nl":
            self.i += 1

    def expect(self, value: str) -> None:
        if self.next()[1] != value:
            raise _Unsupported(self.i)

    def document(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while True:
            self.skip_newlines()
            kind, value, _, _ = self.next()
            if kind == "eof":
                return result
            if kind != "ident":
                raise _Unsupported(self.i)
            labels = []
            while self.peek()[0] == "string":
                labels.append(self.next()[1])
            if len(labels) != 1 or self.peek()[1] != "{":
                raise _Unsupported(self.i)
            self.next()
            body = self.body()
            body["__is_block__"] = True
            result.setdefault(value, []).append({labels[0]: body})

    def body(self) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        while True:
            self.skip_newlines()
            kind, key, _, _ = self.next()
            if key == "}":
                return attributes
            if kind != "ident" or self.peek()[1] != "=":
                raise _Unsupported(self.i)  # nested blocks are python-hcl2's
            self.next()
            attributes[key] = self.value()
            if self.peek()[0] not in ("nl", "eof") and self.peek()[1] != "}":
                raise _Unsupported(self.i)

    def value(self) -> Any:
        start = self.i
        try:
            found = self.literal()
            if self.at_separator():
                return found
        except _Unsupported:
            pass
        self.i = start
        return self.expression()

    def at_separator(self) -> bool:
        kind, value, _, _ = self.peek()
        return kind in ("nl", "eof") or value in (",", "}", "]")

    def literal(self) -> Any:
        kind, value, _, _ = self.next()
        if kind == "string":
            return value
        if kind == "number":
            return float(value) if any(c in value for c in ".eE") else int(value)
        if kind == "ident" and value in _LITERALS:
            return _LITERALS[value]
        if value == "[":
            items: list[Any] = []
            while True:
                self.skip_newlines()
                if self.peek()[1] == "]":
                    self.next()
                    return items
                items.append(self.value())
                self.skip_newlines()
                if self.peek()[1] == ",":
                    self.next()
        if value == "{":
            entries: dict[str, Any] = {}
            while True:
                self.skip_newlines()
                key_kind, key, _, _ = self.next()
                if key == "}":
                    return entries
                if key_kind not in ("ident", "string") or self.next()[1] not in ("=", ":"):
                    raise _Unsupported(self.i)
                entries[key] = self.value()
                if self.peek()[1] == ",":
                    self.next()
        raise _Unsupported(self.i)

    def expression(self) -> str:
        """An expression up to the end of its attribute or element, as `${text}`."""
        depth = 0
        first = self.peek()
        last = first
        while True:
            kind, value, _, _ = self.peek()
            if kind == "eof" or (depth == 0 and (kind == "nl" or value in (",", "}", "]"))):
                break
            if value == "<" and self.tokens[self.i + 1][1] == "<":
                raise _Unsupported(self.i)  # a heredoc
            if value in ("(", "[", "{"):
                depth += 1
            elif value in (")", "]", "}"):
                depth -= 1
            last = self.next()
        if last is first and first[0] in ("nl", "eof"):
            raise _Unsupported(self.i)
        if last is first and first[0] == "ident":
            return first[1]  # a bare name, as python-hcl2 gives it
        return "${" + self.text[first[2]:last[3]] + "}"


def _blocks(data: Mapping[str, Any], kind: str) -> Iterable[tuple[str, Mapping[str, Any]]]:
    for block in data.get(kind, []) or []:
        if not isinstance(block, Mapping):
            continue
        for label, body in block.items():
            if isinstance(body, Mapping):
                yield unquote(label), body


def _resolve(name: str, raw: Mapping[str, dict[str, Any]], seen: tuple[str, ...]) -> dict[str, Any]:
    if name in seen:
        raise BakeFileError.at(BAKE_FILE, f'target "{name}" inherits from itself '
                            f"({' -> '.join((*seen, name))})")
    own = raw.get(name, {})
    merged: dict[str, Any] = {}
    for parent in _strings(own.get("inherits")):
        if parent in raw:
            merged = _merge(merged, _resolve(parent, raw, (*seen, name)))
    return _merge(merged, own)


def _merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in top.items():
        earlier = result.get(key)
        if key in MERGED_MAPS and isinstance(value, Mapping) and isinstance(earlier, Mapping):
            result[key] = {**earlier, **value}
        else:
            result[key] = value
    return result


def _clean(value: Any) -> Any:
    """python-hcl2's output with quotes removed and its bookkeeping keys dropped."""
    if isinstance(value, str):
        return unquote(value)
    if isinstance(value, Mapping):
        return {unquote(str(k)): _clean(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def unquote(text: str) -> str:
    """`"a\\"b"` -> `a"b`; text that is not a quoted HCL string is returned unchanged."""
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return text
    body = text[1:-1]
    if body.startswith("<<") and "\n" in body:  # heredoc, kept verbatim by python-hcl2
        lines = body.split("\n")
        return "\n".join(lines[1:-1]) + "\n"
    return _ESCAPE.sub(_unescape, body)


def _unescape(match: re.Match[str]) -> str:
    code, brace = match.group(1), match.group(2) or ""
    if code in _SIMPLE:
        return _SIMPLE[code] + brace
    char = chr(int(code[1:], 16))
    if brace and char in "$%":
        return char * 2 + brace  # bakegen writes a literal `${` as `\u0024{`: keep it escaped
    return char + brace


#: the HCL function calls bakegen writes itself: a base tag variable's default and
#: `_common`'s platforms; other expressions stay as written
_SHA256_PREFIX = re.compile(r'\$\{substr\(sha256\("([^"$]*)"\), 0, (\d+)\)\}')
_SPLIT = re.compile(r'\$\{split\(",", ([A-Za-z_][A-Za-z0-9_]*)\)\}')
#: variables whose defaults name variables whose defaults name variables...
_MAX_DEPTH = 4


def _expand(text: str, variables: Mapping[str, str]) -> str:
    """`text` with variables and bakegen's own function calls resolved as bake does:
    `${substr(sha256("a|${X}"), 0, 20)}` is the first 20 hex digits of the hash of `a|<X>`,
    and `${split(",", V)}` stays V's comma-separated value."""
    for _ in range(_MAX_DEPTH):
        expanded = _INTERPOLATION.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
        expanded = _SPLIT.sub(lambda m: variables.get(m.group(1), m.group(0)), expanded)
        expanded = _SHA256_PREFIX.sub(
            lambda m: hashlib.sha256(m.group(1).encode()).hexdigest()[: int(m.group(2))],
            expanded,
        )
        if expanded == text:
            break
        text = expanded
    return text.replace("$${", "${").replace("%%{", "%{")


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if isinstance(v, (str, int, float)))
    return ()


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
