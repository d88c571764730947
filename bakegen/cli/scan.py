"""`bakegen scan`."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen.cli.common import report_warnings, root_argument


@click.command()
@root_argument
@click.option("--json", "as_json", is_flag=True, help="Print stable JSON instead of a table.")
def scan(root: Path, as_json: bool) -> None:
    """List every package found: ecosystem, name, path, service or library and why.

    Exit code 2 when the scan finds errors; they are listed one per line.
    """
    from bakegen.adopt.cost import cost_note, own_dockerfile_texts
    from bakegen.errors import ProblemsFound
    from bakegen.pipeline import load_settings
    from bakegen.render.report import scan_as_json, scan_as_table
    from bakegen.scan.repository import scan_repository

    config = load_settings(root)
    result = scan_repository(root, config)
    click.echo(scan_as_json(result) if as_json else scan_as_table(result), nl=False)
    if not as_json:
        report_warnings(result.warnings)
        note = cost_note(result, config, own_dockerfile_texts(root, result, config))
        if note:
            click.echo(f"note: {note}", err=True)
    if result.errors:
        raise ProblemsFound(result.errors)
