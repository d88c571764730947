from __future__ import annotations

import os
from pathlib import Path

import pytest

from bakegen.errors import BakegenError
from bakegen.tree import SourceTree, glob_regex, join, match_globs, normalize
from tests.builders import write_tree


def test_index_skips_noise_and_gitignored(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "package.json": {},
            "apps/api/package.json": {},
            "apps/api/node_modules/x/package.json": {},
            "crates/a/target/debug/Cargo.toml": "",
            ".venv/lib/pyproject.toml": "",
            "dist/package.json": {},
            ".gitignore": "generated/\n*.log\n",
            "generated/package.json": {},
            "apps/api/debug.log": "x",
            "apps/web/.gitignore": "out/\n",
            "apps/web/out/package.json": {},
            "apps/web/package.json": {},
        },
    )
    tree = SourceTree.scan(tmp_path)
    assert tree.named("package.json") == (
        "apps/api/package.json",
        "apps/web/package.json",
        "package.json",
    )
    assert not tree.exists("apps/api/debug.log")


def test_symlink_outside_root_is_skipped_with_warning(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"secret/package.json": {}})
    repo = write_tree(tmp_path / "repo", {"package.json": {}})
    os.symlink(outside / "secret", repo / "linked")
    os.symlink(outside / "secret" / "package.json", repo / "pkg.json")
    tree = SourceTree.scan(repo)
    assert tree.files == ("package.json",)
    assert any("outside the repository" in p.message for p in tree.problems)


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/package.json": {}})
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    os.symlink(tmp_path / "self", tmp_path / "self")
    tree = SourceTree.scan(tmp_path)
    assert tree.files == ("a/package.json",)


def test_file_order_on_disk_does_not_matter(tmp_path: Path) -> None:
    tree = SourceTree.from_files(tmp_path, ["b/x", "a/x", "c"])
    assert tree.files == ("a/x", "b/x", "c")
    assert tree == SourceTree.from_files(tmp_path, ["c", "a/x", "b/x"])


def test_read_text_errors_name_the_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bin.json": b"\x00\x01", "latin.json": b"\xff\xfe{"})
    tree = SourceTree.scan(tmp_path)
    with pytest.raises(BakegenError, match=r"^bin\.json: binary data"):
        tree.read_text("bin.json")
    with pytest.raises(BakegenError, match=r"^latin\.json: not valid UTF-8"):
        tree.read_text("latin.json")


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("apps/*", "apps/api", True),
        ("apps/*", "apps/api/nested", False),
        ("packages/**", "packages/a/b", True),
        ("packages/**", "packages/a", True),
        ("**/svc-*", "deep/x/svc-a", True),
        ("**/svc-*", "svc-b", True),
        ("./libs/[ab]*", "libs/alpha", True),
        ("./libs/[ab]*", "libs/core", False),
        ("crates/{a,b}", "crates/b", True),
        ("tools/", "tools", True),
    ],
)
def test_glob_regex(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).match(path)) is matches


def test_match_globs_reports_unmatched_and_applies_excludes() -> None:
    matched, unmatched = match_globs(
        ["apps/api", "apps/legacy", "libs/x"], ["apps/*", "tools/*"], ["apps/legacy"]
    )
    assert matched == ("apps/api",)
    assert unmatched == ("tools/*",)


def test_invalid_glob_raises_value_error() -> None:
    with pytest.raises(ValueError, match="unclosed"):
        glob_regex("apps/[abc")


def test_path_helpers() -> None:
    assert normalize("./a//b/") == "a/b"
    assert normalize("./") == "."
    assert join("crates/a", "../b") == "crates/b"
    assert join("crates/a", "../../../etc") == "../etc"


def test_files_below_lists_repository_paths_of_that_folder_only(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/b/x.rs": "", "a/b/c/y.rs": "", "a/bc/z.rs": "", "a/w.rs": ""})
    tree = SourceTree.scan(tmp_path)
    assert tree.files_below("a/b") == ["a/b/c/y.rs", "a/b/x.rs"]
    assert tree.files_below("a/none") == []
