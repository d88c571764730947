"""What every ecosystem in `ECOSYSTEMS` guarantees, checked the same way for each.

Each ecosystem brings a fixture of one shape: a workspace holding a library and a service
that needs it, with its lockfile where the ecosystem has one (the `rb-*` golden cases, which
the real-build suite also bakes). A new ecosystem is not done until it has a row in
`FIXTURES` and passes every test here.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from bakegen.ecosystems import ECOSYSTEMS, lockfile_parser, manifest_ecosystems, secret_targets
from bakegen.ecosystems.base import BaseRecipe, Ecosystem, ServiceRecipe
from bakegen.errors import Severity
from bakegen.lockfiles.model import LockfileUnsure
from bakegen.model import EcosystemScan, Package, Workspace
from bakegen.onboarding.context import Language, load_scaffold
from bakegen.settings import PER_SERVICE, ServiceSettings
from bakegen.tree import SourceTree

CASES = Path(__file__).resolve().parent.parent / "cases"
#: ecosystem -> (golden case, its service, the library the service needs)
FIXTURES = {
    "node": ("rb-npm", "@rb/api", "@rb/lib"),
    "cargo": ("rb-cargo", "rb-svc", "rb-common"),
    "python": ("rb-uv", "rb-svc", "rb-common"),
    "go": ("rb-go", "example.com/mono/services/status", "example.com/mono/libs/greet"),
}
#: the Dockerfile instructions a recipe line may start with (comments aside)
INSTRUCTIONS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL",
    "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
NAMES = sorted(ECOSYSTEMS)


def _members(kind: type) -> dict[str, object]:
    """A Protocol's attributes (with their types) and methods (as None)."""
    hints: dict[str, object] = dict(typing.get_type_hints(kind))
    methods = {n: None for n, v in vars(kind).items() if callable(v) and not n.startswith("_")}
    return {**hints, **methods}


def _scan(name: str) -> EcosystemScan:
    case = FIXTURES[name][0]
    return ECOSYSTEMS[name].scan(SourceTree.scan(CASES / case / "workspace"))


def _fixture(name: str) -> tuple[Workspace, Package, Package, tuple[Package, ...]]:
    result = _scan(name)
    _, service_name, library_name = FIXTURES[name]
    by_name = {p.name: p for p in result.packages}
    service, library = by_name[service_name], by_name[library_name]
    workspace = next(ws for ws in result.workspaces if ws.root == service.workspace)
    members = tuple(p for p in result.packages if p.workspace == workspace.root)
    return workspace, service, library, members


def _lines(recipe: BaseRecipe | ServiceRecipe) -> list[str]:
    if isinstance(recipe, BaseRecipe):
        lines, stages = [*recipe.deps, *recipe.production], recipe.intermediate
    else:
        lines, stages = [*recipe.build, *recipe.runtime], recipe.stages
    return [*lines, *(line for stage in stages for line in stage.instructions)]


def test_every_ecosystem_has_a_fixture() -> None:
    assert sorted(FIXTURES) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_plugin_has_every_member_of_the_protocol(name: str) -> None:
    plugin = ECOSYSTEMS[name]
    missing = [member for member in _members(Ecosystem) if not hasattr(plugin, member)]
    assert missing == []
    for member, kind in _members(Ecosystem).items():
        value = getattr(plugin, member)
        if kind is None:
            assert callable(value), member
        else:
            assert isinstance(value, typing.cast(type, typing.get_origin(kind) or kind)), member


def test_names_words_and_variables_are_unique() -> None:
    plugins = list(ECOSYSTEMS.values())
    assert [p.name for p in plugins] == list(ECOSYSTEMS)
    for field in ("language", "image_variable", "display_name"):
        values = [getattr(p, field) for p in plugins]
        assert len(set(values)) == len(values), field
    files = [f for p in plugins for f in p.manifest_files]
    assert len(set(files)) == len(files)
    assert all(manifest_ecosystems()[f] == p.name for p in plugins for f in p.manifest_files)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]*", p.image_variable) for p in plugins)


@pytest.mark.parametrize("name", NAMES)
def test_declarations_are_well_formed(name: str) -> None:
    plugin = ECOSYSTEMS[name]
    assert plugin.image_repositories and set(plugin.image_repositories) <= set(plugin.image_hints)
    assert 1 <= plugin.version_parts <= 3
    assert all(re.fullmatch(r"[a-z][a-z-]*", key) for key in plugin.secrets)
    assert all(target.startswith("/") for target in plugin.secrets.values())
    # two ecosystems that share a secret id mount it at the same place
    assert all(secret_targets()[key] == target for key, target in plugin.secrets.items())
    # a lockfile `affected` compares is one the scan checks (and knows how to regenerate)
    assert set(plugin.lockfiles) <= set(plugin.regenerate)
    assert all(lockfile_parser(f"a/{lock}") is parse for lock, parse in plugin.lockfiles.items())
    assert all(command for command in plugin.lock_commands.values())


@pytest.mark.parametrize("name", NAMES)
def test_scan_finds_the_library_the_service_and_the_edge(name: str) -> None:
    result = _scan(name)
    workspace, service, library, _ = _fixture(name)
    assert [p for p in result.problems if p.severity is Severity.ERROR] == []
    assert {p.ecosystem for p in result.packages} == {name}
    assert {ws.ecosystem for ws in result.workspaces} == {name}
    plugin = ECOSYSTEMS[name]
    assert all(p.manifest.rsplit("/", 1)[-1] in plugin.manifest_files for p in result.packages)
    assert service.deployable and service.deployable_reason
    assert not library.deployable
    assert library.name in {d.name for d in service.dependencies}
    assert service.workspace == library.workspace == workspace.root
    assert all(d.name in {p.name for p in result.packages} for d in service.dependencies)


@pytest.mark.parametrize("name", NAMES)
def test_scan_is_deterministic_and_finds_nothing_in_an_empty_tree(
    name: str, tmp_path: Path
) -> None:
    assert _scan(name) == _scan(name)
    (tmp_path / "README.md").write_text("nothing to build\n")
    assert ECOSYSTEMS[name].scan(SourceTree.scan(tmp_path)) == EcosystemScan()


@pytest.mark.parametrize("name", NAMES)
def test_own_rules_accept_the_fixture(name: str) -> None:
    plugin = ECOSYSTEMS[name]
    workspace, service, _, members = _fixture(name)
    assert [p.name for p in members if plugin.name_problem(p.name)] == []
    assert plugin.service_problem(service) is None
    if workspace.lockfile is None or workspace.lockfile.rsplit("/", 1)[-1] not in plugin.regenerate:
        return
    lockfile = workspace.lockfile.rsplit("/", 1)[-1]
    text = (CASES / FIXTURES[name][0] / "workspace" / workspace.lockfile).read_text()
    locked = plugin.locked_members(lockfile, text)
    assert locked is None or {p.name for p in members} <= locked
    with pytest.raises(LockfileUnsure):
        plugin.locked_members(lockfile, "\x00{[ not a lockfile")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dependencies", ["shared", PER_SERVICE])
def test_recipes_build_the_service_on_its_bases(name: str, dependencies: str) -> None:
    plugin = ECOSYSTEMS[name]
    workspace, service, library, members = _fixture(name)
    build_image, runtime_image = plugin.default_images(workspace)
    assert build_image and runtime_image
    base = plugin.base_recipe(workspace, members, dependencies)
    assert base.deps
    recipe = plugin.service_recipe(
        workspace, service, (library,), ServiceSettings(port=8080), dependencies)
    assert recipe.command
    assert {service.path, library.path} <= {p.rstrip("/") for p in recipe.context}
    root = CASES / FIXTURES[name][0] / "workspace"
    assert [p for p in recipe.context if not (root / p).exists()] == []
    for line in (*_lines(base), *_lines(recipe)):
        assert line.startswith("#") or line.split(" ", 1)[0] in INSTRUCTIONS, line


@pytest.mark.parametrize("name", NAMES)
def test_scaffold_is_found_through_the_table(name: str) -> None:
    plugin = ECOSYSTEMS[name]
    scaffold = load_scaffold(plugin.scaffold)
    assert scaffold.ecosystem == name
    missing = [member for member in _members(Language) if not hasattr(scaffold, member)]
    assert missing == []
    assert scaffold.image_name(scaffold.package_name("billing", ())).endswith("billing")
    assert scaffold.name_problem("billing") is None
