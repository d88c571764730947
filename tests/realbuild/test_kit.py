"""The kit finder: never a crash where no kit runs, always the reason (no BuildKit needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.realbuild.kit import find_kit, kit_home


def test_kit_home_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KIT_HOME", str(tmp_path))
    assert kit_home() == tmp_path


def test_no_env_file_is_a_reason_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KIT_HOME", str(tmp_path))
    found = find_kit()
    assert isinstance(found, str)
    assert str(tmp_path / "env.sh") in found


def test_a_broken_env_file_is_a_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "env.sh").write_text("exit 3\n")
    monkeypatch.setenv("KIT_HOME", str(tmp_path))
    found = find_kit()
    assert isinstance(found, str)
    assert "sourcing" in found
