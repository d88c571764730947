"""Read one `pyproject.toml` into a `Project`: name, requirements by kind, sources, scripts.

Every wrong type becomes a Problem naming the manifest; the rest of the file is still read,
so one bad table never hides the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bakegen.ecosystems.python.pep import Requirement, normalize_name, parse_requirement
from bakegen.errors import Found, Problem
from bakegen.model import DepKind
from bakegen.tree import parent

#: PEP 517: a project without `[build-system]` builds with setuptools' legacy backend
DEFAULT_BUILD_REQUIRES = ("setuptools>=40.8.0",)
#: PEP 508 project names; anything else no installer accepts, and a newline in one would
#: break the Dockerfile lines naming it
_VALID_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


@dataclass(frozen=True, slots=True)
class Source:
    """One `[tool.uv.sources]` entry: a workspace member, a path, or anything else (git, url)."""

    kind: str  # "workspace" | "path" | "other"
    path: str | None = None
    base: str = "."  # folder the path is relative to: the declaring manifest's


@dataclass(frozen=True, slots=True)
class Project:
    """What bakegen reads from one pyproject.toml; `name` is PEP 503 normalised."""

    manifest: str
    folder: str
    name: str | None
    version: str | None = None
    runtime: tuple[Requirement, ...] = ()
    requirements: tuple[tuple[Requirement, DepKind], ...] = ()
    extras: tuple[tuple[str, tuple[Requirement, ...]], ...] = ()
    build_requires: tuple[Requirement, ...] = ()
    poetry_paths: tuple[tuple[str, str, DepKind], ...] = ()
    #: Poetry's third-party runtime dependencies as requirement strings with the extras
    #: asked for (`uvicorn[standard]`); the versions are poetry.lock's
    poetry_specs: tuple[str, ...] = ()
    sources: tuple[tuple[str, tuple[Source, ...]], ...] = ()
    scripts: tuple[tuple[str, str], ...] = ()
    script_table: str = "[project.scripts]"
    requires_python: str | None = None
    readme: str | None = None
    is_poetry: bool = False
    #: False for Poetry's `package-mode = false`: an application, never built as a package
    package_mode: bool = True

    def source_map(self) -> dict[str, tuple[Source, ...]]:
        return dict(self.sources)

    def extra(self, name: str) -> tuple[Requirement, ...]:
        return dict(self.extras).get(name, ())

    @property
    def poetry_requirements(self) -> tuple[str, ...]:
        """The names of `poetry_specs`."""
        return tuple(sorted({spec_name(spec) for spec in self.poetry_specs}))


def spec_name(spec: str) -> str:
    """`uvicorn[standard]` -> `uvicorn`."""
    return spec.split("[", 1)[0]


def has_project_table(data: dict[str, Any]) -> bool:
    """True when the manifest declares a package: a `[project]` or `[tool.poetry]` table."""
    return "project" in data or "poetry" in _table(data.get("tool"))


def read_project(manifest: str, data: dict[str, Any]) -> Found[Project]:
    """Read a parsed pyproject.toml, with a Problem for every value of the wrong shape."""
    problems: list[Problem] = []
    reader = _Reader(manifest, problems)
    project = reader.table(data, "project")
    tool = reader.table(data, "tool")
    poetry = reader.table(tool, "poetry", "tool.")
    uv = reader.table(tool, "uv", "tool.")
    is_poetry = "poetry" in tool
    name = reader.name(project, poetry, "project" in data, is_poetry)
    runtime = reader.requirements(project.get("dependencies"), "project.dependencies",
                                  DepKind.RUNTIME)
    requirements = list(runtime)
    extras = reader.extras(project.get("optional-dependencies"))
    requirements += [(r, DepKind.RUNTIME) for _, reqs in extras for r in reqs]
    requirements += reader.groups(data.get("dependency-groups"))
    requirements += reader.requirements(uv.get("dev-dependencies"), "tool.uv.dev-dependencies",
                                        DepKind.DEV)
    build = reader.table(data, "build-system")
    build_requires = (
        tuple(r for r, _ in reader.requirements(build.get("requires"), "build-system.requires",
                                                DepKind.BUILD))
        if "build-system" in data
        else tuple(parse_requirement(r) for r in DEFAULT_BUILD_REQUIRES)
    )
    requirements += [(r, DepKind.BUILD) for r in build_requires]
    poetry_paths, poetry_specs, poetry_python = reader.poetry_dependencies(poetry)
    scripts, script_table = reader.scripts(project, poetry)
    dynamic = project.get("dynamic")
    if ("project" in data and name is not None and "version" not in project
            and not (isinstance(dynamic, list) and "version" in dynamic)
            and not (is_poetry and "version" in poetry)):
        problems.append(Problem.warning(
            manifest, '[project] has no "version" and does not list it in "dynamic"; '
            "building a wheel of it will fail"
        ))
    return Found(Project(
        manifest=manifest,
        folder=parent(manifest),
        name=name,
        version=reader.version(project, poetry),
        runtime=tuple(r for r, _ in runtime),
        requirements=tuple(requirements),
        extras=extras,
        build_requires=build_requires,
        poetry_paths=poetry_paths,
        poetry_specs=poetry_specs,
        sources=reader.sources(uv.get("sources"), parent(manifest)),
        scripts=scripts,
        script_table=script_table,
        requires_python=reader.string(project, "requires-python", "project.") or poetry_python,
        readme=reader.readme(project.get("readme") or poetry.get("readme")),
        is_poetry=is_poetry,
        package_mode=poetry.get("package-mode") is not False,
    ), tuple(problems))


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _shown(value: Any) -> str:
    """A manifest value as a message shows it: strings quoted, tables and lists by kind."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return "a table"
    return "a list" if isinstance(value, list) else type(value).__name__


@dataclass(frozen=True, slots=True)
class _Reader:
    """Typed access to one manifest's tables, reporting wrong shapes as problems."""

    manifest: str
    problems: list[Problem]

    def error(self, message: str) -> None:
        self.problems.append(Problem.error(self.manifest, message))

    def table(self, data: dict[str, Any], key: str, prefix: str = "") -> dict[str, Any]:
        value = data.get(key, {})
        if isinstance(value, dict):
            return value
        self.error(f'"{prefix}{key}" must be a table, got {_shown(value)}')
        return {}

    def string(self, data: dict[str, Any], key: str, prefix: str) -> str | None:
        value = data.get(key)
        if value is None or isinstance(value, str):
            return value
        self.error(f'"{prefix}{key}" must be a string, got {_shown(value)}')
        return None

    def name(self, project: dict[str, Any], poetry: dict[str, Any], has_project: bool,
             is_poetry: bool) -> str | None:
        raw = self.string(project, "name", "project.")
        if raw is None and is_poetry:
            raw = self.string(poetry, "name", "tool.poetry.")
        if raw is None:
            if (has_project or is_poetry) and poetry.get("package-mode") is not False:
                where = "[project] name" if has_project or not is_poetry else "[tool.poetry] name"
                self.error(f"missing {where}: every Python package needs a name")
            return None
        if not raw.strip():
            self.error('"project.name" must not be empty')
            return None
        if not _VALID_NAME.fullmatch(raw.strip()):
            self.error(f'"project.name" {_shown(raw)} is not a Python package name '
                       '(PEP 508: letters, digits and "._-", starting and ending with a '
                       "letter or digit)")
            return None
        return normalize_name(raw.strip())

    def version(self, project: dict[str, Any], poetry: dict[str, Any]) -> str | None:
        return self.string(project, "version", "project.") or self.string(
            poetry, "version", "tool.poetry."
        )

    def requirements(self, value: Any, where: str, kind: DepKind
                     ) -> list[tuple[Requirement, DepKind]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(f'"{where}" must be a list of requirements, got {_shown(value)}')
            return []
        found = []
        for item in value:
            if isinstance(item, dict) and "include-group" in item and where.startswith(
                "dependency-groups."
            ):
                continue  # PEP 735 include: the included group is read on its own
            if not isinstance(item, str):
                self.error(f'"{where}" must list requirement strings, got {_shown(item)}')
                continue
            try:
                found.append((parse_requirement(item), kind))
            except ValueError as exc:
                self.error(f'"{where}" has {exc}')
        return found

    def extras(self, value: Any) -> tuple[tuple[str, tuple[Requirement, ...]], ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.error(f'"project.optional-dependencies" must be a table, got {_shown(value)}')
            return ()
        return tuple(
            (normalize_name(extra), tuple(r for r, _ in self.requirements(
                reqs, f"project.optional-dependencies.{extra}", DepKind.RUNTIME)))
            for extra, reqs in sorted(value.items())
        )

    def groups(self, value: Any) -> list[tuple[Requirement, DepKind]]:
        if value is None:
            return []
        if not isinstance(value, dict):
            self.error(f'"dependency-groups" must be a table, got {_shown(value)}')
            return []
        found = []
        for group, reqs in sorted(value.items()):
            found += self.requirements(reqs, f"dependency-groups.{group}", DepKind.DEV)
        return found

    def sources(self, value: Any, folder: str) -> tuple[tuple[str, tuple[Source, ...]], ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.error(f'"tool.uv.sources" must be a table, got {_shown(value)}')
            return ()
        found = []
        for name, entry in sorted(value.items()):
            entries = entry if isinstance(entry, list) else [entry]
            sources = []
            for item in entries:
                if not isinstance(item, dict):
                    self.error(f'"tool.uv.sources.{name}" must be a table, got {_shown(item)}')
                    continue
                sources.append(self.source(name, item, folder))
            found.append((normalize_name(name), tuple(sources)))
        return tuple(found)

    def source(self, name: str, item: dict[str, Any], folder: str) -> Source:
        if item.get("workspace") is True:
            return Source("workspace")
        path = item.get("path")
        if path is None:
            return Source("other")
        if not isinstance(path, str):
            self.error(f'"tool.uv.sources.{name}.path" must be a string, got {_shown(path)}')
            return Source("other")
        return Source("path", path, folder)

    def poetry_dependencies(self, poetry: dict[str, Any]
                            ) -> tuple[tuple[tuple[str, str, DepKind], ...], tuple[str, ...],
                                       str | None]:
        """Poetry path dependencies by kind, the other runtime dependencies (`name[extras]`),
        and the `python` constraint."""
        sections: list[tuple[str, Any, DepKind]] = [
            ("tool.poetry.dependencies", poetry.get("dependencies"), DepKind.RUNTIME),
            ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies"), DepKind.DEV),
        ]
        groups = self.table(poetry, "group", "tool.poetry.")
        for group, body in sorted(groups.items()):
            deps = body.get("dependencies") if isinstance(body, dict) else body
            kind = DepKind.RUNTIME if group == "main" else DepKind.DEV
            sections.append((f"tool.poetry.group.{group}.dependencies", deps, kind))
        paths: list[tuple[str, str, DepKind]] = []
        others: list[str] = []
        python: str | None = None
        for where, deps, kind in sections:
            if deps is None:
                continue
            if not isinstance(deps, dict):
                self.error(f'"{where}" must be a table, got {_shown(deps)}')
                continue
            for name, spec in sorted(deps.items()):
                if name == "python":
                    python = spec if isinstance(spec, str) else python
                    continue
                path = self.poetry_path(where, name, spec)
                if path is not None:
                    paths.append((normalize_name(name), path, kind))
                elif kind is DepKind.RUNTIME:
                    others.append(normalize_name(name) + _poetry_extras(spec))
        return tuple(paths), tuple(sorted(set(others))), python

    def poetry_path(self, where: str, name: str, spec: Any) -> str | None:
        for entry in spec if isinstance(spec, list) else [spec]:
            if isinstance(entry, str):
                continue
            if not isinstance(entry, dict):
                self.error(f'"{where}.{name}" must be a version string or a table, '
                           f"got {_shown(entry)}")
                continue
            path = entry.get("path")
            if path is None:
                continue
            if not isinstance(path, str):
                self.error(f'"{where}.{name}.path" must be a string, got {_shown(path)}')
                continue
            return path
        return None

    def scripts(self, project: dict[str, Any], poetry: dict[str, Any]
                ) -> tuple[tuple[tuple[str, str], ...], str]:
        found: dict[str, str] = {}
        table = "[project.scripts]"
        for where, value in (("project.scripts", project.get("scripts")),
                             ("tool.poetry.scripts", poetry.get("scripts"))):
            if value is None:
                continue
            if not isinstance(value, dict):
                self.error(f'"{where}" must be a table, got {_shown(value)}')
                continue
            for script, target in sorted(value.items()):
                if isinstance(target, dict):  # Poetry's { reference = "...", type = ... }
                    target = target.get("reference", target.get("callable"))
                if not isinstance(target, str):
                    self.error(f'"{where}.{script}" must be "module:function", '
                               f"got {_shown(target)}")
                    continue
                if not found:
                    table = f"[{where}]"
                found.setdefault(script, target)
        return tuple(sorted(found.items())), table

    def readme(self, value: Any) -> str | None:
        if isinstance(value, dict):
            value = value.get("file")
        return value if isinstance(value, str) else None


def _poetry_extras(spec: Any) -> str:
    """`[a,b]` for a Poetry dependency table asking for extras, else nothing."""
    extras = spec.get("extras") if isinstance(spec, dict) else None
    names = sorted({normalize_name(e) for e in extras if isinstance(e, str)}) if isinstance(
        extras, list) else []
    return f"[{','.join(names)}]" if names else ""
