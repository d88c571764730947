"""Bring a lockfile up to date after a workspace gained a member.

Every generated image installs from the lockfile with a frozen flag (`uv sync --locked`,
`cargo build --locked`, `npm ci`, `pnpm install --frozen-lockfile`, ...), so a lockfile that
does not list the new member fails the build. The command for each package manager only
updates the lockfile: it installs nothing and, since a scaffolded service brings no
third-party dependency, it normally needs no network. yarn classic is the exception that
needs nothing: its lockfile lists no workspace package.
"""

from __future__ import annotations

import enum
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bakegen.ecosystems import ECOSYSTEMS
from bakegen.model import Workspace
from bakegen.tree import join

#: manager -> the command that updates its lockfile only, from every ecosystem
LOCK_COMMANDS: dict[str, tuple[str, ...]] = {
    manager: command
    for ecosystem in ECOSYSTEMS.values()
    for manager, command in ecosystem.lock_commands.items()
}
LOCK_TIMEOUT = 300.0


@dataclass(frozen=True, slots=True)
class LockStep:
    """A command to run in a workspace root so that `lockfile` lists a new member."""

    command: tuple[str, ...]
    cwd: str
    lockfile: str

    def shown(self) -> str:
        """How a user would type it from the repository root."""
        where = "" if self.cwd == "." else f"cd {self.cwd} && "
        return where + " ".join(self.command)


class LockStatus(str, enum.Enum):
    REFRESHED = "refreshed"
    SKIPPED = "skipped"  # --no-lock
    NO_TOOL = "no-tool"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class LockOutcome:
    """What happened to a stale lockfile; `detail` is the tool's first error line."""

    step: LockStep
    status: LockStatus
    detail: str = ""


def lock_step(workspace: Workspace) -> LockStep | None:
    """The lock command a new member of `workspace` needs, if its lockfile lists members."""
    if workspace.lockfile is None:
        return None
    command = LOCK_COMMANDS.get(workspace.manager)
    if command is None:
        return None
    return LockStep(command, workspace.root, workspace.lockfile)


def find_tool(name: str) -> str | None:
    """The executable `name`: the one installed beside bakegen's Python first, then PATH.

    Looking beside `sys.executable` first finds the uv installed with bakegen even where a
    version-manager shim on PATH would pick another interpreter without it.
    """
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def error_line(output: str) -> str:
    """The line of a tool's output that says what went wrong: the first `error...` line (tools
    print progress first), else the last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return next((line for line in lines if line.lower().startswith("error")),
                lines[-1] if lines else "")


def run_lock(root: Path, step: LockStep, timeout: float = LOCK_TIMEOUT) -> LockOutcome:
    """Run the step in its workspace root; never raises for a failing or missing tool."""
    tool = find_tool(step.command[0])
    if tool is None:
        return LockOutcome(step, LockStatus.NO_TOOL, f"{step.command[0]} is not installed")
    try:
        done = subprocess.run(
            [tool, *step.command[1:]],
            cwd=root / join(".", step.cwd),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return LockOutcome(step, LockStatus.FAILED, f"no answer after {timeout:g} s")
    except OSError as exc:
        return LockOutcome(step, LockStatus.FAILED, str(exc))
    if done.returncode != 0:
        return LockOutcome(step, LockStatus.FAILED, error_line(done.stderr or done.stdout)
                           or f"exit code {done.returncode}")
    return LockOutcome(step, LockStatus.REFRESHED)
