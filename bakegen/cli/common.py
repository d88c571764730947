"""Options and output helpers shared by the commands."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from bakegen.errors import Problem


def _resolve_root(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path:
    """ROOT as given; when left out, the repository the working folder belongs to."""
    if value is not None:
        return value
    from bakegen.rootdir import find_root

    cwd = Path.cwd()
    found = find_root(cwd)
    if found.path == cwd.resolve():
        return Path(".")
    click.echo(f"note: working on the repository root {found.path} (it holds {found.marker}); "
               "pass ROOT to choose another folder", err=True)
    return found.path


root_argument: Callable[[Any], Any] = click.argument(
    "root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    required=False,
    callback=_resolve_root,
)


def check_platforms(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """`--platform`: the rule `platforms = [...]` in the config follows."""
    from bakegen.references import platform_error

    for value in values:
        wrong = platform_error(value)
        if wrong:
            raise click.BadParameter(wrong)
    return values


def check_registry(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """`--registry`: the rule `registry = ...` in the config follows."""
    from bakegen.references import registry_error

    wrong = None if value is None else registry_error(value.rstrip("/"))
    if wrong:
        raise click.BadParameter(wrong)
    return value


def report_warnings(problems: Iterable[Problem]) -> None:
    """Warnings go to stderr, one line each, and never change the exit code."""
    for problem in problems:
        click.echo(problem.render(), err=True)
