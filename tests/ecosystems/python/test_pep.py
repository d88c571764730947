"""The small readers of Python packaging standards."""

from __future__ import annotations

import pytest

from bakegen.ecosystems.python.pep import (
    file_url_path,
    lowest_minor,
    normalize_name,
    parse_requirement,
    python_version_file,
    satisfies,
)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("Acme_Common", "acme-common"), ("a..b__c--d", "a-b-c-d"), ("Foo.Bar", "foo-bar")],
)
def test_names_are_pep503_normalised(raw: str, normal: str) -> None:
    assert normalize_name(raw) == normal


def test_requirement_name_stops_before_extras_version_and_marker() -> None:
    req = parse_requirement("Acme_Common[Redis, fast] >=1.2,<2 ; python_version > '3.9'")
    assert (req.name, req.extras, req.url) == ("acme-common", ("fast", "redis"), None)


def test_requirement_with_direct_reference() -> None:
    req = parse_requirement("lib @ file:///${PROJECT_ROOT}/../lib ; os_name == 'posix'")
    assert (req.name, req.url) == ("lib", "file:///${PROJECT_ROOT}/../lib")


@pytest.mark.parametrize("bad", ["", "   ", "not a requirement", "x[bad extra!]", "-x"])
def test_bad_requirements_raise_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_requirement(bad)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:../lib", ("../lib", True)),
        ("file:///${PROJECT_ROOT}/../lib", ("../lib", True)),
        ("file://${PROJECT_ROOT}/../lib", ("../lib", True)),
        ("file:///srv/lib", ("/srv/lib", False)),
        ("file:my%20lib", ("my lib", True)),
        ("https://example.org/x.whl", None),
    ],
)
def test_file_urls(url: str, expected: tuple[str, bool] | None) -> None:
    assert file_url_path(url) == expected


@pytest.mark.parametrize(
    ("spec", "lowest"),
    [
        (">=3.11", (3, 11)),
        (">= 3.10, <4", (3, 10)),
        ("~=3.10.2", (3, 10)),
        ("==3.12.*", (3, 12)),
        ("^3.11", (3, 11)),
        ("~3.10", (3, 10)),
        ("3.11.*", (3, 11)),
        (">=3.9 <4", (3, 9)),
        (">=3.11 || >=3.9", (3, 9)),
        (">=3.9,>=3.11", (3, 11)),
        ("<4", None),
        ("*", None),
    ],
)
def test_lowest_minor(spec: str, lowest: tuple[int, int] | None) -> None:
    assert lowest_minor(spec) == lowest


def test_python_version_file_keeps_major_minor() -> None:
    assert python_version_file("# pinned\n3.12.4\n3.11\n") == "3.12"
    assert python_version_file("cpython@3.11\n") == "3.11"
    assert python_version_file("system\n") is None


@pytest.mark.parametrize(("version", "spec", "expected"), [
    ("0.13.9", ">=0.9.25", True),
    ("0.13.9", ">=0.9.25,<0.13", False),
    ("0.13.9", "==0.13.*", True),
    ("0.13.9", "==0.5.*", False),
    ("0.13.9", "!=0.13.*", False),
    ("0.13.9", "~=0.13.0", True),
    ("0.13.9", "~=0.12.0", False),
    ("0.13.9", "~=0.13", True),
    ("0.13.9", "0.13.9", True),
    ("0.13.9", "0.5.0", False),
    ("0.13.9", "< 1, >= 0.13.9", True),
    ("0.13.9", "== 0.13.9", True),
    ("0.13.9", ">0.13.9", False),
    ("0.13.9", "===0.13.9", True),
    ("0.13.9", ">=0.13.0a1", False),  # unread: passed on as it is
    ("0.13.9", "latest", False),
])
def test_satisfies(version: str, spec: str, expected: bool) -> None:
    assert satisfies(version, spec) is expected
