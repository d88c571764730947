"""`bakegen matrix`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bakegen.cli.common import root_argument
from bakegen.wording import plural

if TYPE_CHECKING:
    from bakegen.matrix import Matrix, MatrixRequest


@click.command()
@root_argument
@click.option(
    "--affected",
    "only_affected",
    is_flag=True,
    help="Only the targets a git change affects (needs --base).",
)
@click.option("--base", metavar="REF", help="With --affected: compare against this ref.")
@click.option("--head", metavar="REF", help="With --affected: the changed revision.")
@click.option("--worktree", is_flag=True, help="With --affected: compare the working tree.")
@click.option("--include-dev", is_flag=True, help="With --affected: follow dev edges too.")
@click.option(
    "--split-platforms",
    is_flag=True,
    help="One entry per target and platform, each on a native runner.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["github", "json"]),
    default="github",
    show_default=True,
    help="github adds runner hints and string values.",
)
@click.option(
    "--layered",
    is_flag=True,
    help="CI mode's waves: {bases, base_targets, services}; bases build first (wave 1).",
)
@click.option(
    "--missing-bases",
    is_flag=True,
    help="With --layered: only the bases whose tag the registry lacks "
    "(asks `docker buildx imagetools inspect`).",
)
@click.option(
    "--github-output",
    is_flag=True,
    help="Also append matrix=, targets= and has_targets= to $GITHUB_OUTPUT.",
)
def matrix(root: Path, **options: Any) -> None:
    """Print a build matrix {"include": [...]} of the bake file's targets.

    Targets come from docker-bake.hcl and docker-bake.override.hcl, so targets written
    by hand are included; the shared base targets build as part of their services.
    """
    from bakegen.matrix import matrix_for, write_github_output

    chosen = MatrixOptions(**options)
    _check(chosen)
    output_file = _github_output_file() if chosen.github_output else None
    result = matrix_for(root, chosen.request())
    outputs = _echo_matrix(result, chosen)
    if output_file is not None:
        write_github_output(output_file, outputs)
    _echo_notes(result)
    click.echo(_summary(result, chosen.layered), err=True)


@dataclass(frozen=True, slots=True)
class MatrixOptions:
    """The command line of `bakegen matrix`, as click parsed it."""

    only_affected: bool
    base: str | None
    head: str | None
    worktree: bool
    include_dev: bool
    split_platforms: bool
    fmt: str
    layered: bool
    missing_bases: bool
    github_output: bool

    def request(self) -> MatrixRequest:
        """What to ask the core for."""
        from bakegen.affected.result import AffectedRequest
        from bakegen.matrix import MatrixRequest

        affected = None
        if self.base:
            affected = AffectedRequest(self.base, self.head, self.worktree, self.include_dev)
        return MatrixRequest(affected=affected, split_platforms=self.split_platforms,
                             layered=self.layered, missing_bases=self.missing_bases)


def _check(chosen: MatrixOptions) -> None:
    """UsageError for options that need another one or exclude each other."""
    if chosen.only_affected and not chosen.base:
        raise click.UsageError("--affected needs --base REF")
    needs_affected = chosen.base or chosen.head or chosen.worktree or chosen.include_dev
    if not chosen.only_affected and needs_affected:
        raise click.UsageError("--base, --head, --worktree and --include-dev need --affected")
    if chosen.missing_bases and not chosen.layered:
        raise click.UsageError("--missing-bases needs --layered")
    if chosen.worktree and chosen.head:
        raise click.UsageError("--worktree compares the working tree; leave out --head")


def _github_output_file() -> Path:
    name = os.environ.get("GITHUB_OUTPUT")
    if not name:
        raise click.UsageError("--github-output: $GITHUB_OUTPUT is not set")
    return Path(name)


def _echo_matrix(result: Matrix, chosen: MatrixOptions) -> list[tuple[str, str]]:
    """Print the matrix; returns the step outputs that go with it."""
    from bakegen.render.matrix import (
        github_outputs,
        layered_outputs,
        render_layered,
        render_matrix,
    )

    if chosen.layered:
        click.echo(render_layered(result, chosen.fmt), nl=False)
        return layered_outputs(result, chosen.fmt)
    click.echo(render_matrix(result, chosen.fmt), nl=False)
    return github_outputs(result, chosen.fmt)


def _echo_notes(result: Matrix) -> None:
    """The affected targets' reasons and every warning, on stderr."""
    from bakegen.render.matrix import affected_as_text

    if result.affected is not None:
        click.echo(affected_as_text(result.affected), nl=False, err=True)
        for note in result.affected.notes:
            click.echo(f"warning: {note}", err=True)
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)


def _summary(result: Matrix, layered: bool) -> str:
    summary = f"{plural(len(result.targets), 'target')}, {plural(len(result.entries), 'job')}"
    if layered:
        summary = f"{plural(len(result.base_targets), 'base')} to build, {summary}"
    return summary
