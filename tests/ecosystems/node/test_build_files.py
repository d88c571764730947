from __future__ import annotations

from pathlib import Path

from bakegen.config import Config
from bakegen.ecosystems import ECOSYSTEMS
from bakegen.scan.repository import scan_repository
from tests.builders import write_tree
from tests.fakes import plan_of


def test_root_build_config_reaches_service_contexts_but_not_deps_base(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "package.json": {"name": "root", "private": True, "workspaces": ["apps/*"]},
            "package-lock.json": {"lockfileVersion": 3, "packages": {}},
            "tsconfig.base.json": "{}",
            "turbo.json": "{}",
            "apps/api/package.json": {"name": "api", "scripts": {"start": "node dist/index.js"}},
            "apps/api/tsconfig.json": '{"extends": "../../tsconfig.base.json"}',
            "notes.json": "{}",
        },
    )
    scan = scan_repository(tmp_path, Config())
    (ws,) = scan.workspaces
    assert ws.build_files == ("tsconfig.base.json", "turbo.json")
    plan = plan_of(scan, Config(), ECOSYSTEMS)
    (svc,) = plan.services
    assert {"tsconfig.base.json", "turbo.json"} <= set(svc.context)
    assert "notes.json" not in svc.context
    assert "tsconfig.base.json" not in plan.bases[0].context
