"""go.mod and go.work as the go command reads them, with one-line errors."""

from __future__ import annotations

import pytest

from bakegen.ecosystems.go.manifest import Replace, parse_go_mod, parse_go_work
from bakegen.errors import BakegenError

GO_MOD = """\
// a comment
module "example.com/mono/api" // the module

go 1.22.3
toolchain go1.23.4

require example.com/one v1.2.3
require (
	example.com/two v0.4.0 // indirect
	`example.com/three` v3.0.0+incompatible
)

exclude example.com/one v1.0.0
retract [v0.1.0, v0.2.0]
replace example.com/one => ../one
replace (
	example.com/two v0.4.0 => example.com/fork/two v0.4.1
)
"""


def test_go_mod_directives() -> None:
    mod = parse_go_mod("api/go.mod", GO_MOD)
    assert mod.module == "example.com/mono/api"
    assert (mod.go, mod.toolchain) == ("1.22.3", "go1.23.4")
    assert mod.requires == ("example.com/one", "example.com/two", "example.com/three")
    assert mod.versions[1] == ("example.com/two", "v0.4.0")
    assert mod.replaces == (Replace("example.com/one", "../one"),
                            Replace("example.com/two", "example.com/fork/two", "v0.4.1"))
    assert mod.replaces[0].local and not mod.replaces[1].local


def test_go_work_directives() -> None:
    text = "go 1.27\ntoolchain go1.27.3\nuse ./a\nuse (\n\t./b\n\t../c\n)\n"
    work = parse_go_work("go.work", text)
    assert work.uses == ("./a", "./b", "../c")
    assert (work.go, work.toolchain) == ("1.27", "go1.27.3")


@pytest.mark.parametrize(("text", "message"), [
    ("module x\nrequre y v1\n", 'svc/go.mod: line 2: unknown directive "requre"'),
    ("go 1.22\n", "svc/go.mod: no module directive"),
    ("module x\nrequire (\n  y v1\n", 'svc/go.mod: "require (" block is never closed'),
    ("module x\nrequire y\n", "svc/go.mod: line 2: usage: require module/path v1.2.3"),
    ("module x y\n", "svc/go.mod: line 1: module takes one argument, got 2"),
    ("module x\nreplace y v1\n", "svc/go.mod: line 2: usage: replace module/path [v1.2.3] "
                                  "=> other/path [v1.2.3]"),
    ('module "x\n', "svc/go.mod: line 1: unterminated quoted string"),
])
def test_broken_go_mod_is_one_line_naming_file_and_line(text: str, message: str) -> None:
    with pytest.raises(BakegenError) as caught:
        parse_go_mod("svc/go.mod", text)
    assert str(caught.value) == message


def test_go_work_refuses_go_mod_directives() -> None:
    with pytest.raises(BakegenError, match=r'go.work: line 2: unknown directive "require"'):
        parse_go_work("go.work", "go 1.22\nrequire x v1\n")
