"""`bakegen matrix`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from bakegen.cli.common import root_argument
from bakegen.wording import plural


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
def matrix(
    root: Path,
    only_affected: bool,
    base: str | None,
    head: str | None,
    worktree: bool,
    include_dev: bool,
    split_platforms: bool,
    fmt: str,
    layered: bool,
    missing_bases: bool,
    github_output: bool,
) -> None:
    """Print a build matrix {"include": [...]} of the bake file's targets.

    Targets come from docker-bake.hcl and docker-bake.override.hcl, so targets written
    by hand are included; the shared base targets build as part of their services.
    """
    from bakegen.affected import AffectedRequest
    from bakegen.matrix import MatrixRequest, matrix_for, write_github_output
    from bakegen.render.matrix import (
        affected_as_text,
        github_outputs,
        layered_outputs,
        render_layered,
        render_matrix,
    )

    if only_affected and not base:
        raise click.UsageError("--affected needs --base REF")
    if not only_affected and (base or head or worktree or include_dev):
        raise click.UsageError("--base, --head, --worktree and --include-dev need --affected")
    if missing_bases and not layered:
        raise click.UsageError("--missing-bases needs --layered")
    if worktree and head:
        raise click.UsageError("--worktree compares the working tree; leave out --head")
    output_file = None
    if github_output:
        name = os.environ.get("GITHUB_OUTPUT")
        if not name:
            raise click.UsageError("--github-output: $GITHUB_OUTPUT is not set")
        output_file = Path(name)
    request = MatrixRequest(
        affected=AffectedRequest(base, head, worktree, include_dev) if base else None,
        split_platforms=split_platforms,
        layered=layered,
        missing_bases=missing_bases,
    )
    result = matrix_for(root, request)
    if layered:
        click.echo(render_layered(result, fmt), nl=False)
        outputs = layered_outputs(result, fmt)
    else:
        click.echo(render_matrix(result, fmt), nl=False)
        outputs = github_outputs(result, fmt)
    if output_file is not None:
        write_github_output(output_file, outputs)
    if result.affected is not None:
        click.echo(affected_as_text(result.affected), nl=False, err=True)
        for note in result.affected.notes:
            click.echo(f"warning: {note}", err=True)
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
    summary = f"{plural(len(result.targets), 'target')}, {plural(len(result.entries), 'job')}"
    if layered:
        summary = f"{plural(len(result.base_targets), 'base')} to build, {summary}"
    click.echo(summary, err=True)
