"""JSON outputs carry `schema_version`; the GitHub matrix stays what `strategy.matrix` takes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.render.schema import SCHEMA_VERSION
from tests.test_cli_sample import SAMPLE


@pytest.mark.parametrize(
    "args",
    [["scan", "--json"], ["graph", "--format", "json"], ["matrix", "--format", "json"],
     ["matrix", "--format", "json", "--layered"]],
)
def test_json_documents_start_with_the_schema_version(args: list[str]) -> None:
    result = CliRunner().invoke(cli, [*args, str(SAMPLE)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert SCHEMA_VERSION == 1
    assert next(iter(document.items())) == ("schema_version", 1)


@pytest.mark.parametrize("extra", [[], ["--layered"]])
def test_the_github_matrix_has_no_schema_version(extra: list[str]) -> None:
    result = CliRunner().invoke(cli, ["matrix", "--format", "github", *extra, str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "schema_version" not in json.loads(result.stdout)
