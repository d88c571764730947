"""`bakegen graph`."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen.cli.common import report_warnings, root_argument
from bakegen.render.graph import FORMATS


@click.command()
@root_argument
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--services-only", is_flag=True, help="Only services, linked through libraries.")
@click.option("--include-dev", is_flag=True, help="Keep dev-only edges (tests, tooling).")
def graph(root: Path, fmt: str, services_only: bool, include_dev: bool) -> None:
    """Show the internal dependency graph, with the build order in waves."""
    from bakegen import graph as graphs
    from bakegen.pipeline import load_settings, scan
    from bakegen.render.graph import render_graph

    result = scan(root, load_settings(root))
    report_warnings(result.warnings)
    built = graphs.package_graph(result.packages, include_dev=include_dev)
    if services_only:
        built = graphs.services_only(built)
    click.echo(render_graph(built, fmt), nl=False)
