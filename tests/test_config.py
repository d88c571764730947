from __future__ import annotations

from pathlib import Path

import pytest

from bakegen.config import Config, load_config, parse_config, without_tool_table
from bakegen.errors import BakegenError
from tests.builders import write_tree


def test_defaults_without_config(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()


def test_bakegen_toml_beside_a_tool_bakegen_table_is_an_error_naming_both(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "bakegen.toml": 'registry = "ghcr.io/own"\n[services]\ninclude = ["tool"]\n',
            "pyproject.toml": '[tool.bakegen]\nregistry = "ghcr.io/py"\n',
        },
    )
    with pytest.raises(BakegenError) as info:
        load_config(tmp_path)
    assert str(info.value) == (
        "bakegen.toml and pyproject.toml [tool.bakegen]: both hold bakegen settings; keep one "
        "(`bakegen init --force` moves them into bakegen.toml)")


def test_bakegen_toml_beside_a_pyproject_without_the_table(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bakegen.toml": 'registry = "ghcr.io/own"\n',
                          "pyproject.toml": '[tool.ruff]\nline-length = 99\n'})
    assert load_config(tmp_path).source == "bakegen.toml"


def test_tool_bakegen_in_pyproject(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": (
                '[tool.bakegen]\nplatforms = ["linux/amd64"]\ncache = "gha"\n'
                '[tool.bakegen.service."@acme/api"]\nport = 3000\nentrypoint = ["node", "x.js"]\n'
                '[tool.bakegen.images.node]\nbuild = "node:22-bookworm-slim"\n'
            )
        },
    )
    config = load_config(tmp_path)
    assert config.platforms == ("linux/amd64",)
    assert config.cache == "gha"
    assert config.service("@acme/api").port == 3000
    assert config.service("@acme/api").entrypoint == ("node", "x.js")
    assert config.image("node").build == "node:22-bookworm-slim"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"services": {"inclde": []}},
            'unknown key "services.inclde" (did you mean "services.include"?)',
        ),
        ({"registy": "x"}, 'unknown key "registry"'.replace('"registry"', '"registy"')),
        ({"cache": "s3"}, '"cache" must be one of registry, gha, none'),
        ({"dependencies": "lean"}, '"dependencies" must be one of shared, per-service'),
        ({"platforms": "linux/amd64"}, '"platforms" must be a list of strings'),
        ({"platforms": ["amd64"]}, "no operating system"),
        ({"service": {"api": {"port": 70000}}}, '"service."api".port" must be a port number'),
        ({"images": {"java": {}}}, 'unknown key "images.java"'),
        ({"metadata_action": "yes"}, '"metadata_action" must be true or false'),
        ({"service": {"api": {"args": {"A B": "1"}}}}, '"service."api".args.A B" is not a build'),
        (
            {"service": {"api": {"secrets": {"x-y": "env:X"}}}},
            '"service."api".secrets.x-y" must be named like an environment variable',
        ),
        (
            {"service": {"api": {"secrets": {"TOKEN": "a,b"}}}},
            '"service."api".secrets.TOKEN" must be a file path or "env:NAME"',
        ),
    ],
)
def test_bad_config_names_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(BakegenError) as info:
        parse_config(data, "bakegen.toml")
    assert str(info.value).startswith("bakegen.toml: ")
    assert message in str(info.value)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bakegen.toml": "registry = \n"})
    with pytest.raises(BakegenError, match=r"^bakegen.toml: invalid TOML"):
        load_config(tmp_path)


def test_service_secrets_are_read_sorted() -> None:
    config = parse_config(
        {"service": {"api": {"secrets": {"B": "env:B", "A": "~/.a"}}}}, "bakegen.toml"
    )
    assert config.service("api").secrets == (("A", "~/.a"), ("B", "env:B"))


def test_dependencies_default_to_shared_and_accept_per_service() -> None:
    assert parse_config({}, "bakegen.toml").dependencies == "shared"
    assert parse_config({"dependencies": "per-service"}, "t").dependencies == "per-service"


def test_without_tool_table_keeps_every_other_byte() -> None:
    text = '[project]\r\nname = "a"  # kept\r\n\r\n[tool.bakegen]\r\nregistry = "x"\r\n'
    assert without_tool_table(text) == '[project]\r\nname = "a"  # kept\r\n'
    assert without_tool_table('[tool.bakegen]\nregistry = "x"\n') == ""
    assert without_tool_table("not = [toml") == "not = [toml"
    assert without_tool_table('[tool.ruff]\nx = 1\n') == '[tool.ruff]\nx = 1\n'
