"""`bakegen new`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from bakegen.ecosystems import ECOSYSTEMS

if TYPE_CHECKING:
    from bakegen.onboarding.scaffold import NewResult, ScaffoldPlan


@click.command()
@click.argument("name")
@click.option(
    "--lang",
    type=click.Choice(sorted(eco.language for eco in ECOSYSTEMS.values())),
    required=True,
    help="Language of the service.",
)
@click.option(
    "--path",
    "path",
    help="Folder of the service, relative to the root (default: where the ecosystem's "
    "services live).",
)
@click.option(
    "--depends-on",
    "depends_on",
    multiple=True,
    metavar="PKG",
    help="Internal package the service depends on; repeatable or comma-separated.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    help="Port it listens on (default: the first from 8080 that no service has).",
)
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Repository root.",
)
@click.option(
    "--force", is_flag=True, help="Create it even if the repository has no such ecosystem yet."
)
@click.option("--no-lock", is_flag=True, help="Do not update the lockfile; print the command.")
@click.option("--dry-run", is_flag=True, help="Check everything, list the changes, write nothing.")
def new(
    name: str,
    lang: str,
    path: str | None,
    depends_on: tuple[str, ...],
    port: int | None,
    root: Path,
    force: bool,
    no_lock: bool,
    dry_run: bool,
) -> None:
    """Scaffold a new, runnable service NAME in the workspace's own convention.

    Creates the manifest and a tiny HTTP server answering GET /health on $PORT, registers
    the folder in the workspace when no member glob covers it, adds --depends-on packages
    in the ecosystem's own syntax, records the port in the config, updates the lockfile,
    and regenerates docker-bake.hcl. Anything invalid stops it before a file is written;
    a later failure puts every file back.
    """
    from bakegen.onboarding.context import NewRequest
    from bakegen.onboarding.scaffold import create_service, plan_service

    names = tuple(n.strip() for item in depends_on for n in item.split(",") if n.strip())
    request = NewRequest(name, lang, path, names, port, force, lock=not no_lock)
    if dry_run:
        plan = plan_service(root, request)
        click.echo(f"would create {lang} service {plan.name} in {plan.folder}")
        _list_changes(plan)
        if plan.lock is not None:
            click.echo(f"would run: {plan.lock.shown()}")
        click.echo("would regenerate docker-bake.hcl and the Dockerfiles")
        return
    result = create_service(root, request)
    _report(root, result)


def _report(root: Path, result: NewResult) -> None:
    from bakegen.bakecommand import bake_command, merged_compose_files
    from bakegen.onboarding.lock import LockStatus

    plan = result.plan
    pkg = result.package
    where = (
        f"workspace at {plan.workspace.root}, {plan.workspace.manager}"
        if plan.workspace else "standalone"
    )
    click.echo(f"created {plan.ecosystem} service {plan.name} in {plan.folder} ({where})")
    _list_changes(plan)
    if pkg.dependencies:
        deps = ", ".join(f"{d.name} ({d.kind.value})" for d in pkg.dependencies)
        click.echo(f"depends on: {deps}")
    if not plan.port_recorded:
        click.echo(
            f"port: {plan.port}, the skeleton's default; there is no bakegen config to record "
            f"it in for EXPOSE (`bakegen init` writes one)"
        )
    lock = result.lock
    if lock is not None:
        shown = f"`{lock.step.shown()}`"
        later = (f"so that {lock.step.lockfile} lists {plan.name} (images install from it "
                 "frozen), then `bakegen generate`")
        if lock.status is LockStatus.REFRESHED:
            click.echo(f"{lock.step.lockfile}: updated with {shown}")
        elif lock.status is LockStatus.SKIPPED:
            click.echo(f"next: run {shown} {later}")
        else:
            click.echo(f"warning: {shown} did not run: {lock.detail}", err=True)
            click.echo(f"next: run {shown} yourself {later}")
    gen = result.generated
    click.echo(
        f"regenerated: {len(gen.created)} created, {len(gen.updated)} updated, "
        f"{len(gen.removed)} removed"
        + (f" ({', '.join(gen.changed)})" if gen.changed else "")
    )
    click.echo(f"try it: {plan.local_command}")
    prefix = "" if root.resolve() == Path.cwd().resolve() else f"cd {root} && "
    bake = bake_command(root) if merged_compose_files(root) else "docker buildx bake"
    click.echo(f"next: {prefix}{bake} {plan.target}")


def _list_changes(plan: ScaffoldPlan) -> None:
    for change in plan.changes:
        summary = f": {change.summary}" if change.summary else ""
        click.echo(f"  {'+' if change.created else '~'} {change.path}{summary}")
