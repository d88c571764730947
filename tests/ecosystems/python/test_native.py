"""Distributions that need a system C library: what deps-base and production-base install."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakegen.ecosystems import python as python_ecosystem
from bakegen.ecosystems.python.native import locked_names, system_packages
from bakegen.model import EcosystemScan
from bakegen.settings import PER_SERVICE
from bakegen.tree import SourceTree
from tests.builders import write_tree

COMPILER = ("gcc", "libc6-dev")


@pytest.mark.parametrize(("names", "build", "runtime"), [
    (["psycopg2"], (*COMPILER, "libpq-dev"), ("libpq5",)),
    (["Psycopg2"], (*COMPILER, "libpq-dev"), ("libpq5",)),
    (["psycopg2-binary"], (), ()),  # wheels bringing their own libpq
    (["psycopg"], (), ("libpq5",)),
    (["psycopg", "psycopg-binary"], (), ()),
    (["psycopg", "psycopg-c"], (*COMPILER, "libpq-dev"), ("libpq5",)),
    (["mysqlclient"], ("default-libmysqlclient-dev", "gcc", "libc6-dev", "pkg-config"),
     ("libmariadb3",)),
    (["python_ldap"], ("gcc", "libc6-dev", "libldap2-dev", "libsasl2-dev"),
     ("libldap-2.5-0", "libsasl2-2")),
    (["pyodbc", "orjson"], (), ("libodbc2",)),
    (["django", "requests"], (), ()),
])
def test_system_packages(names: list[str], build: tuple[str, ...],
                         runtime: tuple[str, ...]) -> None:
    assert system_packages(names) == (tuple(sorted(build)), tuple(sorted(runtime)))


def test_locked_names_read_uv_and_poetry_locks() -> None:
    text = ('[[package]]\nname = "Psycopg2"\nversion = "2.9.13"\n\n'
            '[[package]]\nname = "typing_extensions"\n')
    assert locked_names(text) == {"psycopg2", "typing-extensions"}


def _scan(tmp_path: Path, files: dict[str, str]) -> EcosystemScan:
    write_tree(tmp_path, files)
    return python_ecosystem.scan(SourceTree.scan(tmp_path))


SERVICE = ('[project]\nname = "api"\nversion = "1"\ndependencies = [{deps}]\n'
           '[project.scripts]\napi = "api:main"\n')


def test_a_locked_source_only_dependency_gets_a_compiler_and_its_library(
    tmp_path: Path,
) -> None:
    result = _scan(tmp_path, {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["api"]\n',
        "uv.lock": 'version = 1\n\n[[package]]\nname = "psycopg2"\nversion = "2.9.13"\n',
        "api/pyproject.toml": SERVICE.format(deps='"psycopg2>=2.9"'),
        "api/api.py": "def main():\n    pass\n",
    })
    ws = result.workspaces[0]
    assert ws.build_packages == ("gcc", "libc6-dev", "libpq-dev")
    assert ws.runtime_packages == ("libpq5",)
    for mode in ("shared", PER_SERVICE):
        recipe = python_ecosystem.base_recipe(ws, result.packages, mode)
        apt = [i for i, line in enumerate(recipe.deps)
               if "apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev" in line]
        sync = [i for i, line in enumerate(recipe.deps) if "uv sync" in line]
        assert apt and sync and apt[0] < sync[0], mode
        assert any("apt-get install -y --no-install-recommends libpq5" in line
                   for line in recipe.production), mode


def test_a_plain_pip_project_is_read_by_its_requirements(tmp_path: Path) -> None:
    result = _scan(tmp_path, {
        "api/pyproject.toml": SERVICE.format(deps='"mysqlclient>=2.2", "django"'),
        "api/api.py": "def main():\n    pass\n",
    })
    ws = result.workspaces[0]
    assert "default-libmysqlclient-dev" in ws.build_packages
    assert ws.runtime_packages == ("libmariadb3",)


def test_nothing_native_adds_no_step(tmp_path: Path) -> None:
    result = _scan(tmp_path, {
        "api/pyproject.toml": SERVICE.format(deps='"psycopg2-binary"'),
        "api/api.py": "def main():\n    pass\n",
    })
    ws = result.workspaces[0]
    assert (ws.build_packages, ws.runtime_packages) == ((), ())
    recipe = python_ecosystem.base_recipe(ws, result.packages)
    assert not any("apt-get" in line for line in (*recipe.deps, *recipe.production))
