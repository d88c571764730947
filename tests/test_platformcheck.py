"""Platform overrides the CI-mode base tags cannot see are warned about, where bakegen can
see them: the repo's CI files and docker-bake.override.hcl."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.platformcheck import platform_overrides
from tests.builders import SAMPLE, write_tree

INSTALL = "pip install git+https://github.com/acme/bakegen@v0.1.0"
WORKFLOW = """\
jobs:
  build:
    steps:
      # a comment naming *.platform=linux/amd64 is no override
      - uses: docker/bake-action@v6
        with:
          set: |
            *.platform=linux/amd64
            acme-api.platform=linux/arm64
"""


def test_a_wildcard_platform_set_in_a_workflow_is_warned_about(tmp_path: Path) -> None:
    make = "ci:\n\tdocker buildx bake --set node-deps-base.platform=x\n"
    write_tree(tmp_path, {".github/workflows/images.yml": WORKFLOW, "Makefile": make})
    warnings = platform_overrides(tmp_path)
    # a service's own platforms are its business; `*` and a base decide a base's platforms
    assert [w.split(": ", 1)[0] for w in warnings] == [
        ".github/workflows/images.yml:8", "Makefile:2"]
    assert "set PLATFORMS (or BUILD_PLATFORMS for one platform of them) instead" in warnings[0]


def test_an_override_file_giving_common_or_a_base_platforms_is_warned_about(
    tmp_path: Path
) -> None:
    write_tree(tmp_path, {"docker-bake.override.hcl": (
        'target "_common" {\n  platforms = ["linux/amd64"]\n}\n'
        'target "acme-api" {\n  platforms = ["linux/arm64"]\n}\n'
        'target "node-deps-base" {\n  platforms = ["linux/amd64"]\n}\n')})
    warnings = platform_overrides(tmp_path)
    assert [w.split(", ")[0] for w in warnings] == [
        "docker-bake.override.hcl: target _common sets its own platforms",
        "docker-bake.override.hcl: target node-deps-base sets its own platforms"]
    (tmp_path / "docker-bake.override.hcl").write_text("target {{ broken")
    assert platform_overrides(tmp_path) == []  # bake reports a broken file itself


def test_the_generated_workflow_sets_no_platform_and_layered_matrix_warns(tmp_path: Path) -> None:
    root = shutil.copytree(SAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".github"))
    runner = CliRunner()
    assert runner.invoke(cli, ["generate", str(root)]).exit_code == 0
    written = runner.invoke(cli, ["ci", "github", str(root), "--install", INSTALL])
    assert written.exit_code == 0, written.output
    assert "sets bake targets' platforms" not in written.output
    assert platform_overrides(root) == []
    (root / ".github/workflows/extra.yml").write_text(WORKFLOW)
    result = runner.invoke(cli, ["matrix", str(root), "--layered"], catch_exceptions=False)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["bases"]["include"]
    assert "warning: .github/workflows/extra.yml:8: `*.platform=…`" in result.stderr
    checked = runner.invoke(cli, ["ci", "github", str(root), "--install", INSTALL,
                                  "--check"])
    assert checked.exit_code == 0
    assert "warning: .github/workflows/extra.yml:8" in checked.output
