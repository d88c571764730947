"""`bakegen new`: scaffold a runnable service in the workspace's own convention, as one
transaction.

1. **Plan** (`plan_service`, writes nothing): scan; check the name (ecosystem rules, not
   taken, bake target free), pick the workspace and folder, check the folder is free and
   inside the repository, resolve `--depends-on` in that workspace; render the skeleton, the
   member-list edit (only when no glob covers the folder) and the config's port entry.
2. **Write** every file at once (`Transaction`).
3. **Lock**: run the lockfile's update command when the workspace lists members in it.
4. **Regenerate** the bake file and Dockerfiles, after checking that the fresh scan finds the
   new package, in its folder, as a service, with its edges.

A failure in steps 2-4 puts every file back as it was (lockfile included) and re-raises.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bakegen.config import Config
from bakegen.ecosystems import ECOSYSTEMS
from bakegen.errors import BakegenError, ProblemsFound
from bakegen.formats import is_generated
from bakegen.model import Package, ScanResult, Workspace
from bakegen.naming import target_name
from bakegen.onboarding.context import Context, Language, NewRequest, load_scaffold
from bakegen.onboarding.init import config_path, service_port_change
from bakegen.onboarding.lock import LockOutcome, LockStatus, LockStep, lock_step, run_lock
from bakegen.onboarding.register import MemberList, is_excluded
from bakegen.onboarding.transaction import FileEdit, Transaction, read_text
from bakegen.pipeline import generate, load_settings, pending_changes, scan, write
from bakegen.plan import RESERVED_TARGETS
from bakegen.tree import is_within, join, normalize, parent
from bakegen.write import Changes, resolve_inside

#: `--lang` word -> its scaffold, from every ecosystem that has one
LANGUAGES: dict[str, Language] = {
    ecosystem.language: load_scaffold(ecosystem.scaffold)
    for ecosystem in sorted(ECOSYSTEMS.values(), key=lambda e: e.language)
}
DEFAULT_PORT = 8080
#: where services go when the ecosystem has no package yet to learn from
DEFAULT_PARENT = "services"


@dataclass(frozen=True, slots=True)
class ScaffoldPlan:
    """A validated new service: what will be written and what runs afterwards."""

    ecosystem: str
    name: str
    folder: str
    target: str
    port: int
    workspace: Workspace | None
    dependencies: tuple[str, ...]
    changes: tuple[FileEdit, ...]
    registered: str | None  # the member entry added to the workspace's list, if one was
    lock: LockStep | None
    port_recorded: bool  # whether the config says `port` for it (after the run)
    #: how to start it on the developer's machine
    local_command: str


@dataclass(frozen=True, slots=True)
class NewResult:
    """What `new` did: the plan carried out, the package as scanned, lock and regeneration."""

    plan: ScaffoldPlan
    package: Package
    lock: LockOutcome | None
    generated: Changes


def plan_service(root: Path, request: NewRequest) -> ScaffoldPlan:
    """Validate the request against the workspace and compute every file; writes nothing."""
    language = LANGUAGES.get(request.lang)
    if language is None:
        raise BakegenError.at(request.lang, f"unknown language; use one of {', '.join(LANGUAGES)}")
    if request.port is not None and not 0 < request.port < 65536:
        raise BakegenError(f"--port: must be between 1 and 65535, got {request.port}")
    config = load_settings(root)
    # a [service] table may be written ahead for the package about to exist
    waiting = {k: v for k, v in config.services.items() if k != request.name}
    result = scan(root, dataclasses.replace(config, services=waiting))
    eco = language.ecosystem
    workspace, members = _choose_workspace(root, request, language, result)
    siblings = tuple(
        p for p in result.packages
        if p.ecosystem == eco and (workspace is None or p.workspace == workspace.root)
    )
    problem = language.name_problem(request.name)
    name = language.package_name(request.name, siblings)
    problem = problem or language.name_problem(name)
    if problem:
        raise BakegenError.at(request.name, f"invalid {request.lang} package name: {problem}")
    _check_name_free(name, language, result, config)
    folder = _folder(root, request, language, name, workspace, members, result, siblings)
    dependencies = _dependencies(request.depends_on, language, workspace, result)
    port = request.port or config.service(name).port or _free_port(config)
    ctx = Context(root, config, result, name, folder, port, workspace, members, siblings,
                  dependencies)
    target = config.service(name).target or target_name(language.image_name(name))
    _check_generated_free(root, config, target)
    changes = [FileEdit(rel, None, text, "") for rel, text in language.files(ctx).items()]
    member = _relative_to(folder, workspace.root) if workspace and members else None
    registration = _registration(ctx, member) if member else None
    if registration is not None:
        changes.append(registration)
    port_change = _port_change(ctx, registration)
    if port_change is not None:
        if registration is not None and port_change.path == registration.path:
            changes.remove(registration)  # one file holds both the member list and the config
        changes.append(port_change)
    for change in changes:
        if change.created and (root / change.path).exists():
            raise BakegenError.at(change.path, "already exists; nothing was written")
    return ScaffoldPlan(
        ecosystem=eco,
        name=name,
        folder=folder,
        target=target,
        port=port,
        workspace=workspace,
        dependencies=tuple(sorted(p.name for p in dependencies)),
        changes=tuple(changes),
        registered=member if registration is not None else None,
        lock=lock_step(workspace) if workspace and members else language.standalone_lock(folder),
        port_recorded=port_change is not None or config.service(name).port == port,
        local_command=language.local_command(ctx),
    )


def _registration(ctx: Context, member: str) -> FileEdit | None:
    """The member-list edit, unless the workspace's globs already cover the folder."""
    if ctx.members is None or ctx.members.covers(member):
        return None
    before = read_text(ctx.root / ctx.members.manifest) or ""
    after = ctx.members.add(before, member)
    return FileEdit(ctx.members.manifest, before, after, f"member {member} added")


def _port_change(ctx: Context, registration: FileEdit | None) -> FileEdit | None:
    """The config's port entry, on top of the member-list edit when both are in one file."""
    config_file = config_path(ctx.config)
    same = registration is not None and registration.path == config_file
    current = registration.after if registration is not None and same else None
    change = service_port_change(ctx.root, ctx.config, ctx.name, ctx.port, current)
    if change is None or registration is None or not same:
        return change
    return FileEdit(config_file, registration.before, change.after,
                      f"{registration.summary}; {change.summary}")


def create_service(root: Path, request: NewRequest) -> NewResult:
    """Plan, then write, verify, refresh the lockfile and regenerate, all or nothing."""
    plan = plan_service(root, request)
    transaction = Transaction(root)
    try:
        transaction.apply(plan.changes)
        outcome = None
        if plan.lock is not None:
            if request.lock:
                transaction.snapshot(plan.lock.lockfile)
                outcome = run_lock(root, plan.lock)
            else:
                outcome = LockOutcome(plan.lock, LockStatus.SKIPPED)
        # after the lock: the base images' fingerprints cover the lockfile
        try:
            generated = generate(root)
        except ProblemsFound as exc:
            # the [service] table written for it names no package when the scan misses it
            if any(p.message.startswith(f'[service."{plan.name}"] names no package')
                   for p in exc.problems):
                raise _not_found(plan) from exc
            raise
        package = _verify(generated.scan, plan)
        changes = pending_changes(root, generated)
        write(root, generated, changes)
    except BaseException:
        transaction.rollback()
        raise
    return NewResult(plan, package, outcome, changes)


def _verify(result: ScanResult, plan: ScaffoldPlan) -> Package:
    """The new package as the fresh scan sees it; raises when the scan does not see it whole."""
    found = [p for p in result.packages if p.ecosystem == plan.ecosystem and p.name == plan.name]
    if not found or found[0].path != plan.folder:
        raise _not_found(plan)
    package = found[0]
    missing = sorted(set(plan.dependencies) - {d.name for d in package.dependencies})
    if missing or not package.deployable:
        what = f"lacks the edges to {', '.join(missing)}" if missing else "is not a service"
        raise BakegenError.at(package.manifest, f"the scan says the new package {what}; "
                           "nothing was written")
    return package


def _not_found(plan: ScaffoldPlan) -> BakegenError:
    return BakegenError.at(plan.folder,
        f"the scan does not find the new {plan.ecosystem} package "
        f'"{plan.name}" there (is the folder ignored by .gitignore?); nothing was written'
    )


# -- validation --------------------------------------------------------------------------------


def _choose_workspace(
    root: Path, request: NewRequest, language: Language, result: ScanResult
) -> tuple[Workspace | None, MemberList | None]:
    """The workspace with a member list that gets the service; (None, None) for standalone."""
    eco = language.ecosystem
    present = [ws for ws in result.workspaces if ws.ecosystem == eco]
    if not present and not request.force:
        raise BakegenError.at(root,
            f"has no {eco} workspace or package; rerun with --force to create a "
            f"standalone {request.lang} service anyway"
        )
    listed = [(ws, ml) for ws in present if (ml := language.member_list(root, ws)) is not None]
    if request.path is not None:
        path = _clean_path(root, request.path)
        inside = [(ws, ml) for ws, ml in listed if is_within(path, ws.root) and path != ws.root]
        if not inside:
            return None, None
        return max(inside, key=lambda pair: (pair[0].root.count("/"), pair[0].root != "."))
    if len(listed) > 1:
        roots = ", ".join(ws.root for ws, _ in listed)
        raise BakegenError.at(root,
            f"has several {eco} workspaces ({roots}); pass --path inside the one to use"
        )
    return listed[0] if listed else (None, None)


def _check_name_free(name: str, language: Language, result: ScanResult, config: Config) -> None:
    eco = language.ecosystem
    for pkg in result.packages:
        if pkg.ecosystem == eco and pkg.name == name:
            raise BakegenError.at(pkg.manifest, f'already defines the {eco} package "{name}"')
    target = config.service(name).target or target_name(language.image_name(name))
    taken = {
        config.service(p.name).target or target_name(p.service_name or p.name): p
        for p in result.packages if p.deployable
    }
    if target in taken:
        other = taken[target]
        raise BakegenError.at(other.manifest,
            f'bake target "{target}" is already taken by {other.id}; '
            "choose another name"
        )
    ecosystems = {ws.ecosystem for ws in result.workspaces} | {eco}
    base_names = {f"{e}{s}" for e in ecosystems for s in ("", "-deps-base", "-production-base")}
    if target in RESERVED_TARGETS or target in base_names or target.endswith(
        ("-deps-base", "-production-base")
    ):
        raise BakegenError.at(name, f'bake target "{target}" is reserved by bakegen; choose '
                           "another name")


def _clean_path(root: Path, raw: str) -> str:
    """`--path` relative to the repository root (an absolute path must lie inside it)."""
    given = Path(raw)
    if given.is_absolute():
        try:
            raw = given.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            raise BakegenError.at(given, "--path must be a folder inside the repository") from None
    rel = normalize(raw.replace("\\", "/"))
    if rel in (".", "") or rel.startswith("../") or rel == "..":
        raise BakegenError.at(raw, "--path must be a folder inside the repository")
    resolve_inside(root, rel, "--path")
    return rel


def _folder(
    root: Path,
    request: NewRequest,
    language: Language,
    name: str,
    workspace: Workspace | None,
    members: MemberList | None,
    result: ScanResult,
    siblings: tuple[Package, ...],
) -> str:
    """The new package's folder, checked: free, inside the repo, not in another package."""
    if request.path is not None:
        folder = _clean_path(root, request.path)
    else:
        folder = join(_default_parent(workspace, members, siblings), language.folder_name(name))
        resolve_inside(root, folder, "folder")
    path = root / folder
    if path.is_file() or path.is_symlink():
        raise BakegenError.at(folder, "already exists and is not a folder; nothing was written")
    if path.is_dir() and any(path.iterdir()):
        raise BakegenError.at(folder, "already exists and is not empty; nothing was written")
    roots = {ws.root for ws in result.workspaces}
    for pkg in result.packages:
        if pkg.path not in roots and is_within(folder, pkg.path):
            raise BakegenError.at(folder,
                f"is inside the {pkg.ecosystem} package {pkg.name} ({pkg.path}); "
                "choose a folder outside it"
            )
    if workspace is not None and members is not None:
        member = _relative_to(folder, workspace.root)
        if is_excluded(member, list(members.excludes)):
            raise BakegenError.at(members.manifest, f"excludes {member}; choose another --path")
    return folder


def _default_parent(
    workspace: Workspace | None, members: MemberList | None, siblings: tuple[Package, ...]
) -> str:
    """Where the ecosystem's services live: the folder holding most of them (libraries when
    there is no service yet), else the folder of the first `dir/*` member glob."""
    root = workspace.root if workspace else "."
    nested = [p for p in siblings if p.path != root and p.path != "."]
    pool = [p for p in nested if p.deployable] or nested
    if pool:
        counts = Counter(parent(p.path) for p in pool)
        return min(counts, key=lambda folder: (-counts[folder], folder))
    for glob in members.includes if members else ():
        head, _, tail = glob.rstrip("/").rpartition("/")
        if tail in ("*", "**") and head and not any(c in head for c in "*?[{"):
            return join(root, head)
    return join(root, DEFAULT_PARENT)


def _dependencies(
    names: tuple[str, ...], language: Language, workspace: Workspace | None,
    result: ScanResult,
) -> tuple[Package, ...]:
    """Resolve `--depends-on` in the same workspace (or ecosystem, for a standalone package)."""
    eco = language.ecosystem
    found = []
    for raw in dict.fromkeys(names):
        name = language.dependency_name(raw)
        same = [p for p in result.packages if p.ecosystem == eco and p.name == name]
        usable = [p for p in same if workspace is None or p.workspace == workspace.root]
        if usable:
            found.append(usable[0])
            continue
        raise BakegenError(_unknown_dependency(raw, eco, same, workspace, result))
    return tuple(found)


def _unknown_dependency(
    raw: str, eco: str, same: list[Package], workspace: Workspace | None, result: ScanResult
) -> str:
    if same:
        return (f'--depends-on {raw}: is in the {eco} workspace at {same[0].workspace}, not in '
                f"the one at {workspace.root if workspace else '?'}")
    elsewhere = [p for p in result.packages if p.name == raw]
    if elsewhere:
        return f"--depends-on {raw}: is a {elsewhere[0].ecosystem} package, not a {eco} one"
    known = sorted(p.name for p in result.packages if p.ecosystem == eco
                   and (workspace is None or p.workspace == workspace.root))
    close = difflib.get_close_matches(raw, known, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else (
        f" (known: {', '.join(known[:10])}{', ...' if len(known) > 10 else ''})" if known
        else f" (there is no {eco} package to depend on)"
    )
    return f"--depends-on {raw}: unknown {eco} package{hint}"


def _free_port(config: Config) -> int:
    used = {s.port for s in config.services.values() if s.port is not None}
    port = DEFAULT_PORT
    while port in used:
        port += 1
    return port


def _check_generated_free(root: Path, config: Config, target: str) -> None:
    """Refuse early when the service's Dockerfile path holds a file bakegen did not write."""
    dockerfile = join(normalize(config.output_dir), f"services/{target}.Dockerfile")
    for rel in (dockerfile, dockerfile + ".dockerignore"):
        text = read_text(resolve_inside(root, rel, "output file"))
        if text is not None and not is_generated(text):
            raise BakegenError.at(rel,
                "exists and was not generated by bakegen; move it away first"
            )


def _relative_to(folder: str, root: str) -> str:
    return folder if root == "." else folder[len(root) + 1 :]
