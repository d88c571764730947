"""`bakegen affected`."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen.cli.common import root_argument
from bakegen.wording import plural


@click.command()
@root_argument
@click.option(
    "--base",
    required=True,
    metavar="REF",
    help="Compare against this ref (its merge-base with --head).",
)
@click.option("--head", metavar="REF", help="The changed revision (default: HEAD).")
@click.option(
    "--worktree",
    is_flag=True,
    help="Compare the working tree (uncommitted and untracked files too).",
)
@click.option("--include-dev", is_flag=True, help="Follow dev-only dependency edges too.")
@click.option("--json", "as_json", is_flag=True, help="Print stable JSON instead of text.")
def affected(
    root: Path, base: str, head: str | None, worktree: bool, include_dev: bool, as_json: bool
) -> None:
    """List the bake targets a git change affects, each with its reasons.

    Text output is one `target: reason` line per reason; a summary goes to stderr.
    """
    from bakegen.affected import find_affected
    from bakegen.affected.result import AffectedRequest
    from bakegen.render.matrix import affected_as_json, affected_as_text

    if worktree and head:
        raise click.UsageError("--worktree compares the working tree; leave out --head")
    result = find_affected(root, AffectedRequest(base, head, worktree, include_dev))
    if as_json:
        click.echo(affected_as_json(result), nl=False)
    else:
        click.echo(affected_as_text(result), nl=False)
        click.echo(
            f"{plural(len(result.targets), 'target')} affected by "
            f"{plural(len(result.changes), 'changed path')} "
            f"({result.base[:12]}...{result.head[:12]})",
            err=True,
        )
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
