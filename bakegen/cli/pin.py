"""`bakegen pin`."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen.cli.common import report_warnings, root_argument


@click.command()
@root_argument
@click.option("--mirror", metavar="URL",
              help="Ask this registry mirror for Docker Hub images (http://127.0.0.1:5000).")
@click.option("--dry-run", is_flag=True, help="Print the digests, write nothing.")
def pin(root: Path, mirror: str | None, dry_run: bool) -> None:
    """Resolve every base image to its digest and write them into the config."""
    from bakegen import pin as pins
    from bakegen.pipeline import generate

    generated = generate(root)
    report_warnings(generated.scan.warnings)
    images = [
        (base.ecosystem, field_name, var.default)
        for base in generated.plan.bases
        for field_name, var in (("build", base.build_image), ("runtime", base.runtime_image))
    ]
    found, notes = pins.plan_pins(images, lambda ref: pins.resolve(ref, mirror=mirror))
    for note in notes:
        click.echo(note)
    for one in found:
        click.echo(f"[images.{one.ecosystem}] {one.field} = {one.after}")
    if not found:
        click.echo("nothing to pin")
        return
    rel, in_pyproject = pins.config_file(root)
    if dry_run:
        click.echo(f"would write {rel}")
        return
    path = root / rel
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    path.write_text(pins.write_pins(text, found, in_pyproject), encoding="utf-8")
    click.echo(f"wrote {rel}; next: bakegen generate (the Dockerfiles' FROM defaults follow)")
