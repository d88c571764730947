"""The one error base of bakegen, and problems collected as values during a scan."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Generic, TypeVar

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: str) -> str:
    """`text` with control characters shown as escapes (`\\n`, `\\x1b`): one safe line."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


_E = TypeVar("_E", bound="BakegenError")
_T = TypeVar("_T")


class BakegenError(Exception):
    """Any failure bakegen reports to the user: printed as one line, exit code 2.

    `path` names the file (or option) the error is about, None when there is no one;
    `message` is what is wrong with it. `str()` of the error is `path: message`.
    """

    exit_code = 2

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message if path is None else f"{path}: {message}")
        self.path = path
        self.message = message

    @classmethod
    def at(cls: type[_E], path: object, message: str) -> _E:
        """The error `path: message` (path is anything printable: a str, a Path)."""
        return cls(message, str(path))

    def problem(self) -> Problem:
        """The error as a Problem value (path "." when it names no file)."""
        if self.path is None:
            return Problem.error(".", self.message)
        return Problem.error(self.path, self.message)


class ProblemsFound(BakegenError):
    """A scan or plan found errors; every one of them is carried along."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one file of the workspace, reported as `path: message`."""

    path: str
    message: str
    severity: Severity = Severity.ERROR

    @classmethod
    def error(cls, path: str, message: str) -> Problem:
        return cls(path, message, Severity.ERROR)

    @classmethod
    def warning(cls, path: str, message: str) -> Problem:
        return cls(path, message, Severity.WARNING)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def render(self) -> str:
        """`path: message` on one line; control characters from file names or manifest
        values are shown escaped, so none can break the line or drive the terminal."""
        prefix = "" if self.is_error else "warning: "
        return printable(f"{prefix}{self.path}: {self.message}")

    def sort_key(self) -> tuple[str, str, str]:
        return (self.severity.value, self.path, self.message)


@dataclass(frozen=True, slots=True)
class Found(Generic[_T]):
    """What a function found, and the problems it saw on the way: problems as values."""

    value: _T
    problems: tuple[Problem, ...] = ()
