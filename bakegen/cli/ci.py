"""`bakegen ci github`."""

from __future__ import annotations

from pathlib import Path

import click

from bakegen import __version__
from bakegen.cli.common import root_argument


@click.group()
def ci() -> None:
    """Write CI workflows that build the affected bake targets."""


@ci.command()
@root_argument
@click.option(
    "--split-platforms/--no-split-platforms",
    default=None,
    help="One job per target and platform on native runners, merged into one "
    "multi-platform tag (default: on when the config lists several platforms).",
)
@click.option(
    "--branch",
    "branches",
    multiple=True,
    metavar="NAME",
    help="Branch whose pushes publish images, repeatable (default: main).",
)
@click.option(
    "--latest-branch",
    metavar="NAME",
    default=None,
    help="Branch whose pushes also tag `latest` (default: the first --branch; "
    "'' for none).",
)
@click.option(
    "--install",
    "install",
    metavar="COMMAND",
    default=None,
    help="Shell command that installs this bakegen version on the runner, e.g. "
    f"'pip install git+https://github.com/<owner>/bakegen@v{__version__}' (default: "
    "`install` in bakegen.toml); bakegen is not on PyPI.",
)
@click.option(
    "--pin-actions",
    is_flag=True,
    help="Pin every action to the commit of its release instead of its major version tag.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 when the workflow file is missing or differs.",
)
@click.option("--force", is_flag=True, help="Overwrite a workflow file bakegen did not write.")
def github(
    root: Path,
    split_platforms: bool | None,
    branches: tuple[str, ...],
    latest_branch: str | None,
    install: str | None,
    pin_actions: bool,
    check: bool,
    force: bool,
) -> None:
    """Write .github/workflows/bake.yml: affected matrix, bake jobs, multi-platform merge."""
    from bakegen.bakecommand import bake_files
    from bakegen.pipeline import load_settings
    from bakegen.render.workflow import (
        WORKFLOW_FILE,
        WorkflowSettings,
        install_command,
        render_workflow,
    )
    from bakegen.write import apply_changes, plan_changes

    config = load_settings(root)
    branches = branches or ("main",)
    settings = WorkflowSettings(
        registry=config.registry,
        split_platforms=len(config.platforms) > 1 if split_platforms is None else split_platforms,
        cache=config.cache,
        branches=branches,
        latest_branch=branches[0] if latest_branch is None else latest_branch or None,
        metadata_action=config.metadata_action,
        pin_actions=pin_actions,
        install=install_command(config.install if install is None else install),
        bake_files=bake_files(root),
    )
    files = {WORKFLOW_FILE: render_workflow(settings)}
    changes = plan_changes(root, files, (), force=force)
    if check:
        _warn_platform_overrides(root)
        if changes.changed:
            click.echo(f"would change: {WORKFLOW_FILE}", err=True)
            raise click.exceptions.Exit(1)
        click.echo(f"up to date: {WORKFLOW_FILE}")
        return
    apply_changes(root, files, changes)
    _warn_platform_overrides(root)
    state = "created" if changes.created else "updated" if changes.updated else "unchanged"
    click.echo(f"{WORKFLOW_FILE}: {state}")
    host = (settings.registry_host or "").split(":")[0]
    if host in ("localhost", "127.0.0.1"):
        click.echo(
            f'warning: registry "{config.registry}" is not reachable from GitHub '
            "runners; set registry in bakegen.toml",
            err=True,
        )


def _warn_platform_overrides(root: Path) -> None:
    """Warn of each platform override the CI-mode base tags cannot see (the workflow as
    written, the repo's other CI files, the override file)."""
    from bakegen.platformcheck import platform_overrides

    for warning in platform_overrides(root):
        click.echo(f"warning: {warning}", err=True)
