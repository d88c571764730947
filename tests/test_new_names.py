"""Package name rules `bakegen new` enforces before writing anything."""

from __future__ import annotations

import pytest

from bakegen.onboarding.names import (
    crate_name_problem,
    module_name,
    npm_name_problem,
    python_name_problem,
)


@pytest.mark.parametrize("name", ["billing", "@acme/billing", "a-b.c_d", "x1", "@a-b/c.d", "-x"])
def test_npm_accepts(name: str) -> None:
    assert npm_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "empty"),
        ("Billing", "lowercase"),
        ("_billing", "does not start with"),
        (".billing", "does not start with"),
        ("bill ing", "a-z, 0-9"),
        ("bill~ing", "a-z, 0-9"),
        ("bill!ing", "a-z, 0-9"),
        ("@acme", "@scope/name"),
        ("@acme/", "@scope/name"),
        ("@/x", "@scope/name"),
        ("@acme/Billing", "lowercase"),
        ("http", "built-in"),
        ("node_modules", "reserved"),
        ("a" * 215, "at most 214"),
    ],
)
def test_npm_refuses(name: str, why: str) -> None:
    problem = npm_name_problem(name)
    assert problem is not None and why in problem


def test_npm_scoped_builtin_name_is_fine() -> None:
    assert npm_name_problem("@acme/http") is None


@pytest.mark.parametrize("name", ["ledger", "router-svc", "my_crate", "_private", "A1"])
def test_crate_accepts(name: str) -> None:
    assert crate_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "empty"),
        ("2fast", "digit"),
        ("a.b", "ASCII letters"),
        ("caf\u00e9", "ASCII letters"),
        ("-x", "ASCII letters"),
        ("fn", "keyword"),
        ("self", "keyword"),
        ("test", "reserved"),
        ("std", "reserved"),
        ("deps", "reserved"),
        ("CON", "reserved"),
        ("x" * 65, "at most 64"),
    ],
)
def test_crate_refuses(name: str, why: str) -> None:
    problem = crate_name_problem(name)
    assert problem is not None and why in problem


@pytest.mark.parametrize("name", ["reports", "acme-reports", "Acme_Reports", "a.b", "x1"])
def test_python_accepts(name: str) -> None:
    assert python_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("-x", "PEP 508"),
        ("x-", "PEP 508"),
        ("a b", "PEP 508"),
        ("", "PEP 508"),
        ("2fa", "identifier"),
        ("class", "identifier"),
        ("http", "standard library"),
        ("json", "standard library"),
    ],
)
def test_python_refuses(name: str, why: str) -> None:
    problem = python_name_problem(name)
    assert problem is not None and why in problem


def test_module_name_is_the_normalised_import_name() -> None:
    assert module_name("Acme.Reports--Svc") == "acme_reports_svc"
