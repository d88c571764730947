"""`bakegen matrix` and the bake-file reader behind it."""

from __future__ import annotations

import json
import random
from pathlib import Path

import hcl2
import pytest
from click.testing import CliRunner

from bakegen.bakefile import BakeFileError, parse_bakefiles, unquote
from bakegen.cli import cli, main
from bakegen.matrix import build_matrix, runner_for, write_github_output
from bakegen.render.matrix import github_outputs, matrix_document, render_matrix
from tests.affected.test_affected import append, commit, git, repo  # noqa: F401 - the fixture
from tests.builders import copy_sample, write_tree

BAKE = """\
variable "REGISTRY" {
  default = "ghcr.io/acme"
}
variable "ARCHES" {
  default = "linux/amd64,linux/arm64"
}
variable "BAKEGEN_MODE" {
  default = "local"
}
group "default" {
  targets = ["api", "web"]
}
target "_common" {
  platforms = ["linux/amd64", "linux/arm64"]
  labels = { "org.opencontainers.image.source" = "https://example.com" }
}
target "docker-metadata-action" {}
target "node-deps-base" {
  inherits   = ["_common"]
  dockerfile = "docker/base-node.Dockerfile"
  target     = "deps-base"
  tags       = ["${REGISTRY}/node-deps-base:0123abcd"]
}
target "api" {
  inherits   = ["_common"]
  dockerfile = "docker/services/api.Dockerfile"
  contexts   = { deps-base = BAKEGEN_MODE == "ci" ? "docker-image://x:1" : "target:node-deps-base" }
  tags       = ["${REGISTRY}/api:latest"]
  args       = { A = "1", B = "2" }
}
target "web" {
  inherits   = ["_common"]
  dockerfile = "docker/services/web.Dockerfile"
  contexts   = { deps-base = "target:node-deps-base" }
  tags       = ["${REGISTRY}/web:latest"]
}
"""
OVERRIDE = """\
target "api" {
  platforms = ["linux/arm64"]
  args      = { B = "override", C = "3" }
}
target "docs" {
  context   = "docs"
  platforms = ["${ARCHES}"]
  tags      = ["example/docs:latest"]
}
target "lint" {
  context = "."
  target  = "lint"
  output  = ["type=cacheonly"]
}
"""


def bake(*texts: tuple[str, str]) -> object:
    return parse_bakefiles(list(texts) or [("docker-bake.hcl", BAKE)])


# --------------------------------------------------------------------------- reading bake files


def test_override_wins_and_maps_merge_key_by_key() -> None:
    merged = parse_bakefiles([("docker-bake.hcl", BAKE), ("docker-bake.override.hcl", OVERRIDE)])
    api = merged.targets["api"]
    assert api.platforms == ("linux/arm64",)
    assert api.attributes["args"] == {"A": "1", "B": "override", "C": "3"}
    assert api.tags == ("${REGISTRY}/api:latest",)
    assert merged.definition("api")["tags"] == ["ghcr.io/acme/api:latest"]
    assert merged.targets["web"].platforms == ("linux/amd64", "linux/arm64")  # inherited
    assert merged.targets["web"].attributes["labels"] == {
        "org.opencontainers.image.source": "https://example.com"}
    assert merged.sources == ("docker-bake.hcl", "docker-bake.override.hcl")


def test_buildable_targets_leave_out_bases_templates_and_helpers() -> None:
    merged = parse_bakefiles([("docker-bake.hcl", BAKE), ("docker-bake.override.hcl", OVERRIDE)])
    assert [t.name for t in merged.buildable()] == ["api", "docs", "lint", "web"]
    assert merged.targets["api"].target_refs == ("node-deps-base",)


def test_an_inherited_target_with_tags_is_still_built() -> None:
    extra = 'target "api-debug" {\n  inherits = ["api"]\n  tags = ["x/api:debug"]\n}\n'
    merged = parse_bakefiles([("docker-bake.hcl", BAKE + extra)])
    assert [t.name for t in merged.buildable()] == ["api", "api-debug", "web"]


def test_strings_are_unquoted_like_bake_reads_them() -> None:
    assert unquote('"a\\"b\\\\c\\n"') == 'a"b\\c\n'
    assert unquote('"\\u00e9t\\u00e9"') == "été"
    assert unquote("${BAKEGEN_MODE}") == "${BAKEGEN_MODE}"
    text = 'target "x" {\n  args = { Q = "say \\"hi\\"", D = "$${literal}" }\n}\n'
    merged = parse_bakefiles([("docker-bake.hcl", text)])
    assert merged.targets["x"].attributes["args"] == {"Q": 'say "hi"', "D": "$${literal}"}
    assert merged.definition("x")["args"] == {"D": "${literal}", "Q": 'say "hi"'}
    assert hcl2.loads(text)  # the same text python-hcl2 reads


def test_bad_bake_files() -> None:
    with pytest.raises(BakeFileError, match=r"docker-bake\.hcl: invalid HCL"):
        parse_bakefiles([("docker-bake.hcl", 'target "x" {\n  tags = [\n')])
    loop = 'target "a" {\n  inherits = ["b"]\n}\ntarget "b" {\n  inherits = ["a"]\n}\n'
    with pytest.raises(BakeFileError, match='target "a" inherits from itself'):
        parse_bakefiles([("docker-bake.hcl", loop)])


# --------------------------------------------------------------------------- matrices


def test_matrix_one_entry_per_target() -> None:
    merged = parse_bakefiles([("docker-bake.hcl", BAKE), ("docker-bake.override.hcl", OVERRIDE)])
    matrix = build_matrix(merged)
    assert matrix_document(matrix, "github") == {"include": [
        {"target": "api", "platforms": "linux/arm64", "runner": "ubuntu-24.04"},
        {"target": "docs", "platforms": "linux/amd64,linux/arm64", "runner": "ubuntu-24.04"},
        {"target": "lint", "platforms": "", "runner": "ubuntu-24.04"},
        {"target": "web", "platforms": "linux/amd64,linux/arm64", "runner": "ubuntu-24.04"},
    ]}
    assert matrix_document(matrix, "json")["include"][1] == {
        "target": "docs", "platforms": ["linux/amd64", "linux/arm64"]}


def test_split_matrix_one_entry_per_target_and_platform_on_native_runners() -> None:
    merged = parse_bakefiles([("docker-bake.hcl", BAKE), ("docker-bake.override.hcl", OVERRIDE)])
    matrix = build_matrix(merged, selected=["web", "lint"], split=True)
    assert matrix_document(matrix, "github") == {"include": [
        {"target": "lint", "platform": "linux/amd64", "platform_slug": "linux-amd64",
         "runner": "ubuntu-24.04"},
        {"target": "web", "platform": "linux/amd64", "platform_slug": "linux-amd64",
         "runner": "ubuntu-24.04"},
        {"target": "web", "platform": "linux/arm64", "platform_slug": "linux-arm64",
         "runner": "ubuntu-24.04-arm"},
    ]}
    assert matrix_document(matrix, "json")["include"][2] == {
        "target": "web", "platform": "linux/arm64"}
    assert matrix.targets == ("lint", "web")


def test_runner_hints() -> None:
    assert runner_for("linux/arm64") == "ubuntu-24.04-arm"
    assert runner_for("linux/amd64") == "ubuntu-24.04"
    assert runner_for("linux/arm/v7") == "ubuntu-24.04"  # no native runner: QEMU on amd64
    assert runner_for("linux/riscv64") == "ubuntu-24.04"


def test_matrix_order_does_not_depend_on_file_order() -> None:
    blocks = BAKE.split("\ntarget ")
    head, targets = blocks[0], blocks[1:]
    expected = render_matrix(build_matrix(bake(), split=True))
    for seed in range(5):
        shuffled = random.Random(seed).sample(targets, len(targets))
        text = head + "".join("\ntarget " + t.rstrip("\n") + "\n" for t in shuffled)
        assert render_matrix(build_matrix(bake(("docker-bake.hcl", text)), split=True)) == expected


def test_github_outputs_and_empty_matrix(tmp_path: Path) -> None:
    matrix = build_matrix(bake(), selected=[], split=True)
    assert github_outputs(matrix) == [
        ("matrix", '{"include":[]}'),
        ("targets", '{"include":[]}'),
        ("has_targets", "false"),
    ]
    out = tmp_path / "github_output"
    out.write_text("earlier=1\n")
    write_github_output(out, github_outputs(build_matrix(bake(), selected=["web"])))
    assert out.read_text().splitlines() == [
        "earlier=1",
        'matrix={"include":[{"target":"web","platforms":"linux/amd64,linux/arm64",'
        '"runner":"ubuntu-24.04"}]}',
        'targets={"include":[{"target":"web"}]}',
        "has_targets=true",
    ]


# --------------------------------------------------------------------------- the command


def test_matrix_command_reads_generated_and_hand_written_targets(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["generate", str(root)]).exit_code == 0
    override = OVERRIDE.split('target "lint"')[0].replace('target "api"', 'target "acme-api"')
    write_tree(root, {"docker-bake.override.hcl": override})
    result = runner.invoke(cli, ["matrix", str(root), "--format", "json"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)["include"]
    assert [e["target"] for e in entries] == [
        "acme-api", "acme-web", "acme-worker", "docs", "router-svc"]
    assert entries[0] == {"target": "acme-api", "platforms": ["linux/arm64"]}
    assert "5 targets, 5 jobs" in result.stderr


def test_matrix_without_a_bake_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["matrix", str(tmp_path)])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "docker-bake.hcl: not found; run `bakegen generate` first\n")


def test_affected_matrix_with_github_output(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    append("crates/geo/src/lib.rs")(repo)
    commit(repo)
    out = tmp_path / "out.txt"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    result = CliRunner().invoke(
        cli, ["matrix", str(repo), "--affected", "--base", "HEAD~1", "--split-platforms",
              "--github-output"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [e["runner"] for e in json.loads(result.stdout)["include"]] == [
        "ubuntu-24.04", "ubuntu-24.04-arm"]
    assert "router-svc: crates/geo/src/lib.rs (via geo)" in result.stderr
    lines = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert lines["has_targets"] == "true"
    assert json.loads(lines["targets"]) == {"include": [{"target": "router-svc"}]}
    assert len(json.loads(lines["matrix"])["include"]) == 2


def test_affected_matrix_can_be_empty(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    append("README.md", "x\n")(repo)
    commit(repo)
    out = tmp_path / "out.txt"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    result = CliRunner().invoke(cli, ["matrix", str(repo), "--affected", "--base", "HEAD~1",
                                      "--github-output"], catch_exceptions=False)
    assert json.loads(result.stdout) == {"include": []}
    assert "has_targets=false" in out.read_text().splitlines()


def test_option_errors(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    runner = CliRunner()
    missing = runner.invoke(cli, ["matrix", str(repo), "--affected"])
    assert missing.exit_code == 2 and "--affected needs --base REF" in missing.output
    stray = runner.invoke(cli, ["matrix", str(repo), "--base", "HEAD"])
    assert stray.exit_code == 2 and "need --affected" in stray.output
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    unset = runner.invoke(cli, ["matrix", str(repo), "--github-output"])
    assert unset.exit_code == 2 and "$GITHUB_OUTPUT is not set" in unset.output
    bad_ref = runner.invoke(cli, ["matrix", str(repo), "--affected", "--base", "nope"])
    assert bad_ref.exit_code == 2
    assert bad_ref.stderr == '--base: unknown git ref "nope"\n'
    assert git(repo, "status", "--porcelain") == ""


# --------------------------------------------------------------------------- the fast reader

SNIPPETS = [
    BAKE,
    OVERRIDE,
    'target "a" {\n  n = 3\n  f = 1.5\n  neg = -1\n  b = true\n  z = null\n}\n',
    'target "a" {\n  x = foo\n  y = [foo, "b"]\n  w = !true\n  v = 1 + 2\n  c = f("x", 2)\n}\n',
    'target "a" {\n  m = { a = 1, "b c" = "d" }\n  nested = [[1, 2], {x = "y"}]\n}\n',
    'target "a" {\n  t = "${foo}-1"\n  e = "$${x} %%{y} \\\\ \\" \\n"\n}\n',
    '# c\n// d\n/* e\n f */\ntarget "a" {  # trailing\n'
    '  list = [\n    "x",  # one\n    "y"\n  ]\n}\n',
    'target "a" {\n  c = MODE == "ci" ? ["a", "b"] : []\n'
    '  k = {\n    d = MODE == "ci" ? "x" : "y"\n  }\n}\n',
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_fast_reader_reads_what_python_hcl2_reads(text: str) -> None:
    from bakegen.bakefile import _FastReader

    expected = hcl2.loads(text)
    expected.pop("__comments__", None)
    for blocks in expected.values():
        for block in blocks:
            for body in block.values():
                body.pop("__comments__", None)
                body.pop("__inline_comments__", None)
    assert _FastReader(text).document() == expected


def test_fast_reader_reads_the_generated_bake_file(tmp_path: Path) -> None:
    from bakegen.bakefile import _FastReader

    root = copy_sample(tmp_path)
    assert CliRunner().invoke(cli, ["generate", str(root)]).exit_code == 0
    text = (root / "docker-bake.hcl").read_text()
    expected = hcl2.loads(text)
    expected.pop("__comments__", None)
    assert _FastReader(text).document() == expected


@pytest.mark.parametrize("text", [
    'target "a" {\n  dockerfile-inline = <<EOT\nFROM alpine\nA = "x"\nEOT\n}\n',
    'variable "V" {\n  default = "x"\n  validation {\n    condition = V != ""\n'
    '    error_message = "empty"\n  }\n}\ntarget "a" {\n  tags = ["${V}"]\n}\n',
    'function "tag" {\n  params = [name]\n  result = ["r/${name}"]\n}\n'
    'target "a" {\n  tags = tag("a")\n  args = { X = "${upper("y")}" }\n}\n',
])
def test_other_hcl_goes_through_python_hcl2(text: str) -> None:
    merged = parse_bakefiles([("docker-bake.hcl", text)])
    assert "a" in merged.targets or "V" in merged.variables
