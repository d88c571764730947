from __future__ import annotations

import os
from pathlib import Path

import pytest

from bakegen.errors import BakegenError
from bakegen.formats import header_lines
from bakegen.write import apply_changes, plan_changes, resolve_inside, unified_diff
from tests.builders import write_tree

GEN = header_lines()[0] + "\n"


def test_creates_updates_and_keeps_unchanged(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docker/a": GEN + "old\n", "docker/b": GEN + "same\n"})
    files = {"docker/a": GEN + "new\n", "docker/b": GEN + "same\n", "docker/c": GEN}
    changes = plan_changes(tmp_path, files, ("docker",))
    assert (changes.created, changes.updated, changes.unchanged) == (
        ("docker/c",),
        ("docker/a",),
        ("docker/b",),
    )
    apply_changes(tmp_path, files, changes)
    assert (tmp_path / "docker/a").read_text() == GEN + "new\n"
    assert plan_changes(tmp_path, files, ("docker",)).changed == ()


def test_refuses_foreign_file_unless_forced(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docker-bake.hcl": 'target "mine" {}\n'})
    with pytest.raises(BakegenError, match=r"^docker-bake.hcl: exists and was not generated"):
        plan_changes(tmp_path, {"docker-bake.hcl": GEN}, ())
    assert plan_changes(tmp_path, {"docker-bake.hcl": GEN}, (), force=True).updated == (
        "docker-bake.hcl",
    )


def test_removes_only_stale_generated_files(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docker/services/gone.Dockerfile": GEN, "docker/services/mine": "x"})
    changes = plan_changes(tmp_path, {}, ("docker",))
    assert changes.removed == ("docker/services/gone.Dockerfile",)
    apply_changes(tmp_path, {}, changes)
    assert not (tmp_path / "docker/services/gone.Dockerfile").exists()
    assert (tmp_path / "docker/services/mine").exists()


def test_failure_midway_leaves_previous_files_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"a": GEN + "1\n", "b": GEN + "1\n"})
    files = {"a": GEN + "2\n", "b": GEN + "2\n"}
    changes = plan_changes(tmp_path, files, ())
    real_replace = os.replace
    calls = []

    def failing_stage(target: Path, text: str) -> Path:
        calls.append(target)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_stage(target, text)

    import bakegen.write as write_module

    real_stage = write_module._stage
    monkeypatch.setattr(write_module, "_stage", failing_stage)
    with pytest.raises(KeyboardInterrupt):
        apply_changes(tmp_path, files, changes)
    assert (tmp_path / "a").read_text() == GEN + "1\n"
    assert (tmp_path / "b").read_text() == GEN + "1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]
    del real_replace


def test_output_outside_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    os.symlink(tmp_path, tmp_path / "repo" / "up")
    with pytest.raises(BakegenError, match="resolves outside the repository"):
        resolve_inside(tmp_path / "repo", "up/docker", "output folder")
    with pytest.raises(BakegenError, match="resolves outside the repository"):
        resolve_inside(tmp_path / "repo", "../elsewhere", "output folder")


def test_diff_shows_changes(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a": GEN + "old\n"})
    files = {"a": GEN + "new\n"}
    diff = unified_diff(tmp_path, files, plan_changes(tmp_path, files, ()))
    assert "--- a/a" in diff and "-old" in diff and "+new" in diff
