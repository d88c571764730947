"""The `docker buildx bake` command that reads exactly bakegen's bake files.

Without `-f`, bake reads every file of its default list it finds in the folder:
`compose.yaml`, `compose.yml`, `docker-compose.yml`, `docker-compose.yaml`, then
`docker-bake.json`, `docker-bake.hcl` and their `.override` files, merged in that order. A
compose file at the root then adds its services as targets and fails the whole bake on what
only compose can resolve (`env file .env not found`). Naming the files avoids it; an explicit
`-f` also stops bake from reading `docker-bake.override.hcl` on its own, so it is named too
when present.
"""

from __future__ import annotations

from pathlib import Path

from bakegen.render.bake import BAKE_FILE, OVERRIDE_FILE
from bakegen.scan.evidence import COMPOSE_FILES


def bake_files(root: Path) -> tuple[str, ...]:
    """docker-bake.hcl, and docker-bake.override.hcl when the repo has one."""
    return (BAKE_FILE, OVERRIDE_FILE) if (root / OVERRIDE_FILE).is_file() else (BAKE_FILE,)


def merged_compose_files(root: Path) -> tuple[str, ...]:
    """Compose files at the root that a plain `docker buildx bake` would merge in."""
    return tuple(name for name in COMPOSE_FILES if (root / name).is_file())


def bake_command(root: Path) -> str:
    """`docker buildx bake -f docker-bake.hcl [-f docker-bake.override.hcl]`."""
    return "docker buildx bake " + " ".join(f"-f {name}" for name in bake_files(root))
