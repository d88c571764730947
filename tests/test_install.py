"""The workflow installs the bakegen version that generated it, from a source the user
names, and `ci github` refuses an install line it knows cannot resolve (bakegen is not on
PyPI). The package itself builds as sdist and wheel that `twine check` accepts."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit
from click.testing import CliRunner

from bakegen import __version__
from bakegen.cli import cli
from bakegen.errors import BakegenError
from bakegen.render.workflow import WORKFLOW_FILE, install_command
from tests.builders import copy_sample, write_tree
from tests.test_ci_github import load

PROJECT = Path(__file__).parent.parent


@pytest.mark.parametrize("command", [
    "pip install bakegen", f'pip install "bakegen=={__version__}"', "pip install -U bakegen",
    "python -m pip install 'bakegen>=0.1'", "",
])
def test_install_lines_that_cannot_resolve_are_refused(command: str) -> None:
    with pytest.raises(BakegenError, match="not on PyPI"):
        install_command(command)


@pytest.mark.parametrize("command", [
    f"pip install git+https://github.com/acme/bakegen@v{__version__}",
    "pip install ./tools/bakegen",
    "pip install --index-url https://pypi.internal/simple bakegen==0.1.0",
])
def test_install_lines_with_a_source_are_kept(command: str) -> None:
    assert install_command(command) == command


def test_ci_github_refuses_without_a_source(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"bakegen.toml": 'registry = "ghcr.io/x"\n'})
    result = CliRunner().invoke(cli, ["ci", "github", str(root)])
    assert result.exit_code == BakegenError.exit_code
    assert "bakegen is not on PyPI; name where CI installs it from with --install" in (
        result.stderr)
    assert not (root / WORKFLOW_FILE).exists()
    result = CliRunner().invoke(cli, ["ci", "github", str(root), "--install",
                                      "pip install bakegen"])
    assert result.exit_code == BakegenError.exit_code and "cannot resolve" in result.stderr


def test_the_install_line_comes_from_the_config_and_checks_the_version(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    assert CliRunner().invoke(cli, ["ci", "github", str(root), "--force"]).exit_code == 0
    steps = load((root / WORKFLOW_FILE).read_text())["jobs"]["affected"]["steps"]
    (install,) = [s for s in steps if s.get("name", "").startswith("Install bakegen")]
    assert install["name"] == f"Install bakegen {__version__}"
    lines = install["run"].splitlines()
    assert lines[0] == f"pip install git+https://github.com/acme/bakegen@v{__version__}"
    # the installed version must be the one that wrote the workflow
    done = subprocess.run(["bash", "-c", lines[1]], capture_output=True, check=False,
                          env={"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    assert done.returncode == 0


def test_the_version_is_written_in_one_place() -> None:
    project = tomlkit.parse((PROJECT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert f'__version__ = "{__version__}"' in (PROJECT / "bakegen" / "__init__.py").read_text()


def test_sdist_and_wheel_build_and_pass_twine_check(tmp_path: Path) -> None:
    for module in ("build", "twine"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (pip install -e '.[test]')")
    # --no-isolation: the test environment has setuptools; no network needed
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path),
                    str(PROJECT)], check=True, capture_output=True)
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == [f"bakegen-{__version__}-py3-none-any.whl", f"bakegen-{__version__}.tar.gz"]
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                           *map(str, tmp_path.iterdir())], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
