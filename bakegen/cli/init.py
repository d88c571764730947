"""`bakegen init`."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen.cli.common import report_warnings, root_argument
from bakegen.render.report import counts
from bakegen.wording import plural


@click.command()
@root_argument
@click.option(
    "--pyproject",
    is_flag=True,
    help="Write [tool.bakegen] into the root pyproject.toml instead of bakegen.toml.",
)
@click.option("--force", is_flag=True, help="Rewrite an existing config; its settings are kept.")
def init(root: Path, pyproject: bool, force: bool) -> None:
    """Write a starting bakegen.toml from what the scan detects.

    The file holds the settings bakegen uses now (registry, platforms, cache mode, base
    images, per-service settings), each with a comment, and lists the ecosystems, package
    managers and services found. An existing config is never replaced without --force.
    """
    from bakegen.onboarding.init import init_config

    result = init_config(root, pyproject=pyproject, force=force)
    report_warnings(result.scan.problems)
    change = result.change
    scan = result.scan
    ecosystems = len({ws.ecosystem for ws in scan.workspaces})
    verb = "rewrote" if result.replaced else "wrote"
    where = f"{change.path} [tool.bakegen]" if pyproject else change.path
    click.echo(
        f"{verb} {where}: {plural(ecosystems, 'ecosystem')}, "
        f"{counts(scan.packages)}"
    )
    for note in result.notes:
        click.echo(f"note: {note}")
    if pyproject:
        click.echo("note: pyproject.toml is an input of the Python base image, so its "
                   "fingerprint changes: regenerate")
    click.echo("next: bakegen generate")
