"""PyPI distributions that need a C library of the system, and the Debian packages for it.

The slim Python images have no compiler and no `-dev` headers: a distribution published as
source only (psycopg2, mysqlclient, python-ldap) fails to build in deps-base without them,
and one that loads a shared library at run time (psycopg 3 without its binary extra,
pyodbc's wheels) fails to import in production-base without it.
"""

from __future__ import annotations

from collections.abc import Iterable

from bakegen.ecosystems.python.pep import normalize_name
from bakegen.lockfiles.model import locked_package_names

_COMPILER = ("gcc", "libc6-dev")
#: distribution -> (Debian packages that build it from source, those it loads at run time)
NATIVE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "psycopg2": ((*_COMPILER, "libpq-dev"), ("libpq5",)),
    "psycopg-c": ((*_COMPILER, "libpq-dev"), ("libpq5",)),
    "mysqlclient": ((*_COMPILER, "pkg-config", "default-libmysqlclient-dev"), ("libmariadb3",)),
    "python-ldap": ((*_COMPILER, "libldap2-dev", "libsasl2-dev"),
                    ("libldap-2.5-0", "libsasl2-2")),
    "pyodbc": ((), ("libodbc2",)),
}
#: psycopg 3 is pure Python over the system's libpq unless one of these brings its own
_PSYCOPG_OWN_LIBPQ = frozenset({"psycopg-binary", "psycopg-c"})


def locked_names(text: str) -> set[str]:
    """The normalised names of the packages a uv.lock or poetry.lock pins."""
    return {normalize_name(name) for name in locked_package_names(text)}


def system_packages(names: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(build packages, runtime packages) the distributions `names` need, sorted."""
    wanted = {normalize_name(name) for name in names}
    build: set[str] = set()
    runtime: set[str] = set()
    for name in wanted & NATIVE.keys():
        build.update(NATIVE[name][0])
        runtime.update(NATIVE[name][1])
    if "psycopg" in wanted and not wanted & _PSYCOPG_OWN_LIBPQ:
        runtime.add("libpq5")
    return tuple(sorted(build)), tuple(sorted(runtime))
