"""`bakegen generate`."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen.cli.common import check_platforms, check_registry, report_warnings, root_argument
from bakegen.wording import listing, plural


@click.command()
@root_argument
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and list the files that would change (CI drift gate).",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Write nothing; print a unified diff of the changes; exit 1 when there are any.",
)
@click.option("--force", is_flag=True, help="Overwrite files bakegen did not generate.")
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Write a bake file even when no package is found (otherwise exit 1).",
)
@click.option("--output-dir", help="Folder for generated Dockerfiles (default: docker).")
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    callback=check_platforms,
    help="Target platform, repeatable (default: linux/amd64 and linux/arm64).",
)
@click.option(
    "--registry", callback=check_registry, help="Registry and namespace images are tagged with."
)
@click.option(
    "--cache",
    type=click.Choice(["registry", "gha", "none"]),
    help="Build cache: registry refs, GitHub Actions cache, or none.",
)
@click.option(
    "--adopt",
    "adopt",
    multiple=True,
    is_flag=False,
    flag_value="*",
    metavar="[SERVICE]",
    help="Build services that keep their own Dockerfile on the shared bases instead "
    "(all of them, or the one named; repeatable, or comma-separated). Their Dockerfiles "
    "stay as they are and the `own` bake group still builds them.",
)
def generate(
    root: Path,
    check: bool,
    diff: bool,
    force: bool,
    allow_empty: bool,
    output_dir: str | None,
    platforms: tuple[str, ...],
    registry: str | None,
    cache: str | None,
    adopt: tuple[str, ...],
) -> None:
    """Write docker-bake.hcl, shared base Dockerfiles and one Dockerfile per service.

    Files are written atomically; a file without bakegen's generated header is never
    overwritten unless --force. Dockerfiles generated earlier for services that are gone
    are removed.
    """
    from bakegen.bakecommand import bake_command, merged_compose_files
    from bakegen.pipeline import Overrides, nothing_found, pending_changes, write
    from bakegen.pipeline import generate as run_pipeline
    from bakegen.write import unified_diff

    names = tuple(n.strip() for value in adopt for n in value.split(",") if n.strip())
    overrides = Overrides(registry, tuple(platforms), cache, output_dir, names)
    result = run_pipeline(root, overrides)
    report_warnings(result.scan.warnings)
    if result.note:
        click.echo(f"note: {result.note}", err=True)
    empty = nothing_found(root, result.scan)
    if empty and not allow_empty:
        click.echo(f"{empty}; nothing written (--allow-empty writes an empty bake file)", err=True)
        raise click.exceptions.Exit(1)
    changes = pending_changes(root, result, force)
    if diff:
        click.echo(unified_diff(root, result.files, changes), nl=False)
    if check:
        for rel in changes.changed:
            click.echo(f"would change: {rel}", err=True)
        if changes.changed:
            raise click.exceptions.Exit(1)
        click.echo(f"up to date: {plural(len(result.files), 'file')}")
        return
    if diff:
        if changes.changed:  # as `git diff --exit-code`: differences shown, exit 1
            raise click.exceptions.Exit(1)
        return
    write(root, result, changes)
    plan = result.plan
    bases = [name for b in plan.bases for name in (b.deps_target, b.production_target)]
    services = [s for s in plan.services if s.original_of is None]
    kept = len(plan.services) - len(services)
    click.echo(
        f"{plural(len(services), 'service')}, {plural(len(bases), 'base target')}"
        f"{f' ({listing(bases)})' if bases else ''}; "
        f"{len(changes.created)} created, {len(changes.updated)} updated, "
        f"{len(changes.removed)} removed, {len(changes.unchanged)} unchanged"
    )
    if kept:
        click.echo(f"adopted {plural(kept, 'service')}; `docker buildx bake own` still builds "
                   f"{'its original Dockerfile' if kept == 1 else 'their original Dockerfiles'}"
                   " to compare")
    compose = merged_compose_files(root)
    if compose:
        command = bake_command(root)
        click.echo(f"note: {compose[0]} is at the root and a plain `docker buildx bake` merges "
                   "its services in; name the bake files:")
        click.echo(f"next: {command} --print   then   {command}")
    else:
        click.echo("next: docker buildx bake --print   then   docker buildx bake")
