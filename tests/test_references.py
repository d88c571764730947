"""Platforms and registries: one rule for the command line and the config."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.references import platform_error, registry_error, suggest_platform
from tests.builders import write_tree


@pytest.mark.parametrize("value", ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm64/v8",
                                   "linux/amd64/v3", "windows/amd64", "linux/s390x"])
def test_known_platforms_pass(value: str) -> None:
    assert platform_error(value) is None


@pytest.mark.parametrize(
    ("value", "guess"),
    [("linux/amd65", "linux/amd64"), ("amd64", "linux/amd64"), ("arm64", "linux/arm64"),
     ("linux/x86_64", "linux/amd64"), ("linux/aarch64", "linux/arm64"),
     ("Linux/AMD64", "linux/amd64"), ("linux/arm/v9", "linux/arm/v7"),
     ("linx/arm64", "linux/arm64")],
)
def test_unknown_platforms_are_refused_with_a_suggestion(value: str, guess: str) -> None:
    wrong = platform_error(value)
    assert wrong is not None and wrong.startswith(repr(value))
    assert f'(did you mean "{guess}"?)' in wrong
    assert suggest_platform(value) == guess


def test_a_platform_nothing_is_close_to_says_what_is_expected() -> None:
    assert platform_error("foo/bar") == (
        "'foo/bar': unknown operating system 'foo'; expected os/arch[/variant] like "
        "linux/amd64 or linux/arm/v7")


@pytest.mark.parametrize("value", ["ghcr.io/acme", "localhost:5000/acme", "acme",
                                   "registry.example.com:443/team/sub", "docker.io/library"])
def test_registries_pass(value: str) -> None:
    assert registry_error(value) is None


@pytest.mark.parametrize(
    ("value", "guess"),
    [("GHCR.io/Acme Corp", "ghcr.io/acme-corp"), ("ghcr.io/Acme", "ghcr.io/acme"),
     ("ghcr.io/acme corp", "ghcr.io/acme-corp")],
)
def test_bad_registries_are_refused_with_a_suggestion(value: str, guess: str) -> None:
    wrong = registry_error(value)
    assert wrong is not None and f'(did you mean "{guess}"?)' in wrong


def test_the_cli_and_the_config_refuse_the_same_registry(tmp_path) -> None:
    write_tree(tmp_path / "cli", {"package.json": '{"name": "a"}'})
    write_tree(tmp_path / "cfg", {"bakegen.toml": 'registry = "GHCR.io/Acme Corp"\n'})
    runner = CliRunner()
    by_option = runner.invoke(cli, ["generate", str(tmp_path / "cli"), "--registry",
                                    "GHCR.io/Acme Corp"])
    by_config = runner.invoke(cli, ["generate", str(tmp_path / "cfg")])
    assert by_option.exit_code == by_config.exit_code == 2
    reason = registry_error("GHCR.io/Acme Corp")
    assert reason is not None
    assert reason in by_option.output and reason in by_config.output
    assert not (tmp_path / "cli" / "docker-bake.hcl").exists()


def test_the_cli_and_the_config_refuse_the_same_platform(tmp_path) -> None:
    write_tree(tmp_path / "cfg", {"bakegen.toml": 'platforms = ["linux/amd65"]\n'})
    runner = CliRunner()
    by_option = runner.invoke(cli, ["generate", str(tmp_path), "--platform", "linux/amd65"])
    by_config = runner.invoke(cli, ["generate", str(tmp_path / "cfg")])
    assert by_option.exit_code == by_config.exit_code == 2
    assert "'linux/amd65': unknown architecture 'amd65' (did you mean \"linux/amd64\"?)" in (
        by_option.output)
    assert by_config.output == ('bakegen.toml: "platforms" has \'linux/amd65\': unknown '
                                'architecture \'amd65\' (did you mean "linux/amd64"?)\n')
