"""Services the repository declares itself: compose `build:` entries and its Dockerfiles.

Each declared build is attached to the package it builds, first match wins:

1. a compose `build:` whose context is a package folder, or that copies one;
2. a plain `Dockerfile` (or `Containerfile`) in a package folder: that package, whatever
   name a compose file gives it;
3. the package folders its COPY/ADD lines read (a Dockerfile copying `services/api/` and
   `libs/common/`, where api needs common, builds api);
4. its name: `docker/api-gateway.Dockerfile`, `Dockerfile.api-gateway` or compose service
   `api-gateway` builds the package named `api-gateway`, or kept in a folder of that name
   (`_` and `-` alike);
5. a Dockerfile copying its whole context (`COPY . .`, then `turbo prune --scope=@acme/web`)
   builds the package it names clearly more often than any other.

A Dockerfile that copies no package path (`FROM clickhouse/clickhouse-server` plus a config
file) is infrastructure: reported, never attached. Dockerfiles for development or CI
(`Dockerfile.dev`, `test.Dockerfile`) and bakegen's own generated ones are left out.

The context a build expects is compose's `build.context` when given; otherwise the
repository root when its COPY paths exist there rather than next to the Dockerfile, else the
package folder holding it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bakegen.dockerfiles import DockerfileInfo, dockerfile_name, is_dev_variant, read_dockerfile
from bakegen.ecosystems import ECOSYSTEMS
from bakegen.errors import BakegenError, Found, Problem
from bakegen.formats import is_generated
from bakegen.manifests import load_yaml
from bakegen.model import Package, Skipped
from bakegen.scan.scope import Scope
from bakegen.tree import SourceTree, is_within, iter_parents, join, normalize, parent

#: the compose files `docker compose` and `docker buildx bake` read by default
COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


@dataclass(frozen=True, slots=True)
class Build:
    """One image build the repo declares: a Dockerfile, its context, the name it goes by."""

    dockerfile: str
    name: str
    #: compose's context (repository-relative), or None to infer it from the Dockerfile
    context: str | None = None
    #: the compose file declaring it, or None for a Dockerfile found on its own
    compose: str | None = None
    #: the Dockerfile stage compose builds (`build.target`)
    stage: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A declared build attached to the package it builds."""

    manifest: str
    dockerfile: str
    context: str
    reason: str
    #: the compose service name, which names the image
    service_name: str | None = None
    #: the compose file, or a Dockerfile kept outside the package's folder: a declaration
    #: of the repo's services as a set (None for a Dockerfile in the package's own folder)
    declared_by: str | None = None
    #: the Dockerfile stage to build, when compose names one
    stage: str | None = None
    #: the build's own name (compose service or file name) is the package's
    by_name: bool = False


@dataclass(frozen=True, slots=True)
class Unattached:
    """A readable Dockerfile that builds no package, and the context it expects."""

    dockerfile: str
    #: compose's service name, or the Dockerfile's file-name part (`Dockerfile.proxy`)
    name: str
    context: str
    compose: str | None = None
    stage: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Every declared build, attached or reported, and the compose files found."""

    attached: Mapping[str, Attachment]
    skipped: tuple[Skipped, ...] = ()
    problems: tuple[Problem, ...] = ()
    compose_files: tuple[str, ...] = ()
    #: Dockerfiles building no package (reported in `skipped` too)
    unattached: tuple[Unattached, ...] = ()


def find_evidence(tree: SourceTree, packages: Iterable[Package], scope: Scope) -> Evidence:
    """Attach the repo's compose builds and Dockerfiles to the packages they build."""
    packages = tuple(packages)
    problems: list[Problem] = []
    composes = [rel for name in COMPOSE_FILES for rel in tree.named(name)
                if scope.default_reason(rel) is None]
    builds: list[Build] = []
    for rel in sorted(composes):
        compose = _compose_builds(tree, rel)
        builds.extend(compose.value)
        problems.extend(compose.problems)
    declared = {b.dockerfile for b in builds}
    skipped: list[Skipped] = []
    for rel in _dockerfiles(tree, scope):
        if rel in declared:
            continue
        name = dockerfile_name(rel) or ""
        if is_dev_variant(name):
            skipped.append(Skipped(rel, "a Dockerfile for development or CI, not a service"))
            continue
        builds.append(Build(rel, name))
    matcher = _Matcher(tree, packages)
    found: list[tuple[tuple[int, bool, bool, str], Build, Attachment]] = []
    unattached: list[Unattached] = []
    infos: dict[str, DockerfileInfo | None] = {}
    for build in builds:
        if build.dockerfile not in infos:
            # bakegen's own Dockerfiles are no evidence: told by their header, before parsing
            # (a thousand generated ones took 3 s to parse at 10,000 packages)
            if _generated(tree, build.dockerfile):
                infos[build.dockerfile] = None
                continue
            read = _info(tree, build.dockerfile)
            problems.extend(read.problems)
            infos[build.dockerfile] = read.value
        info = infos[build.dockerfile]
        if info is None:
            continue
        result = matcher.attach(build, info)
        if isinstance(result, Skipped):
            skipped.append(result)
            if info.problem is None:
                unattached.append(Unattached(build.dockerfile, build.name,
                                             matcher.own_context(build, info), build.compose,
                                             build.stage))
        else:
            # compose first; of several builds of one package the one named like it, then
            # one not named for development or CI (`dashboard-test`)
            rank, where = _priority(build)
            dev = is_dev_variant(result.service_name or "")
            found.append(((rank, not result.by_name, dev, where), build, result))
    attached: dict[str, Attachment] = {}
    for _, build, attachment in sorted(found, key=lambda item: item[0]):
        first = attached.setdefault(attachment.manifest, attachment)
        what = f"compose service {build.name}" if build.compose else build.dockerfile
        if first is not attachment and first.dockerfile != attachment.dockerfile:
            skipped.append(Skipped(build.compose or build.dockerfile, (
                f"{what} builds {attachment.manifest} too, which {first.dockerfile} "
                "already builds")))
        elif first is not attachment and first.stage != attachment.stage:
            # another target of the same Dockerfile (an all-in-one image): one image per
            # package, and the rest said rather than dropped
            skipped.append(Skipped(build.compose or build.dockerfile, (
                f"{what} builds {attachment.manifest} too ({build.dockerfile} target "
                f"{attachment.stage or 'last'}), which its target {first.stage or 'last'} "
                "already builds")))
    return Evidence(attached, tuple(sorted(set(skipped))), tuple(problems),
                    tuple(sorted(composes)), tuple(unattached))


def _priority(build: Build) -> tuple[int, str]:
    """Compose entries first, then plain Dockerfiles, then named ones."""
    return (0 if build.compose else 1 if build.name == "" else 2, build.dockerfile)


def _dockerfiles(tree: SourceTree, scope: Scope) -> list[str]:
    found = []
    for rel in tree.files:
        base = rel.rsplit("/", 1)[-1]
        if "ockerfile" not in base and "ontainerfile" not in base:
            continue  # quick test before the regex
        if dockerfile_name(rel) is not None and scope.default_reason(rel) is None:
            found.append(rel)
    return found


def _generated(tree: SourceTree, rel: str) -> bool:
    try:
        return is_generated(tree.read_text(rel))
    except BakegenError:
        return False


def _info(tree: SourceTree, rel: str) -> Found[DockerfileInfo | None]:
    try:
        text = tree.read_text(rel)
    except BakegenError as exc:
        if rel.rsplit("/", 1)[-1] in ("Dockerfile", "Containerfile"):
            return Found(DockerfileInfo(rel, problem=str(exc)))  # its folder's, by location
        return Found(None, (Problem.warning(rel, f"{exc.message}; not used"),))
    return Found(read_dockerfile(rel, text))


def _compose_builds(tree: SourceTree, rel: str) -> Found[list[Build]]:
    try:
        data = load_yaml(tree, rel)
    except BakegenError as exc:
        return Found([], (Problem.warning(rel, f"{exc.message}; not used"),))
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return Found([])
    builds = []
    problems: list[Problem] = []
    for name, service in sorted(services.items(), key=lambda item: str(item[0])):
        build = service.get("build") if isinstance(service, dict) else None
        found = _compose_build(rel, str(name), build)
        problems.extend(found.problems)
        if found.value is not None and not tree.exists(found.value.dockerfile):
            problems.append(Problem.warning(
                rel, f'service "{name}" builds {found.value.dockerfile}, which does not exist'))
        elif found.value is not None:
            builds.append(found.value)
    return Found(builds, tuple(problems))


def _compose_build(rel: str, name: str, build: Any) -> Found[Build | None]:
    found = _compose_source(build)
    if found is None:
        return Found(None)
    context, dockerfile = found
    folder = join(parent(rel), context)
    path = join(folder, dockerfile)
    if folder.startswith("..") or path.startswith(".."):
        return Found(None, (Problem.warning(
            rel, f'service "{name}" builds from outside the repository; not used'),))
    stage = build.get("target") if isinstance(build, dict) else None
    return Found(Build(path, name, context=folder, compose=rel,
                       stage=stage if isinstance(stage, str) and stage else None))


def _compose_source(build: Any) -> tuple[str, str] | None:
    """(context, dockerfile) of a compose `build:` bakegen can follow, else None."""
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    elif isinstance(build, dict):
        context = build.get("context", ".")
        dockerfile = build.get("dockerfile", "Dockerfile")
        if "dockerfile_inline" in build:
            return None
    else:
        return None
    if not isinstance(context, str) or not isinstance(dockerfile, str):
        return None
    if "://" in context or context.startswith("git@") or "$" in context + dockerfile:
        return None  # a remote context, or one only the environment decides
    return context, dockerfile


class _Matcher:
    """Finds the package a build builds, and the context it expects."""

    def __init__(self, tree: SourceTree, packages: tuple[Package, ...]) -> None:
        self._tree = tree
        self._by_folder: dict[str, list[Package]] = {}
        for pkg in packages:
            self._by_folder.setdefault(pkg.path, []).append(pkg)
        self._by_name: dict[str, list[Package]] = {}
        for pkg in packages:
            for key in {_key(pkg.name.rsplit("/", 1)[-1]), _key(pkg.path.rsplit("/", 1)[-1])}:
                self._by_name.setdefault(key, []).append(pkg)
        self._folders = _folders(tree)

    def attach(self, build: Build, info: DockerfileInfo) -> Attachment | Skipped:
        home = self._home(parent(build.dockerfile))
        context = build.context or self._context(build, info, home)
        via = f"compose service {build.name} in {build.compose}" if build.compose else None
        pkg, how = self._package(build, info, home, context)
        if pkg is None:
            image = f" (FROM {info.images[-1]})" if info.images else ""
            what = info.problem or f"copies no package path{image}: infrastructure, not a service"
            return Skipped(build.dockerfile, what)
        reason = f"built by {build.dockerfile} ({', '.join(x for x in (via, how) if x)})"
        inside = pkg.path != "." and is_within(build.dockerfile, pkg.path)
        declared_by = build.compose or (None if inside else build.dockerfile)
        named_like = _key(build.name) in {_key(pkg.name.rsplit("/", 1)[-1]),
                                          _key(pkg.path.rsplit("/", 1)[-1])}
        # compose's name names the image unless it is another package's (`server:` building
        # apps/dashboard/Dockerfile): then two images would go by one name
        others = [p for p in self._by_name.get(_key(build.name), []) if p.path != pkg.path]
        service_name = build.name if build.compose and (named_like or not others) else None
        return Attachment(pkg.manifest, build.dockerfile, context, reason, service_name,
                          declared_by, build.stage, named_like)

    def own_context(self, build: Build, info: DockerfileInfo) -> str:
        """The context of a Dockerfile building no package: compose's, else the repository
        root when its COPY paths live there rather than beside it, else its own folder."""
        if build.context is not None:
            return build.context
        local = parent(build.dockerfile)
        sources = [s for s in info.copies if s != "."]
        at_root = sum(self._exists(s) for s in sources)
        here = sum(self._exists(join(local, s)) for s in sources)
        return "." if local == "." or at_root > here else local

    def _package(
        self, build: Build, info: DockerfileInfo, home: str | None, context: str
    ) -> tuple[Package | None, str]:
        if build.compose and build.context in self._by_folder and build.context != ".":
            return self._pick(self._by_folder[build.context], info), "its context"
        folder = parent(build.dockerfile)
        if home is not None and build.name == "" and not build.compose and (
                home != "." or folder == "."):
            # below a root package, only the root's own Dockerfile is the root's by place
            return self._pick(self._by_folder[home], info), "in its folder"
        if build.compose and home not in (None, ".") and dockerfile_name(build.dockerfile) == "":
            # a plain Dockerfile in a package's folder builds that package, whatever compose
            # calls the service (`server:` building apps/dashboard/Dockerfile)
            return self._pick(self._by_folder[home], info), "in its folder"
        copied = self._copied(info, context)
        if copied and all(p.path == "." for p in copied):
            # the whole context: its name, or what it names, says more than the root package
            named = self._named(build, info, context)
            if named is not None:
                return named
        if copied:
            chosen = _top(copied)
            if len(chosen) > 1:
                chosen = [p for p in chosen if _key(p.name.rsplit("/", 1)[-1]) == _key(build.name)
                          or _key(p.path.rsplit("/", 1)[-1]) == _key(build.name)] or chosen
            if len(chosen) == 1:
                return chosen[0], f"copies {chosen[0].path}"
        return self._named(build, info, context) or (None, "")

    def _named(
        self, build: Build, info: DockerfileInfo, context: str
    ) -> tuple[Package, str] | None:
        """By the build's name, else (copying the whole context) by what it names.

        A package goes by name only when the Dockerfile copies its folder or one holding
        it (or what it copies is decided by a build argument): compose's `clickhouse`
        building a ClickHouse image from `db/migrations` is not the `@acme/clickhouse`
        client library elsewhere in the repository."""
        named = self._by_name.get(_key(build.name), []) if build.name else []
        if not info.dynamic_copies:
            named = [p for p in named if self._copies_folder(info, context, p.path)]
        if len(named) >= 1 and len({p.path for p in named}) == 1:
            return self._pick(named, info), "named like it"
        if "." in info.copies:
            mentioned = self._mentioned(info, by_builds=build.stage is None)
            if mentioned is not None:
                return mentioned, f"copies the whole context and names {mentioned.name}"
        return None

    def _copies_folder(self, info: DockerfileInfo, context: str, folder: str) -> bool:
        """Whether a COPY source is `folder`, holds it, or lies in it."""
        for source in info.copies:
            path = _literal_prefix(join(context, source))
            if is_within(folder, path) or is_within(path, folder):
                return True
        return False

    def _mentioned(self, info: DockerfileInfo, by_builds: bool) -> Package | None:
        """The package a whole-context Dockerfile names most often (its name, its folder when
        that has two parts or more, its binaries), if one stands out. Built to its last stage
        (`by_builds`), where it names what it builds and runs (`cargo build --bin
        atuin-server`, the ENTRYPOINT) counts first: a name all over its LABELs and users
        (`atuin`) says less. A build of another stage (compose's `target`) is read by its
        mentions only: the last stage's ENTRYPOINT is not its."""
        scores: list[tuple[tuple[int, int], Package]] = []
        for pkgs in self._by_folder.values():
            for pkg in pkgs:
                words = {pkg.name, *pkg.binaries}
                built = sum(info.builds.get(word, 0) for word in words) if by_builds else 0
                if "/" in pkg.path:
                    words.add(pkg.path)
                score = (built, sum(info.mentions.get(word, 0) for word in words))
                if score[1]:
                    scores.append((score, pkg))
        scores.sort(key=lambda item: (-item[0][0], -item[0][1], item[1].id))
        if scores and (len(scores) == 1 or scores[0][0] > scores[1][0]):
            return scores[0][1]
        return None

    def _pick(self, candidates: list[Package], info: DockerfileInfo) -> Package:
        """Of packages sharing a folder, the one whose ecosystem the base image names."""
        for pkg in sorted(candidates, key=lambda p: p.id):
            hints = ECOSYSTEMS[pkg.ecosystem].image_hints if pkg.ecosystem in ECOSYSTEMS else ()
            if any(word in image.lower() for image in info.images for word in hints):
                return pkg
        return sorted(candidates, key=lambda p: p.id)[0]

    def _home(self, folder: str) -> str | None:
        """The package folder holding `folder` (the repository root counts last)."""
        for candidate in (folder, *iter_parents(folder)):
            if candidate in self._by_folder:
                return candidate
        return None

    def _context(self, build: Build, info: DockerfileInfo, home: str | None) -> str:
        """The repository root when the COPY paths live there, else the Dockerfile's package
        folder (or its own folder)."""
        local = home if home is not None and home != "." else parent(build.dockerfile)
        if local == ".":
            return "."
        sources = [s for s in info.copies if s != "."]
        at_root = sum(self._exists(s) for s in sources)
        here = sum(self._exists(join(local, s)) for s in sources)
        if at_root > here or (at_root == here and home in (None, ".") and not sources):
            return "."
        return local

    def _exists(self, rel: str) -> bool:
        rel = _literal_prefix(rel)
        return rel == "." or self._tree.exists(rel) or rel in self._folders

    def _copied(self, info: DockerfileInfo, context: str) -> list[Package]:
        """Packages whose folder the COPY lines read (a file in it, it, or a folder in it)."""
        found: dict[str, Package] = {}
        for source in info.copies:
            path = _literal_prefix(join(context, source))
            if path.startswith(".."):
                continue
            for folder in (path, *iter_parents(path)):
                if folder in self._by_folder and (folder != "." or path == "."):
                    for pkg in self._by_folder[folder]:
                        found.setdefault(pkg.manifest, pkg)
                    break
        specific = [p for p in found.values() if p.path != "."]
        return specific or list(found.values())


def _top(packages: list[Package]) -> list[Package]:
    """The packages no other one of the list depends on."""
    needed = {(p.ecosystem, d.name) for p in packages for d in p.dependencies}
    return [p for p in packages if (p.ecosystem, p.name) not in needed]


def _key(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _literal_prefix(rel: str) -> str:
    """The path up to its first wildcard part (`apps/*/package.json` -> `apps`)."""
    parts = []
    for part in normalize(rel).split("/"):
        if any(c in part for c in "*?["):
            break
        parts.append(part)
    return "/".join(parts) or "."


def _folders(tree: SourceTree) -> frozenset[str]:
    seen: set[str] = set()
    for rel in tree.files:
        folder = parent(rel)
        while folder != "." and folder not in seen:
            seen.add(folder)
            folder = parent(folder)
    return frozenset(seen)

