"""Small readers of Python packaging standards: PEP 503 names, PEP 508 requirements, versions.

bakegen only needs a requirement's name, extras and direct-reference URL, and the lowest
Python minor a `requires-python` allows, so these stay a few regexes instead of a dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_NAME_RUNS = re.compile(r"[-_.]+")
_REQUIREMENT = re.compile(
    r"\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)"
    r"\s*(?:\[(?P<extras>[^\]]*)\])?"
    r"\s*(?P<rest>.*)\Z",
    re.S,
)
_REST_START = re.compile(r"(?:@|;|\(|<|>|=|!|~|,|\Z)")
_EXTRA = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
_CLAUSE = re.compile(
    r"(?P<op>~=|===|==|!=|<=|>=|<|>|\^|~)?\s*v?(?P<major>\d+)(?:\.(?P<minor>\d+))?"
)
_VERSION_FILE = re.compile(r"(\d+)\.(\d+)")
PROJECT_ROOT = "${PROJECT_ROOT}"


def normalize_name(name: str) -> str:
    """PEP 503: lowercase, runs of `-_.` become one `-` (`Acme_Common` -> `acme-common`)."""
    return _NAME_RUNS.sub("-", name).lower()


@dataclass(frozen=True, slots=True)
class Requirement:
    """The parts of a PEP 508 requirement bakegen uses; `name` is normalised."""

    text: str
    name: str
    extras: tuple[str, ...] = ()
    url: str | None = None


def parse_requirement(text: str) -> Requirement:
    """Parse `name[extras] (@ url | specifier) ; marker`; ValueError if it is no requirement."""
    match = _REQUIREMENT.match(text)
    if not match or not _REST_START.match(match["rest"]):
        raise ValueError(f"invalid requirement {text!r}")
    extras = tuple(e.strip() for e in (match["extras"] or "").split(",") if e.strip())
    if any(not _EXTRA.match(e) for e in extras):
        raise ValueError(f"invalid extras in requirement {text!r}")
    rest = match["rest"]
    url = None
    if rest.startswith("@"):
        url = re.split(r";", rest[1:], maxsplit=1)[0].strip()
        if not url:
            raise ValueError(f"requirement {text!r} has '@' but no URL")
    return Requirement(
        text=text.strip(),
        name=normalize_name(match["name"]),
        extras=tuple(sorted({normalize_name(e) for e in extras})),
        url=url,
    )


def file_url_path(url: str) -> tuple[str, bool] | None:
    """The path of a `file:` URL and whether it is relative to the project, or None.

    `file:../x`, `file:///${PROJECT_ROOT}/../x` and `file://${PROJECT_ROOT}/../x` are relative
    to the declaring project; `file:///srv/x` is absolute (and means nothing in an image).
    """
    if not url.lower().startswith("file:"):
        return None
    rest = unquote(url[5:])
    if rest.startswith("//"):
        host, _, tail = rest[2:].partition("/")
        rest = host + "/" + tail if host == PROJECT_ROOT else "/" + tail
    if rest.startswith("/" + PROJECT_ROOT):
        rest = rest[1:]
    if rest.startswith(PROJECT_ROOT):
        return rest[len(PROJECT_ROOT) :].lstrip("/") or ".", True
    if rest.startswith("/"):
        return rest, False
    return rest or ".", True


def lowest_minor(spec: str) -> tuple[int, int] | None:
    """The lowest `(major, minor)` a version constraint allows, or None without a lower bound.

    Reads PEP 440 specifiers (`>=3.11,<4`, `~=3.10`, `==3.12.*`) and Poetry's forms
    (`^3.11`, `~3.10`, `3.11.*`, `>=3.9 || >=3.11`: the lowest alternative wins).
    """
    bounds = [_lowest_of_clauses(alt) for alt in spec.split("||")]
    found = [b for b in bounds if b is not None]
    return min(found) if found else None


def _lowest_of_clauses(spec: str) -> tuple[int, int] | None:
    lowest: tuple[int, int] | None = None
    for clause in re.split(r"\s*,\s*|\s+(?=[~=!<>^])", spec.strip()):
        match = _CLAUSE.match(clause.strip())
        if not match or match["op"] in ("<", "<=", "!="):
            continue
        bound = (int(match["major"]), int(match["minor"] or 0))
        lowest = bound if lowest is None else max(lowest, bound)
    return lowest


def python_version_file(text: str) -> str | None:
    """`major.minor` from a `.python-version` file's first version line (`3.12.1` -> `3.12`)."""
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        match = _VERSION_FILE.search(line)
        if match:
            return f"{match[1]}.{match[2]}"
    return None


_RELEASE = re.compile(r"\d+(?:\.\d+)*")
_SPECIFIER = re.compile(
    r"(?P<op>~=|===|==|!=|<=|>=|<|>)\s*(?P<version>\d+(?:\.\d+)*)(?P<star>\.\*)?")


def is_release(text: str) -> bool:
    """A plain release version: `0.13.9`, `3`."""
    return _RELEASE.fullmatch(text.strip()) is not None


def satisfies(version: str, specifiers: str) -> bool:
    """Whether a release version (`0.13.9`) meets PEP 440 `specifiers` (`>=0.9,<1`,
    `~=0.13.0`, `==0.13.*`, a bare `0.13.9`). False for anything it cannot read, so a
    requirement it does not understand is passed to pip as it is."""
    release = _release(version)
    if _RELEASE.fullmatch(specifiers.strip()):
        return release == _release(specifiers.strip())
    for clause in specifiers.split(","):
        match = _SPECIFIER.fullmatch(clause.strip())
        if match is None or (match["star"] and match["op"] not in ("==", "!=")):
            return False
        if not _meets(release, match["op"], _release(match["version"]), bool(match["star"])):
            return False
    return True


def _meets(have: tuple[int, ...], op: str, want: tuple[int, ...], star: bool) -> bool:
    if star or op == "~=":
        prefix = want if star else want[:-1]
        same = have[:len(prefix)] == prefix
        if op == "~=":
            return len(want) > 1 and same and _cmp(have, want) >= 0
        return same if op == "==" else not same
    order = _cmp(have, want)
    return {"==": order == 0, "===": order == 0, "!=": order != 0, "<=": order <= 0,
            ">=": order >= 0, "<": order < 0, ">": order > 0}[op]


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _cmp(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    width = max(len(a), len(b))
    a, b = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
    return (a > b) - (a < b)
