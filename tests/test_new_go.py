"""`bakegen new NAME --lang go`: a module continuing its siblings' paths, registered in
go.work, that generates and builds (the real build is in tests/realbuild)."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.onboarding.register import add_go_work_use

CASES = Path(__file__).parent / "cases"


def test_new_go_service_in_a_go_work(tmp_path: Path) -> None:
    root = shutil.copytree(CASES / "rb-go" / "workspace", tmp_path / "ws")
    result = CliRunner().invoke(cli, [
        "new", "billing", "--lang", "go", "--root", str(root),
        "--depends-on", "example.com/mono/libs/greet", "--port", "8090"],
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (root / "services/billing/go.mod").read_text() == (
        "module example.com/mono/services/billing\n\ngo 1.27\n\nrequire (\n"
        "\texample.com/mono/libs/greet v0.0.0\n)\n\n"
        "replace example.com/mono/libs/greet => ../../libs/greet\n")
    main = (root / "services/billing/main.go").read_text()
    assert 'port = "8090"' in main and "package main" in main
    assert "\t./services/billing\n" in (root / "go.work").read_text()
    assert "docker buildx bake billing" in result.output
    bake = (root / "docker-bake.hcl").read_text()
    assert 'target "billing"' in bake
    scanned = CliRunner().invoke(cli, ["scan", str(root)])
    assert "example.com/mono/services/billing" in scanned.output


def test_go_work_use_lines_are_added_in_place() -> None:
    block = "go 1.22\n\nuse (\n\t./a\n\t./c\n)\n"
    assert add_go_work_use(block, "b") == "go 1.22\n\nuse (\n\t./a\n\t./b\n\t./c\n)\n"
    unsorted = "use (\n    ./c\n    ./a\n)\n"
    assert add_go_work_use(unsorted, "b") == "use (\n    ./c\n    ./a\n    ./b\n)\n"
    singles = "go 1.22\nuse ./a\n\n// tools\n"
    assert add_go_work_use(singles, "svc/b") == "go 1.22\nuse ./a\nuse ./svc/b\n\n// tools\n"
    assert add_go_work_use("go 1.22\n", "b") == "go 1.22\n\nuse ./b\n"
