"""CI build matrices: the targets of the bake files, optionally only the affected ones,
optionally one entry per target and platform so that each platform builds natively."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bakegen.affected import find_affected
from bakegen.affected.result import Affected, AffectedRequest
from bakegen.bakefile import BakeFile, load_bakefile
from bakegen.errors import BakegenError
from bakegen.formats import FINGERPRINT_LABEL
from bakegen.platformcheck import platform_overrides
from bakegen.tagcheck import check_tags

#: GitHub-hosted runner per platform; anything else builds on amd64 under QEMU
NATIVE_RUNNERS = {
    "linux/amd64": "ubuntu-24.04",
    "linux/386": "ubuntu-24.04",
    "linux/arm64": "ubuntu-24.04-arm",
    "linux/arm64/v8": "ubuntu-24.04-arm",
}
DEFAULT_RUNNER = "ubuntu-24.04"
#: the platform a target without `platforms` builds for on a default runner
NATIVE_PLATFORM = "linux/amd64"


def slug(platform: str) -> str:
    """`linux/arm/v7` -> `linux-arm-v7`, usable in artifact names and cache tags."""
    return platform.replace("/", "-")


@dataclass(frozen=True, slots=True)
class BaseImage:
    """A shared base that CI mode pushes under a content-addressed tag."""

    target: str
    tag: str
    #: (context, dockerfile): bases of one Dockerfile share stages, so they build together
    source: tuple[str, str]
    platforms: tuple[str, ...] = ()


class _OnPlatforms:
    """`platform` and `platform_slug` of a job building `platforms` (one when split)."""

    __slots__ = ()
    platforms: tuple[str, ...]

    @property
    def platform(self) -> str:
        return self.platforms[0] if self.platforms else ""

    @property
    def platform_slug(self) -> str:
        return slug(self.platform)


@dataclass(frozen=True, slots=True)
class BaseJob(_OnPlatforms):
    """One wave-1 job: the bases of one Dockerfile in one bake, so the stages they share
    (the dependency install) run once; one job per platform when split."""

    targets: tuple[str, ...]
    tags: tuple[str, ...]
    platforms: tuple[str, ...]
    runner: str

    @property
    def unit(self) -> str:
        """A name for the job's artifacts: its first target."""
        return self.targets[0]


@dataclass(frozen=True, slots=True)
class MatrixEntry(_OnPlatforms):
    """One CI job: a target and the platforms it builds (exactly one when split)."""

    target: str
    platforms: tuple[str, ...]
    runner: str


@dataclass(frozen=True, slots=True)
class Matrix:
    """The entries of a matrix, in stable order, and the distinct targets they build."""

    entries: tuple[MatrixEntry, ...]
    split: bool
    affected: Affected | None = None
    #: CI mode's wave 1: the bases to build (only the missing ones once checked)
    bases: tuple[BaseImage, ...] = ()
    #: warnings for the user (a base tag the registry could not be asked about)
    notes: tuple[str, ...] = ()
    #: base Dockerfiles built per job: more than one only to stay within GitHub's limit
    base_group: int = 1
    #: merge the bases' platforms one job at a time (one entry per wave-1 job, not per
    #: base), when one entry per base would exceed GitHub's limit
    merge_by_job: bool = False

    @property
    def base_targets(self) -> tuple[str, ...]:
        return tuple(sorted({b.target for b in self.bases}))

    @property
    def base_jobs(self) -> tuple[BaseJob, ...]:
        """The bases grouped by Dockerfile and platforms, split per platform when split."""
        jobs = []
        for platforms, members in _base_units(self.bases, self.base_group):
            targets = tuple(b.target for b in members)
            tags = tuple(b.tag for b in members if b.tag)
            jobs += [BaseJob(targets, tags, on, runner)
                     for on, runner in placements(platforms, self.split)]
        jobs.sort(key=lambda j: (j.unit, j.platforms))
        return tuple(jobs)

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(sorted({e.target for e in self.entries}))


@dataclass(frozen=True, slots=True)
class MatrixRequest:
    """Which targets (all, or the affected ones when `affected` is set) and how to split."""

    affected: AffectedRequest | None = None
    split_platforms: bool = False
    layered: bool = False
    #: with `layered`: keep only the bases whose tag the registry does not have yet
    missing_bases: bool = False


def _base_units(
    bases: Iterable[BaseImage], size: int
) -> list[tuple[tuple[str, ...], list[BaseImage]]]:
    """(platforms, bases) of each base job: the bases of one Dockerfile together, and
    `size` Dockerfiles of the same platforms per job."""
    by_source: dict[tuple[tuple[str, str], tuple[str, ...]], list[BaseImage]] = {}
    for base in bases:
        by_source.setdefault((base.source, base.platforms), []).append(base)
    by_platforms: dict[tuple[str, ...], list[list[BaseImage]]] = {}
    for (_, platforms), members in sorted(by_source.items()):
        by_platforms.setdefault(platforms, []).append(sorted(members, key=lambda b: b.target))
    units = []
    for platforms, sources in by_platforms.items():
        for start in range(0, len(sources), size):
            units.append((platforms, [b for group in sources[start:start + size] for b in group]))
    return units


def runner_for(platform: str) -> str:
    """The GitHub-hosted runner that builds `platform` natively (amd64 when none does)."""
    return NATIVE_RUNNERS.get(platform, DEFAULT_RUNNER)


def placements(
    platforms: tuple[str, ...], split: bool
) -> list[tuple[tuple[str, ...], str]]:
    """(platforms, runner) of each job building a target: split, one job per platform on
    its native runner; otherwise one job for all of them."""
    if not split:
        return [(platforms, DEFAULT_RUNNER)]
    return [((platform,), runner_for(platform)) for platform in platforms or (NATIVE_PLATFORM,)]


def matrix_for(root: Path, request: MatrixRequest) -> Matrix:
    """Read the bake files at root and build the matrix the request asks for."""
    written = load_bakefile(root)
    bake = written.with_environment(os.environ)
    selected: Iterable[str] | None = None
    affected = None
    if request.affected is not None:
        affected = find_affected(root, request.affected)
        selected = affected.names
    result = build_matrix(bake, selected, request.split_platforms, affected)
    if request.layered:
        services = sorted({e.target for e in result.entries})
        bases = base_wave(bake, services)
        problems: tuple[str, ...] = ()
        if request.missing_bases and bases:
            check = check_tags(b.tag for b in bases if b.tag)
            bases = tuple(b for b in bases if b.tag not in check.present)
            problems += check.problems
        # a platform override the base tags cannot see pushes bases that lie about them
        problems += tuple(platform_overrides(root))
        result = dataclasses.replace(result, bases=bases, notes=problems)
    return bases_within_job_limit(within_job_limit(result))


#: GitHub Actions runs at most this many jobs from one matrix
MAX_JOBS = 256


def within_job_limit(matrix: Matrix, limit: int = MAX_JOBS) -> Matrix:
    """The matrix with its service targets grouped (`"a,b,c"`, built by one bake per job)
    when one job per target would give a matrix of more than `limit` jobs; a note says so.

    Targets are grouped among those with the same platforms, the same groups on every
    platform, so the per-target merge matrix (one entry per group) stays within it too.
    """
    targets = matrix.targets
    if len(matrix.entries) <= limit and len(targets) <= limit:
        return matrix
    placed: dict[str, list[MatrixEntry]] = {}
    for entry in matrix.entries:
        placed.setdefault(entry.target, []).append(entry)
    families: dict[tuple[tuple[str, ...], ...], list[str]] = {}
    for target in targets:
        key = tuple(e.platforms for e in placed[target])
        families.setdefault(key, []).append(target)
    size = 1
    while _jobs(families, size) > limit or _groups(families, size) > limit:
        size += 1
    entries = []
    for family, members in families.items():
        for start in range(0, len(members), size):
            group = ",".join(members[start:start + size])
            runners = [e.runner for e in placed[members[start]]]
            entries += [MatrixEntry(group, on, runner)
                        for on, runner in zip(family, runners, strict=True)]
    entries.sort(key=lambda e: (e.target, e.platforms))
    note = (f"{len(matrix.entries)} jobs exceed GitHub's {limit} per matrix: up to {size} "
            f"targets per job, {len(entries)} jobs")
    return dataclasses.replace(matrix, entries=tuple(entries), notes=(*matrix.notes, note))


def bases_within_job_limit(matrix: Matrix, limit: int = MAX_JOBS) -> Matrix:
    """The matrix with several base Dockerfiles per wave-1 job when one job per Dockerfile
    (and platform) would exceed `limit`; the merge matrix then lists one entry per job."""
    jobs = len(matrix.base_jobs)
    if jobs <= limit and len(matrix.base_targets) <= limit:
        return matrix
    size = 1
    while (len(dataclasses.replace(matrix, base_group=size).base_jobs) > limit
           or len(_base_units(matrix.bases, size)) > limit):
        size += 1
    grouped = dataclasses.replace(matrix, base_group=size, merge_by_job=True)
    note = (f"{jobs} base jobs and {len(matrix.base_targets)} bases to merge exceed GitHub's "
            f"{limit} per matrix: the bases of up to {size} Dockerfiles per job, "
            f"{len(grouped.base_jobs)} jobs, merged per job")
    return dataclasses.replace(grouped, notes=(*matrix.notes, note))


def _groups(families: Mapping[tuple[tuple[str, ...], ...], list[str]], size: int) -> int:
    return sum(-(-len(members) // size) for members in families.values())


def _jobs(families: Mapping[tuple[tuple[str, ...], ...], list[str]], size: int) -> int:
    return sum(-(-len(members) // size) * len(key) for key, members in families.items())


def build_matrix(
    bake: BakeFile,
    selected: Iterable[str] | None = None,
    split: bool = False,
    affected: Affected | None = None,
) -> Matrix:
    """Entries for the buildable targets of `bake` (only `selected` ones when given)."""
    wanted = None if selected is None else set(selected)
    entries: list[MatrixEntry] = []
    for target in bake.buildable():
        if wanted is not None and target.name not in wanted:
            continue
        platforms = _platforms(bake, target.platforms)
        entries += [MatrixEntry(target.name, on, runner)
                    for on, runner in placements(platforms, split)]
    entries.sort(key=lambda e: (e.target, e.platforms))
    return Matrix(tuple(entries), split, affected)


def _platforms(bake: BakeFile, declared: Sequence[str]) -> tuple[str, ...]:
    found: set[str] = set()
    for value in declared:
        expanded = bake.expand(value)
        found.update(p.strip() for p in str(expanded).split(",") if p.strip())
    return tuple(sorted(found))


def base_wave(bake: BakeFile, services: Iterable[str]) -> tuple[BaseImage, ...]:
    """The bakegen bases the given services build on (their `target:` contexts), each with
    the tag it is pushed under in CI mode. Other targets used as contexts (written by hand)
    stay `target:` contexts in CI mode too, so they are built with their services."""
    names = sorted({ref for name in services for ref in bake.targets[name].target_refs})
    bases = []
    for name in names:
        target = bake.targets.get(name)
        labels = target.attributes.get("labels") if target is not None else None
        if target is None or not isinstance(labels, Mapping) or FINGERPRINT_LABEL not in labels:
            continue
        tags = [str(bake.expand(tag)) for tag in target.tags]
        source = (str(bake.expand(target.context)), str(bake.expand(target.dockerfile)))
        platforms = _platforms(bake, target.platforms)
        bases.append(BaseImage(name, tags[0] if tags else "", source, platforms))
    return tuple(bases)


def write_github_output(path: Path, outputs: Sequence[tuple[str, str]]) -> None:
    """Append `name=value` lines to the file GitHub Actions reads step outputs from."""
    for name, value in outputs:
        if "\n" in value:
            raise BakegenError.at(path, f"output {name} must be one line")
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.writelines(f"{name}={value}\n" for name, value in outputs)
    except OSError as exc:
        raise BakegenError.at(path, f"cannot append GitHub outputs ({exc.strerror})") from exc
