"""`[service.X] dependencies`: one service's mode over the config's, in one workspace.

A workspace where any service keeps its own dependencies has a production-base without
them; its shared services then carry the workspace's set themselves, in a stage written
the same in each of them (and the same as the shared base's), so BuildKit builds it once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli
from bakegen.pipeline import Generated, generate
from bakegen.plan import ServicePlan
from bakegen.settings import PER_SERVICE, SHARED

CASES = Path(__file__).resolve().parent / "cases"


def _workspace(tmp_path: Path, case: str, config: str) -> Path:
    root = shutil.copytree(CASES / case / "workspace", tmp_path / case)
    (root / "bakegen.toml").write_text(config)
    return root


def _service(generated: Generated, name: str) -> ServicePlan:
    return next(s for s in generated.plan.services if s.package.name == name)


def test_one_per_service_service_empties_production_base_and_the_rest_carry_the_shared_set(
    tmp_path: Path,
) -> None:
    shared = generate(_workspace(tmp_path / "a", "rb-npm", 'dependencies = "shared"\n'))
    [shared_base] = shared.plan.bases
    [workspace_stage] = shared_base.recipe.intermediate
    mixed = generate(_workspace(tmp_path / "b", "rb-npm", (
        'dependencies = "shared"\n[service."@rb/api"]\ndependencies = "per-service"\n')))
    [base] = mixed.plan.bases
    assert base.dependencies == PER_SERVICE
    assert base.recipe.intermediate == ()
    assert not [line for line in base.recipe.production if "prod-deps" in line]
    api, site = _service(mixed, "@rb/api"), _service(mixed, "@rb/site")
    assert api.recipe is not None and site.recipe is not None
    # the shared site carries exactly the stage the shared base would have had
    assert site.recipe.stages == (workspace_stage,)
    [own] = api.recipe.stages
    # the api's own: the same workspace-wide step first, then a walk from its folders
    assert own != workspace_stage and own.instructions[0] == workspace_stage.instructions[0]
    assert "apps/api packages/lib" in "\n".join(own.instructions)
    assert api.recipe.runtime[0] == site.recipe.runtime[0] == "COPY --from=prod-deps /prod/ ./"


def test_every_service_shared_over_a_per_service_config_keeps_the_shared_base(
    tmp_path: Path,
) -> None:
    shared = generate(_workspace(tmp_path / "a", "rb-npm", 'dependencies = "shared"\n'))
    overridden = generate(_workspace(tmp_path / "b", "rb-npm", (
        'dependencies = "per-service"\n[service."@rb/api"]\ndependencies = "shared"\n'
        '[service."@rb/site"]\ndependencies = "shared"\n')))
    assert overridden.plan.bases[0].dependencies == SHARED
    assert overridden.files == shared.files


def test_a_shared_python_service_in_a_per_service_workspace_copies_the_whole_venv(
    tmp_path: Path,
) -> None:
    mixed = generate(_workspace(tmp_path, "rb-uv", (
        'dependencies = "per-service"\n[service.rb-jobs]\ndependencies = "shared"\n')))
    jobs, svc = _service(mixed, "rb-jobs"), _service(mixed, "rb-svc")
    assert jobs.recipe is not None and svc.recipe is not None
    assert jobs.recipe.stages == ()
    assert "COPY --from=deps-base /app/.venv /app/.venv" in jobs.recipe.runtime
    assert [s.name for s in svc.recipe.stages] == ["prod-deps"]
    assert "COPY --from=prod-deps /app/.venv /app/.venv" in svc.recipe.runtime


@pytest.mark.parametrize("value", ["both", "true", "Per-Service"])
def test_an_unknown_mode_is_a_one_line_error(tmp_path: Path, value: str) -> None:
    root = _workspace(tmp_path, "rb-npm", f'[service."@rb/api"]\ndependencies = "{value}"\n')
    result = CliRunner().invoke(cli, ["generate", str(root)])
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        'bakegen.toml: "service."@rb/api".dependencies" must be one of shared, '
        f"per-service, got '{value}'"]
    assert not (root / "docker-bake.hcl").exists()
