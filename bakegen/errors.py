"""The one error base of bakegen, and problems collected as values during a scan."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: str) -> str:
    """`text` with control characters shown as escapes (`\\n`, `\\x1b`): one safe line."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


class BakegenError(Exception):
    """Any failure bakegen reports to the user: printed as one line, exit code 2."""

    exit_code = 2


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
