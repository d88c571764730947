from __future__ import annotations

from bakegen.ecosystems.cargo.versions import lockfile_format, raise_to_floor, rust_floor


def test_lockfile_format_is_read_from_the_header_only() -> None:
    assert lockfile_format("# generated\nversion = 4\n\n[[package]]\nname = \"a\"\n") == 4
    assert lockfile_format("version = 3\n") == 3
    # a package's `version = "1.0"` is not the format; old lockfiles have none
    assert lockfile_format('[[package]]\nname = "a"\nversion = "1.0.0"\n') is None
    assert lockfile_format("") is None


def test_the_floor_is_the_highest_need() -> None:
    assert rust_floor(4, ["2021"], "2") == ((1, 78), "Cargo.lock format 4")
    assert rust_floor(3, ["2021", "2024"], None) == ((1, 85), 'edition "2024"')
    assert rust_floor(4, [], "3") == ((1, 84), 'resolver "3"')
    assert rust_floor(None, [], None) is None
    assert rust_floor(9, ["2030"], "9") is None  # unknown: nothing assumed


def test_raise_to_floor() -> None:
    floor = ((1, 78), "Cargo.lock format 4")
    assert raise_to_floor("1.70", floor) == ("1.78", "Cargo.lock format 4 needs Rust 1.78 or newer")
    assert raise_to_floor("1.70.1", floor)[0] == "1.78"
    assert raise_to_floor("1.78", floor) == ("1.78", None)
    assert raise_to_floor("1.83.0", floor) == ("1.83.0", None)
    assert raise_to_floor(None, floor) == (None, None)
    assert raise_to_floor("1.70", None) == ("1.70", None)
