from __future__ import annotations

import dataclasses

import pytest

from bakegen.config import Config
from bakegen.plan import PlanError
from bakegen.settings import ServiceSettings
from tests.fakes import FakeEcosystem, fake_scan, files_of, plan_of

ECOS = {"node": FakeEcosystem()}


def test_services_get_closure_in_dependency_order_and_pruned_context() -> None:
    scan = fake_scan(
        {
            "@acme/api": (True, ("@acme/db",)),
            "@acme/db": (False, ("@acme/util",)),
            "@acme/util": (False, ()),
            "@acme/other": (False, ()),
        }
    )
    plan = plan_of(scan, Config(), ECOS)
    (svc,) = plan.services
    assert svc.target == "acme-api"
    assert svc.image == "acme-api"
    assert svc.closure == ("node:@acme/util", "node:@acme/db")
    assert svc.context == (
        "package-lock.json",
        "package.json",
        "pkgs/acme-api",
        "pkgs/acme-db",
        "pkgs/acme-util",
    )
    assert svc.dockerfile == "docker/services/acme-api.Dockerfile"
    (base,) = plan.bases
    assert (base.deps_target, base.production_target) == ("node-deps-base", "node-production-base")
    assert base.build_image.name == "NODE_IMAGE"
    assert plan.groups() == {"default": ("acme-api",), "node": ("acme-api",)}


def test_target_name_collision_names_both_packages() -> None:
    scan = fake_scan({"@a/api": (True, ()), "a-api": (True, ())})
    with pytest.raises(PlanError, match=r'target name "a-api" .*collides with node package'):
        plan_of(scan, Config(), ECOS)


def test_service_named_like_a_group_collides() -> None:
    scan = fake_scan({"node": (True, ())})
    with pytest.raises(PlanError, match="collides with the node base targets"):
        plan_of(scan, Config(), ECOS)


def test_config_target_override_and_invalid_target() -> None:
    scan = fake_scan({"@a/api": (True, ())})
    config = dataclasses.replace(Config(), services={"@a/api": ServiceSettings(target="edge")})
    assert plan_of(scan, config, ECOS).services[0].target == "edge"
    config = dataclasses.replace(Config(), services={"@a/api": ServiceSettings(target="bad name")})
    with pytest.raises(PlanError, match="must use only letters"):
        plan_of(scan, config, ECOS)


def test_own_dockerfile_is_kept_and_linked_only_when_it_uses_bases() -> None:
    scan = fake_scan({"@a/api": (True, ()), "@a/web": (True, ())})
    scan = dataclasses.replace(
        scan, packages=tuple(dataclasses.replace(p, has_dockerfile=True) for p in scan.packages)
    )
    own = {
        "pkgs/a-api/Dockerfile": "FROM deps-base AS build\n",
        "pkgs/a-web/Dockerfile": "FROM node\n",
    }
    plan = plan_of(scan, Config(), ECOS, own_dockerfiles=own)
    api, web = plan.services
    assert not api.generated and api.dockerfile == "pkgs/a-api/Dockerfile" and api.uses_bases
    assert not web.generated and not web.uses_bases


def test_bases_no_service_builds_on_are_not_planned() -> None:
    scan = fake_scan({"@a/web": (True, ())})
    scan = dataclasses.replace(
        scan, packages=tuple(dataclasses.replace(p, has_dockerfile=True) for p in scan.packages)
    )
    plan = plan_of(scan, Config(), ECOS, own_dockerfiles={"pkgs/a-web/Dockerfile": "FROM node\n"})
    assert plan.bases == () and [s.target for s in plan.services] == ["a-web"]
    files = files_of(plan)
    assert not any("base-" in path for path in files)
    assert "deps-base" not in files["docker-bake.hcl"]
