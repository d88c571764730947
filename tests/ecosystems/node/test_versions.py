"""Node majors from version files and `engines.node` ranges."""

from __future__ import annotations

import pytest

from bakegen.ecosystems.node.versions import (
    major_from_range,
    major_from_tool_versions,
    major_from_version_file,
)


@pytest.mark.parametrize(("spec", "major"), [
    (">=20", "20"),
    (">= 16.14", "16"),
    ("^18.17", "18"),
    ("^18.17.0", "18"),
    ("~20.1", "20"),
    ("18.x", "18"),
    ("20", "20"),
    ("v18", "18"),
    (">20", "21"),  # x-range: >20 means >=21.0.0
    (">20.1", "20"),
    (">20.1.0", "20"),
    (">=18 <21", "18"),
    (">=18 <21 || >=22", "18"),
    ("20 || 18", "18"),
    ("18 - 20", "18"),
    (">=22.0.0", "22"),
    ("*", None),
    ("", None),
    ("<20", None),
    (">=21 <20", None),
    ("^0.12", None),
    ("latest", None),
])
def test_major_from_range(spec: str, major: str | None) -> None:
    assert major_from_range(spec) == major


@pytest.mark.parametrize(("text", "major"), [
    ("v20.11.1\n", "20"),
    ("20\n", "20"),
    ("22.1", "22"),
    ("lts/iron", "20"),
    ("lts/Jod\n", "22"),
    ("lts/*", None),
    ("node", None),
    ("# pinned\n18\n", "18"),
    (">=20", "20"),
    ("", None),
])
def test_major_from_version_file(text: str, major: str | None) -> None:
    assert major_from_version_file(text) == major


def test_major_from_tool_versions() -> None:
    assert major_from_tool_versions("python 3.12.1\nnodejs 20.11.0 # pinned\n") == "20"
    assert major_from_tool_versions("python 3.12.1\n") is None
