"""Workspace packages a package's tsconfig extends become its build-time (dev) needs."""

from __future__ import annotations

from pathlib import Path

from bakegen.ecosystems import node as node_ecosystem
from bakegen.ecosystems.node.manifest import WorkspaceIndex
from bakegen.ecosystems.node.tsconfig import config_files, extended_packages
from bakegen.model import Dependency, DepKind
from bakegen.tree import SourceTree
from tests.builders import write_tree

INDEX = WorkspaceIndex(
    folders_by_name={"@acme/tsconfig": "tooling/typescript", "@acme/ui": "packages/ui",
                     "eslint-config-acme": "tooling/eslint"},
    names_by_folder={"tooling/typescript": "@acme/tsconfig", "packages/ui": "@acme/ui",
                     "tooling/eslint": "eslint-config-acme"},
)


def _extends(tmp_path: Path, files: dict[str, str], folder: str = "packages/ui") -> set[str]:
    tree = SourceTree.scan(write_tree(tmp_path, files))
    return extended_packages(tree, config_files(tree), folder, INDEX)


def test_a_package_specifier_and_a_relative_path_name_the_package(tmp_path: Path) -> None:
    assert _extends(tmp_path, {
        # JSONC: comments (one naming a package), a URL in a string, a trailing comma
        "packages/ui/tsconfig.json": (
            '{\n  // "extends": "eslint-config-acme/x.json",\n'
            '  "$schema": "https://json.schemastore.org/tsconfig",\n'
            '  /* shared */ "extends": "@acme/tsconfig/react-library.json",\n}\n'),
        "packages/ui/tsconfig.build.json": '{"extends": ["./tsconfig.json", '
                                           '"../../tooling/eslint/tsconfig.lint.json"]}',
        "packages/ui/src/tsconfig.json": '{"extends": "@acme/other/base.json"}',
    }) == {"@acme/tsconfig", "eslint-config-acme"}


def test_its_own_folder_unknown_packages_and_absolute_paths_name_nothing(
    tmp_path: Path,
) -> None:
    assert _extends(tmp_path, {
        "packages/ui/tsconfig.json": '{"extends": ["./base.json", "@tsconfig/node20", '
                                     '"/etc/tsconfig.json", "@acme/ui/tsconfig.json"]}',
    }) == set()


def test_an_undeclared_extended_package_becomes_a_dev_edge(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "package.json": '{"name": "root", "private": true, "workspaces": ["packages/*", '
                        '"tooling/*"]}',
        "package-lock.json": '{"lockfileVersion": 3, "packages": {}}',
        "tooling/typescript/package.json": '{"name": "@acme/tsconfig", "version": "1.0.0"}',
        "packages/db/package.json": '{"name": "@acme/db", "version": "1.0.0", '
                                    '"scripts": {"build": "tsc"}}',
        "packages/db/tsconfig.json": '{"extends": "@acme/tsconfig/base.json"}',
        "packages/api/package.json": '{"name": "@acme/api", "version": "1.0.0", '
                                     '"devDependencies": {"@acme/tsconfig": "*"}}',
        "packages/api/tsconfig.json": '{"extends": "@acme/tsconfig/base.json"}',
    })
    result = node_ecosystem.scan(SourceTree.scan(tmp_path))
    edges = {p.name: p.dependencies for p in result.packages}
    assert edges["@acme/db"] == (Dependency("@acme/tsconfig", DepKind.DEV),)
    # declared already: kept as declared, not doubled
    assert edges["@acme/api"] == (Dependency("@acme/tsconfig", DepKind.DEV),)
