"""Adding a member to workspace lists: the new entry is the only difference in the file."""

from __future__ import annotations

import difflib
import json
import sys

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bakegen.errors import BakegenError
from bakegen.onboarding.register import (
    MemberList,
    add_json_workspace,
    add_pnpm_workspace,
    add_toml_member,
    insertion_index,
    is_covered,
    is_excluded,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed, added) lines of a line diff."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [d[2:] for d in diff if d[:2] == "- "], [d[2:] for d in diff if d[:2] == "+ "]


PACKAGE_JSON = """{
  "name": "acme",
  "private": true,
  "workspaces": [
    "apps/*",
    "packages/*"
  ],
  "engines": { "node": ">=20" }
}
"""


@pytest.mark.parametrize(
    ("member", "added"),
    [
        ("libs/x", ['    "libs/x",']),  # sorted place, in the middle
        ("aaa/x", ['    "aaa/x",']),  # sorted place, first
        ("services/x", ['    "services/x",']),  # sorts last: goes before the last entry
    ],
)
def test_json_multiline_list_gains_exactly_one_line(member: str, added: list[str]) -> None:
    after = add_json_workspace(PACKAGE_JSON, "package.json", member)
    assert changed_lines(PACKAGE_JSON, after) == ([], added)
    assert sorted(json.loads(after)["workspaces"]) == sorted(["apps/*", "packages/*", member])


def test_json_single_line_list_changes_only_that_line() -> None:
    before = '{"name": "a", "workspaces": ["apps/*", "libs/*"], "x": 1}\n'
    after = add_json_workspace(before, "package.json", "services/x")
    assert after == '{"name": "a", "workspaces": ["apps/*", "libs/*", "services/x"], "x": 1}\n'


def test_json_object_form_and_empty_list() -> None:
    before = '{\n  "workspaces": {\n    "packages": [],\n    "nohoist": ["**/x"]\n  }\n}\n'
    after = add_json_workspace(before, "package.json", "svc/a")
    assert json.loads(after)["workspaces"] == {"packages": ["svc/a"], "nohoist": ["**/x"]}
    assert changed_lines(before, after) == (['    "packages": [],'], ['    "packages": ["svc/a"],'])


def test_json_without_workspaces_gets_the_key() -> None:
    before = '{\n\t"name": "a",\n\t"private": true\n}\n'
    after = add_json_workspace(before, "package.json", "svc/a")
    assert json.loads(after) == {"name": "a", "private": True, "workspaces": ["svc/a"]}
    assert after == '{\n\t"name": "a",\n\t"private": true,\n\t"workspaces": ["svc/a"]\n}\n'


def test_json_keeps_crlf_and_tricky_strings() -> None:
    before = (
        '{\r\n  "description": "a \\"quoted\\" ] } text",\r\n'
        '  "workspaces": [\r\n    "b/*",\r\n    "c/*"\r\n  ]\r\n}\r\n'
    )
    after = add_json_workspace(before, "package.json", "a/x")
    assert after == before.replace('    "b/*"', '    "a/x",\r\n    "b/*"')
    assert json.loads(after)["description"] == 'a "quoted" ] } text'


def test_json_refuses_a_workspaces_value_that_is_no_list() -> None:
    with pytest.raises(BakegenError, match='"workspaces" must be a list'):
        add_json_workspace('{"workspaces": "apps/*"}', "package.json", "x")


@given(
    st.lists(st.from_regex(r"[a-z]{1,6}/\*", fullmatch=True), min_size=1, max_size=6, unique=True),
    st.from_regex(r"[a-z]{1,6}/[a-z]{1,6}", fullmatch=True),
)
def test_json_insertion_always_adds_one_line(entries: list[str], member: str) -> None:
    before = json.dumps({"name": "x", "workspaces": entries}, indent=2) + "\n"
    after = add_json_workspace(before, "package.json", member)
    assert json.loads(after)["workspaces"].count(member) == 1
    assert sorted(json.loads(after)["workspaces"]) == sorted([*entries, member])
    assert changed_lines(before, after) == ([], [f'    "{member}",'])


PNPM = """# the workspace
packages:
  - "apps/*"
  - "packages/*"   # libraries
  # - "old/*"
catalog:
  react: ^18
"""


def test_pnpm_block_list_gains_one_line_in_its_quoting() -> None:
    after = add_pnpm_workspace(PNPM, "services/x")
    assert changed_lines(PNPM, after) == ([], ['  - "services/x"'])
    assert yaml.safe_load(after)["packages"] == ["apps/*", "packages/*", "services/x"]
    assert yaml.safe_load(after)["catalog"] == {"react": "^18"}


def test_pnpm_sorted_place_and_plain_style() -> None:
    before = "packages:\n- apps/*\n- tools/*\n"
    after = add_pnpm_workspace(before, "libs/x")
    assert after == "packages:\n- apps/*\n- 'libs/x'\n- tools/*\n"


def test_pnpm_flow_list_and_missing_key() -> None:
    flow = add_pnpm_workspace("packages: ['a/*']  # x\n", "b/c")
    assert flow == "packages: ['a/*', 'b/c']  # x\n"
    after = add_pnpm_workspace("onlyBuiltDependencies:\n  - esbuild", "svc/a")
    assert yaml.safe_load(after) == {"onlyBuiltDependencies": ["esbuild"], "packages": ["svc/a"]}


CARGO = """[workspace]
# every crate of the repo
members = [
    "crates/*",  # libraries and services
    "tools/cli",
]
resolver = "2"
"""


def test_toml_multiline_list_with_trailing_comma_gains_one_line() -> None:
    after = add_toml_member(CARGO, "Cargo.toml", ("workspace",), "zzz/x")
    assert changed_lines(CARGO, after) == ([], ['    "zzz/x",'])
    assert tomllib.loads(after)["workspace"]["members"] == ["crates/*", "tools/cli", "zzz/x"]


def test_toml_multiline_list_without_trailing_comma_touches_no_other_line() -> None:
    before = '[workspace]\nmembers = [\n    "a",\n    "b"\n]\n'
    after = add_toml_member(before, "Cargo.toml", ("workspace",), "c")
    assert changed_lines(before, after) == ([], ['    "c",'])


def test_toml_single_line_and_missing_members() -> None:
    before = '# root\n[tool.uv.workspace]\nmembers = ["python/*"]  # members\n\n[tool.x]\na = 1\n'
    after = add_toml_member(before, "pyproject.toml", ("tool", "uv", "workspace"), "svc/a")
    assert changed_lines(before, after) == (
        ['members = ["python/*"]  # members'],
        ['members = ["python/*", "svc/a"]  # members'],
    )
    after = add_toml_member("[workspace]\nresolver = \"2\"\n", "Cargo.toml", ("workspace",), "a")
    assert tomllib.loads(after)["workspace"]["members"] == ["a"]


def test_toml_without_the_table_is_an_error() -> None:
    with pytest.raises(BakegenError, match=r"Cargo.toml: has no \[workspace\] table"):
        add_toml_member('[package]\nname = "x"\n', "Cargo.toml", ("workspace",), "a")


def test_coverage_and_exclusion() -> None:
    assert is_covered("apps/x", ["apps/*"], [])
    assert not is_covered("apps/x/y", ["apps/*"], [])
    assert is_covered("apps/x/y", ["apps/**"], [])
    assert not is_covered("apps/x", ["apps/*"], ["apps/x"])
    assert is_excluded("legacy/a", ["legacy"])  # cargo: a folder excludes what is below it
    assert MemberList("package.json", "package.json", ("apps/*",)).covers("apps/web")


def test_insertion_index() -> None:
    assert insertion_index(["a", "c"], "b", may_append=False) == 1
    assert insertion_index(["a", "c"], "d", may_append=True) == 2
    assert insertion_index(["a", "c"], "d", may_append=False) == 1
    assert insertion_index(["c", "a"], "b", may_append=True) == 2  # unsorted: append
    assert insertion_index([], "b", may_append=False) == 0
