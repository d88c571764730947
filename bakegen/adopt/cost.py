"""What the services that keep their own Dockerfiles cost a full bake, in installs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bakegen.adopt.choose import own_images
from bakegen.config import Config
from bakegen.model import ScanResult
from bakegen.plan import own_dockerfile
from bakegen.wording import plural

ADOPT_COMMAND = "bakegen generate --adopt"


def own_dockerfile_texts(root: Path, scan: ScanResult, config: Config) -> dict[str, str]:
    """The text of each service's own Dockerfile that can be read (the others are left
    out: `generate` reports them)."""
    texts = {}
    for pkg in scan.packages:
        path = own_dockerfile(pkg, config.service(pkg.name)) if pkg.deployable else None
        if path is None or path in texts:
            continue
        try:
            texts[path] = (root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return texts


def cost_note(scan: ScanResult, config: Config, texts: Mapping[str, str]) -> str | None:
    """`5 services keep their own Dockerfiles: 5 dependency installs per full bake
    (bakegen's plan: 1); ...`, or None when no service keeps one."""
    images = own_images(scan, config, texts)
    if not images:
        return None
    installs = sum(len(image.installs) for image in images.values())
    workspaces = {(scan.package(pid).ecosystem, scan.package(pid).workspace) for pid in images}
    keep = "keeps its own Dockerfile" if len(images) == 1 else "keep their own Dockerfiles"
    return (f"{plural(len(images), 'service')} {keep}: "
            f"{plural(installs, 'dependency install')} per full bake "
            f"(bakegen's plan: {len(workspaces)}); `{ADOPT_COMMAND}` builds "
            f"{'it' if len(images) == 1 else 'them'} on the shared bases")
