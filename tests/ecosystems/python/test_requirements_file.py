"""A plain pip project's requirements.txt: its pins are installed by deps-base together with
pyproject.toml's requirements."""

from __future__ import annotations

from pathlib import Path

from bakegen.ecosystems import python as python_ecosystem
from bakegen.ecosystems.python.pep import parse_requirement
from bakegen.ecosystems.python.recipe import base_recipe
from bakegen.ecosystems.python.requirements_file import is_pinned, read_requirements
from bakegen.model import EcosystemScan
from bakegen.tree import SourceTree
from tests.builders import write_tree
from tests.ecosystems.python.test_discover import UNLOCKED, by_name, problems, project

SCRIPT = '[project.scripts]\nsvc = "svc:main"\n'


def _scan(tmp_path: Path, files: dict[str, str]) -> EcosystemScan:
    write_tree(tmp_path, files)
    return python_ecosystem.scan(SourceTree.scan(tmp_path))


def test_lines_includes_hashes_and_continuations(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "svc/requirements.txt": (
            "# pinned by pip-compile\n"
            "certifi==2024.8.30 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\n"
            "idna==3.10  # via requests\n"
            "requests[socks]==2.32.3 ; python_version >= '3.8'\n"
            "-r ../common/base.txt\n"
            "--index-url https://pypi.example/simple\n"
            "-e .\n"
            "../libs/shared\n"
            "not a requirement ===\n"
        ),
        "common/base.txt": "six==1.16.0\n-r ../svc/requirements.txt\n",
    })
    read = read_requirements(SourceTree.scan(tmp_path), "svc/requirements.txt")
    assert [r.text for r in read.value] == [
        "certifi==2024.8.30", "idna==3.10", "requests[socks]==2.32.3 ; python_version >= '3.8'",
        "six==1.16.0"]
    messages = sorted(p.message for p in read.problems)
    assert len(messages) == 4
    assert messages[0].startswith("requirements.txt line 10: `../libs/shared` is not")
    assert messages[1].startswith("requirements.txt line 11: invalid requirement")
    assert messages[2].startswith("requirements.txt line 8: `--index-url https://pypi.example")
    assert messages[3].startswith("requirements.txt line 9: `-e .` is not installed")
    assert all(p.path == "svc/requirements.txt" for p in read.problems)


def test_pinned_means_one_version() -> None:
    assert is_pinned(parse_requirement("certifi==2024.8.30"))
    assert is_pinned(parse_requirement("certifi===2024.8.30 ; os_name == 'posix'"))
    assert is_pinned(parse_requirement("pkg @ https://example.com/pkg-1.0.tar.gz"))
    assert not is_pinned(parse_requirement("certifi>=2024"))
    assert not is_pinned(parse_requirement("certifi==2024.*"))
    assert not is_pinned(parse_requirement("certifi"))


def test_pip_projects_install_their_requirements_txt_pins(tmp_path: Path) -> None:
    result = _scan(tmp_path, {
        "svc/pyproject.toml": project("svc", SCRIPT, deps=("requests>=2",)),
        "svc/requirements.txt": "requests==2.32.3\ncertifi==2024.8.30\nlib==0.1.0\n",
        "lib/pyproject.toml": project("lib"),
    })
    svc = by_name(result)["svc"]
    assert svc.requirements_file == "svc/requirements.txt"
    # the workspace package `lib` is built from its folder, never fetched from an index
    assert svc.requirements == ("certifi==2024.8.30", "requests==2.32.3", "requests>=2")
    # every third-party requirement pinned: no unlocked-mode warning
    assert not any(UNLOCKED in message for _, _, message in problems(result))
    (ws,) = result.workspaces
    recipe = base_recipe(ws, result.packages)
    text = "\n".join(recipe.deps)
    assert "# pinned by svc/requirements.txt, resolved with the pyproject.toml requirements" in text
    assert "pip install 'certifi==2024.8.30' 'requests==2.32.3' 'requests>=2'" in text or (
        "pip install certifi==2024.8.30 requests==2.32.3 'requests>=2'" in text), text


def test_a_requirement_neither_file_pins_keeps_the_unlocked_warning(tmp_path: Path) -> None:
    result = _scan(tmp_path, {
        "svc/pyproject.toml": project("svc", SCRIPT, deps=("requests>=2", "rich")),
        "svc/requirements.txt": "requests==2.32.3\n",
    })
    assert any(UNLOCKED in message for _, _, message in problems(result))


def test_uv_and_poetry_workspaces_ignore_requirements_txt(tmp_path: Path) -> None:
    result = _scan(tmp_path, {
        "pyproject.toml": project("svc", SCRIPT, "[tool.uv.workspace]\nmembers = []\n"),
        "uv.lock": "version = 1\n",
        "requirements.txt": "certifi==2024.8.30\n",  # an export of uv.lock
    })
    assert by_name(result)["svc"].requirements_file is None
    assert by_name(result)["svc"].requirements == ()


def test_an_edited_pin_changes_the_base_of_every_service(tmp_path: Path) -> None:
    import json
    import shutil
    import subprocess

    from click.testing import CliRunner

    from bakegen.cli import cli

    cases = Path(__file__).parents[2] / "cases"
    root = shutil.copytree(cases / "adopt-pip" / "workspace", tmp_path / "ws")
    before = (root / "docker/base-python.Dockerfile")
    assert CliRunner().invoke(cli, ["generate", str(root)]).exit_code == 0
    assert "pip install certifi==2024.8.30" in before.read_text()
    git = ["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "a"], check=True)
    pins = root / "services/orders/requirements.txt"
    pins.write_text(pins.read_text().replace("2024.8.30", "2024.7.4"))
    result = CliRunner().invoke(cli, ["matrix", str(root), "--affected", "--base", "HEAD",
                                      "--worktree"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [e["target"] for e in json.loads(result.stdout)["include"]] == [
        "orders-svc", "users-svc"]
    check = CliRunner().invoke(cli, ["generate", str(root), "--check"])
    assert check.exit_code == 1  # the base Dockerfile carries the pins: regenerate
