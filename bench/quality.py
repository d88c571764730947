"""Plan quality: dependency installs per full bake, and what each build context admits."""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.context import Node, admitted, parse_dockerignore, snapshot, totals

#: folders a scanner never enters: the "source" size of a repository leaves them out
NOISE_DIRS = frozenset({"node_modules", "target", ".venv", "venv", "__pycache__", "dist",
                        ".git", ".pnpm-store", ".yarn"})
#: package-manager commands that install third-party dependencies (compiling is not one)
INSTALL = re.compile(
    r"\b(?:npm\s+(?:ci|install|i)\b|yarn\s+(?:install\b|workspaces\s+focus\b)"
    r"|pnpm\s+(?:install|i|fetch)\b|bun\s+install\b|uv\s+sync\b|uv\s+pip\s+install\b"
    r"|pip3?\s+install\b|poetry\s+install\b|cargo\s+(?:fetch|vendor)\b)"
)
#: an install that takes what an earlier step fetched (a cache, local wheels): no network
OFFLINE = re.compile(r"--(?:prefer-)?offline\b|--no-index\b")
#: installing a package manager or a build backend, not the workspace's dependencies
TOOL = re.compile(
    r"\bnpm\s+(?:install|i)\b[^&|;]*\s(?:-g|--global)\b|\bcorepack\b"
    r"|\bpip3?\s+install\b[^&|;]*\s(?:uv|poetry|pipx|pip|setuptools|wheel|hatchling)"
    r"(?:[=<>~!]=?[^\s&|;]*)?(?:\s|$)"
)


def classify(instruction: str) -> str:
    """`offline` (derived from what was fetched), `tool` (set-up) or `dependencies`."""
    if OFFLINE.search(instruction):
        return "offline"
    if TOOL.search(instruction):
        return "tool"
    return "dependencies"


@dataclass(frozen=True, slots=True)
class InstallCount:
    """Install steps in the generated Dockerfiles, split by where they run."""

    base_dockerfiles: int
    service_dockerfiles: int
    base_installs: int
    service_installs: int
    offline_installs: int
    tool_installs: int
    commands: tuple[str, ...]
    naive: int

    @property
    def per_bake(self) -> int:
        """Install steps one full `docker buildx bake` runs: each base once, each service once."""
        return self.base_installs + self.service_installs

    @property
    def network(self) -> int:
        """Of those, the ones that download the workspace's dependencies."""
        return self.per_bake - self.offline_installs - self.tool_installs


@dataclass(frozen=True, slots=True)
class ContextSize:
    """Files and bytes a target's pruned context admits."""

    target: str
    kind: str
    files: int
    bytes: int


def instructions(dockerfile: str) -> list[str]:
    """Instructions of a Dockerfile with continuation lines joined and comments dropped."""
    result: list[str] = []
    current = ""
    for raw in dockerfile.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        result.append(current + line)
        current = ""
    if current:
        result.append(current)
    return result


def count_installs(files: Mapping[str, str], services: int, output_dir: str) -> InstallCount:
    """Install RUN steps in generated base and service Dockerfiles; `naive` = one/service."""
    base_files = service_files = base_installs = service_installs = offline = tools = 0
    commands: set[str] = set()
    for path, text in files.items():
        if not path.endswith("Dockerfile"):
            continue
        is_service = path.startswith(f"{output_dir}/services/")
        if is_service:
            service_files += 1
        else:
            base_files += 1
        for inst in instructions(text):
            if not inst.upper().startswith("RUN"):
                continue
            found = INSTALL.findall(inst)
            if not found:
                continue
            commands.update(" ".join(f.split()) for f in found)
            if is_service:
                service_installs += 1
            else:
                base_installs += 1
            kind = classify(inst)
            offline += kind == "offline"
            tools += kind == "tool"
    return InstallCount(base_files, service_files, base_installs, service_installs, offline,
                        tools, tuple(sorted(commands)), services)


def context_sizes(
    tree: Node, files: Mapping[str, str], targets: list[tuple[str, str, str]],
    fallback_ignore: str,
) -> list[ContextSize]:
    """For (target, kind, dockerfile) triples: what `<dockerfile>.dockerignore` admits."""
    result = []
    for target, kind, dockerfile in targets:
        ignore = files.get(f"{dockerfile}.dockerignore", fallback_ignore)
        count, size = admitted(tree, parse_dockerignore(ignore))
        result.append(ContextSize(target, kind, count, size))
    return result


@dataclass(frozen=True, slots=True)
class Quality:
    """Plan quality of one repository."""

    repo_files: int
    repo_bytes: int
    source_files: int
    source_bytes: int
    installs: InstallCount
    bases: tuple[ContextSize, ...]
    services: tuple[ContextSize, ...]
    services_total: int

    def service_summary(self) -> dict[str, float]:
        sizes = sorted(c.bytes for c in self.services)
        if not sizes:
            return {}
        return {
            "median": statistics.median(sizes),
            "p90": sizes[min(len(sizes) - 1, int(len(sizes) * 0.9))],
            "max": sizes[-1],
            "median_files": statistics.median(c.files for c in self.services),
        }


def measure_quality(root: Path, sample: int = 60) -> Quality:
    """Generate in-process and measure the plan; at most `sample` services are sized."""
    from bakegen.pipeline import generate

    result = generate(root)
    plan = result.plan
    tree = snapshot(root)
    repo_files, repo_bytes = totals(tree)
    source_files, source_bytes = totals(tree, NOISE_DIRS)
    installs = count_installs(result.files, len(plan.services), plan.output_dir)
    try:
        fallback = (root / ".dockerignore").read_text(encoding="utf-8")
    except OSError:
        fallback = ""
    base_targets = [(b.deps_target, "base", b.dockerfile) for b in plan.bases]
    services = list(plan.services)
    step = max(1, len(services) // sample) if sample else 1
    chosen = services[::step][:sample] if sample else services
    service_targets = [(s.target, "service", s.dockerfile) for s in chosen]
    return Quality(
        repo_files=repo_files,
        repo_bytes=repo_bytes,
        source_files=source_files,
        source_bytes=source_bytes,
        installs=installs,
        bases=tuple(context_sizes(tree, result.files, base_targets, fallback)),
        services=tuple(context_sizes(tree, result.files, service_targets, fallback)),
        services_total=len(services),
    )
