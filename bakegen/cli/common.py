"""Options and output helpers shared by the commands."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from bakegen.errors import Problem

root_argument: Callable[[Any], Any] = click.argument(
    "root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=".",
    required=False,
)


def report_warnings(problems: Iterable[Problem]) -> None:
    """Warnings go to stderr, one line each, and never change the exit code."""
    for problem in problems:
        click.echo(problem.render(), err=True)
