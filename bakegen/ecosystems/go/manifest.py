"""Read `go.mod` and `go.work`: the few directives bakegen needs, with one-line errors.

Both files share one grammar (the Go command's `modfile`): a directive is a keyword and its
arguments on one line, or a block `keyword (` ... `)` of such lines; `//` starts a comment;
arguments may be "quoted" or `raw quoted`. bakegen reads `module`, `go`, `toolchain`,
`require`, `replace` (go.mod) and `go`, `toolchain`, `use`, `replace` (go.work); the other
directives are known and skipped. An unknown directive is an error naming the file and line,
as `go build` would refuse it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bakegen.errors import BakegenError

GO_MOD = "go.mod"
GO_WORK = "go.work"
_MOD_DIRECTIVES = frozenset({"module", "go", "toolchain", "godebug", "require", "exclude",
                             "replace", "retract", "tool", "ignore"})
_WORK_DIRECTIVES = frozenset({"go", "toolchain", "godebug", "use", "replace"})
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\S+')


@dataclass(frozen=True, slots=True)
class Replace:
    """`replace old [v] => new [v]`; `local` when `new` is a folder (./, ../ or /)."""

    old: str
    new: str
    #: the replacement's version (None for a folder)
    version: str | None = None

    @property
    def local(self) -> bool:
        return self.new.startswith(("./", "../", "/")) or self.new in (".", "..")


@dataclass(frozen=True, slots=True)
class GoMod:
    """What one go.mod declares."""

    path: str
    module: str
    go: str | None = None
    toolchain: str | None = None
    #: required module paths (direct and `// indirect` alike)
    requires: tuple[str, ...] = ()
    replaces: tuple[Replace, ...] = ()
    #: the version each required module path is required at
    versions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class GoWork:
    """What one go.work declares: the module folders it uses, relative to it."""

    path: str
    uses: tuple[str, ...] = ()
    go: str | None = None
    toolchain: str | None = None
    replaces: tuple[Replace, ...] = ()


def parse_go_mod(path: str, text: str) -> GoMod:
    """Parse a go.mod; BakegenError (`path: line N: ...`) when it is not one."""
    module: str | None = None
    values: dict[str, str] = {}
    requires: list[str] = []
    versions: list[tuple[str, str]] = []
    replaces: list[Replace] = []
    for number, keyword, args in _directives(path, text, _MOD_DIRECTIVES):
        if keyword == "module":
            module = _one(path, number, keyword, args)
        elif keyword in ("go", "toolchain"):
            values[keyword] = _one(path, number, keyword, args)
        elif keyword == "require":
            if len(args) != 2:
                raise _error(path, number, "usage: require module/path v1.2.3")
            requires.append(args[0])
            versions.append((args[0], args[1]))
        elif keyword == "replace":
            replaces.append(_replace(path, number, args))
    if module is None:
        raise BakegenError.at(path, "no module directive")
    return GoMod(path, module, values.get("go"), values.get("toolchain"), tuple(requires),
                 tuple(replaces), tuple(versions))


def parse_go_work(path: str, text: str) -> GoWork:
    """Parse a go.work; BakegenError (`path: line N: ...`) when it is not one."""
    uses: list[str] = []
    values: dict[str, str] = {}
    replaces: list[Replace] = []
    for number, keyword, args in _directives(path, text, _WORK_DIRECTIVES):
        if keyword == "use":
            uses.append(_one(path, number, keyword, args))
        elif keyword in ("go", "toolchain"):
            values[keyword] = _one(path, number, keyword, args)
        elif keyword == "replace":
            replaces.append(_replace(path, number, args))
    return GoWork(path, tuple(uses), values.get("go"), values.get("toolchain"), tuple(replaces))


def _directives(
    path: str, text: str, known: frozenset[str]
) -> list[tuple[int, str, list[str]]]:
    """(line number, keyword, arguments) of every directive, blocks unfolded."""
    found: list[tuple[int, str, list[str]]] = []
    block: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        words = _words(path, number, raw)
        if not words:
            continue
        if block is not None:
            if words == [")"]:
                block = None
            else:
                found.append((number, block, words))
            continue
        keyword, args = words[0], words[1:]
        if keyword not in known:
            raise _error(path, number, f'unknown directive "{keyword}"')
        if args == ["("]:
            block = keyword
        elif args[-1:] == ["("] or "(" in args:
            raise _error(path, number, f'"{keyword} (" must end its line')
        else:
            found.append((number, keyword, args))
    if block is not None:
        raise BakegenError.at(path, f'"{block} (" block is never closed')
    return found


def _words(path: str, number: int, line: str) -> list[str]:
    words = []
    for match in _TOKEN.finditer(line):
        word = match.group(0)
        if word.startswith("//"):
            break
        if word.startswith('"'):
            if len(word) < 2 or not word.endswith('"'):
                raise _error(path, number, "unterminated quoted string")
            word = bytes(word[1:-1], "utf-8").decode("unicode_escape")
        elif word.startswith("`"):
            word = word[1:-1]
        words.append(word)
    return words


def _one(path: str, number: int, keyword: str, args: list[str]) -> str:
    if len(args) != 1:
        raise _error(path, number, f"{keyword} takes one argument, got {len(args)}")
    return args[0]


def _replace(path: str, number: int, args: list[str]) -> Replace:
    if "=>" not in args:
        raise _error(path, number, "usage: replace module/path [v1.2.3] => other/path [v1.2.3]")
    arrow = args.index("=>")
    old, new = args[:arrow], args[arrow + 1:]
    if len(old) not in (1, 2) or len(new) not in (1, 2):
        raise _error(path, number, "usage: replace module/path [v1.2.3] => other/path [v1.2.3]")
    return Replace(old[0], new[0], new[1] if len(new) == 2 else None)


def _error(path: str, number: int, message: str) -> BakegenError:
    return BakegenError.at(path, f"line {number}: {message}")
