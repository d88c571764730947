"""The real-build benchmark's pieces, without building: monorepo, naive plans, report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dockerfile
import hcl2
import pytest

from bakegen.ecosystems.node.static import STATIC
from bakegen.pipeline import generate
from bench.realbuild import naive
from bench.realbuild import run as run_module
from bench.realbuild.report import (
    BEGIN,
    END,
    TARGETS,
    Measurements,
    kept_section,
    render_section,
    replace_section,
)
from bench.realbuild.run import LEAF_FILE, LEAF_TARGET, MONOREPO, SHARED_FILE
from tests.realbuild.kit import Kit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@pytest.fixture(scope="module")
def generated():  # type: ignore[no-untyped-def]
    return generate(MONOREPO)


def test_the_monorepo_is_as_large_as_the_issue_asks(generated) -> None:  # type: ignore[no-untyped-def]
    services = generated.plan.services
    assert len(services) >= 10
    assert {s.package.ecosystem for s in services} == {"node", "python", "cargo"}
    libraries = [p for p in generated.scan.packages if not p.deployable and p.dependencies == ()
                 and any(p.name in {d.name for d in q.dependencies}
                         for q in generated.scan.packages)]
    assert {p.ecosystem for p in libraries} >= {"node", "python", "cargo"}
    npm = json.loads((MONOREPO / "package-lock.json").read_text(encoding="utf-8"))
    third_party = [k for k in npm["packages"] if "node_modules/" in k]
    assert len(third_party) >= 400
    uv = tomllib.loads((MONOREPO / "python" / "uv.lock").read_text(encoding="utf-8"))
    assert len([p for p in uv["package"] if "registry" in p["source"]]) >= 40
    node = [s for s in services if s.package.ecosystem == "node"]
    servers = [s for s in node if s.package.framework != STATIC]
    assert len(servers) >= 5 and all("tsc" in dict(s.package.scripts)["build"] for s in servers)
    # and a static site (issue 14: its image under 30 MB, in the size table)
    assert [s.target for s in node if s.package.framework == STATIC] == ["bench-site"]


def test_the_edited_files_are_a_leaf_and_a_shared_library(generated) -> None:  # type: ignore[no-untyped-def]
    leaf = next(s for s in generated.plan.services if s.target == LEAF_TARGET)
    assert LEAF_FILE.startswith(leaf.package.path + "/")
    shared = SHARED_FILE.split("/src/")[0]
    node = [s for s in generated.plan.services
            if s.package.ecosystem == "node" and s.package.framework != STATIC]
    paths = {p.name: p.path for p in generated.scan.packages}
    assert all(shared in {paths[n.split(":")[-1]] for n in s.closure if n.split(":")[-1]
                          in paths} for s in node)
    assert (MONOREPO / LEAF_FILE).is_file() and (MONOREPO / SHARED_FILE).is_file()


@pytest.mark.parametrize("kind", naive.PLANS)
def test_naive_plans_cover_every_service_and_parse(generated, kind: str) -> None:  # type: ignore[no-untyped-def]
    plan = naive.naive_plan(kind, generated.scan, generated.plan.services,
                            naive.image_defaults(generated.plan))
    assert [s.target for s in plan.services] == sorted(s.target for s in generated.plan.services)
    for svc in plan.services:
        commands = dockerfile.parse_string(svc.text)
        assert next(c.cmd for c in commands if c.cmd != "ARG") == "FROM"
        assert [c.value for c in commands if c.cmd == "USER"] == [("10001:10001",)]
        assert commands[-1].cmd == "CMD"
    bake = hcl2.loads(naive.render_bake(plan))
    targets = {name.strip('"') for block in bake["target"] for name in block}
    assert targets == {s.target for s in plan.services}
    assert "cache-to" not in naive.render_bake(plan)
    assert naive.render_bake(plan, "${REGISTRY}").count("mode=max") == len(plan.services)


@pytest.mark.parametrize(("kind", "root"), [("A", "/repo/services/site/dist"), ("A2", "/site")])
def test_naive_plans_serve_the_static_site_with_node(generated, kind: str, root: str) -> None:  # type: ignore[no-untyped-def]
    plan = naive.naive_plan(kind, generated.scan, generated.plan.services,
                            naive.image_defaults(generated.plan))
    site = next(s for s in plan.services if s.target == "bench-site")
    command = json.loads(dockerfile.parse_string(site.text)[-1].original.removeprefix("CMD "))
    assert command[:2] == ["node", "-e"] and f'const root = "{root}";' in command[2]
    assert "npm run start" not in site.text
    if kind == "A2":
        assert f"COPY --from=build /repo/services/site/dist {root}" in site.text
        assert "COPY --from=build /repo ./" not in site.text


def _images(generated) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return naive.image_defaults(generated.plan)


def _installs(plan: naive.NaivePlan, ecosystem_targets: set[str]) -> set[str]:
    return {c.original for s in plan.services if s.target in ecosystem_targets
            for c in dockerfile.parse_string(s.text)
            if c.cmd == "RUN" and ("npm ci" in c.original or "uv sync" in c.original)}


def test_plan_a_shares_one_install_and_a2_installs_per_service(generated) -> None:  # type: ignore[no-untyped-def]
    node = {s.target for s in generated.plan.services if s.package.ecosystem == "node"}
    a = naive.naive_plan("A", generated.scan, generated.plan.services, _images(generated))
    a2 = naive.naive_plan("A2", generated.scan, generated.plan.services, _images(generated))
    assert len(_installs(a, node)) == 1
    assert len(_installs(a2, node)) == len(node)
    assert all("COPY . ." in s.text for s in a.services)
    assert not any("COPY . ." in s.text for s in a2.services)


def test_build_order_puts_dependencies_first(generated) -> None:  # type: ignore[no-untyped-def]
    by_id = {f"{p.ecosystem}:{p.name}": p for p in generated.scan.packages}
    order = [p.name for p in naive.build_order(by_id["node:@bench/catalog"], by_id)]
    assert order[-1] == "@bench/catalog"
    assert order.index("@bench/logger") < order.index("@bench/http-kit")
    assert order.index("@bench/schemas") < order.index("@bench/http-kit")


def _measurements() -> Measurements:
    data = Measurements(plans=("bakegen", "A", "A2"), scenarios=("cold", "leaf", "ci-nothing"))
    for plan, cold, leaf, ci in (("bakegen", 40.0, 5.0, 1.5), ("A", 50.0, 40.0, 3.0),
                                 ("A2", 100.0, 20.0, 4.0)):
        data.add(plan, {"cold": cold, "leaf": leaf, "ci-nothing": ci})
        data.add(plan, {"cold": cold + 10, "leaf": leaf, "ci-nothing": ci})
        data.add(plan, {"cold": cold - 2, "leaf": leaf, "ci-nothing": ci})
    data.sizes = {"bakegen": {"svc": 10_000_000}, "A": {"svc": 20_000_000}}
    return data


def test_report_shows_medians_ratios_and_verdicts() -> None:
    text = render_section(_measurements())
    assert text.startswith(BEGIN) and text.rstrip().endswith(END)
    assert "| cold full bake (clean builder) | 40.0 | 50.0 | 100.0 | 0.80 | 0.40 |" in text
    assert "| cold <= 1.0x A | 0.80x | met |" in text
    assert "| leaf edited >= 5x faster than A | 0.12x | met |" in text
    assert "| CI fresh runner, nothing changed <= 2 s | 1.50 s | met |" in text
    assert "| nothing changed <= 1.5x A | not measured | — |" in text
    assert "Every bakegen image no larger than A's: yes" in text
    assert len(TARGETS) == 7


def test_report_checks_per_service_sizes_against_a_and_its_cold_time_against_shared() -> None:
    data = _measurements()
    data.plans = ("bakegen", "bakegen-ps", "A", "A2")
    for cold in (44.0, 54.0, 42.0):
        data.add("bakegen-ps", {"cold": cold, "leaf": 5.0, "ci-nothing": 1.5})
    data.sizes["bakegen-ps"] = {"svc": 8_000_000, "other": 5_000_000}
    data.sizes["A"]["other"] = 5_000_000
    text = render_section(data)
    assert "| service | bakegen | bakegen-ps | A | started and answered |" in text
    assert ("Every bakegen-ps (per-service dependencies) image smaller than A's: "
            "no (other +0.0 kB)") in text
    assert ("Cold bake with per-service dependencies: 44.0 s against 40.0 s shared, 1.10x "
            "(limit 1.10x: met)") in text
    data.sizes["bakegen-ps"]["other"] = 4_000_000
    assert "image smaller than A's: yes" in render_section(data)


def test_report_says_by_how_much_an_image_is_larger_and_checks_static_sites() -> None:
    data = _measurements()
    data.sizes["bakegen"]["svc"] = 20_010_400
    data.sizes["bakegen"]["site"], data.sizes["A"]["site"] = 2_800_000, 117_000_000
    data.static_sites = ("site",)
    text = render_section(data)
    assert "Every bakegen image no larger than A's: no (svc +10.4 kB)" in text
    assert "Static site images under 30 MB: site 2.8 MB (met)" in text
    data.sizes["bakegen"]["site"] = 31_000_000
    assert "Static site images under 30 MB: site 31.0 MB (missed)" in render_section(data)
    data.static_sites = ()
    assert "Static site" not in render_section(data)


def test_report_replaces_only_its_own_section() -> None:
    section = render_section(_measurements())
    report = f"# results\n\nbefore\n\n{BEGIN}\nstale numbers\n{END}\n\nafter\n"
    replaced = replace_section(report, section)
    assert "stale numbers" not in replaced and "before" in replaced and "after" in replaced
    assert replace_section(replaced, section) == replaced
    assert kept_section(replaced) == section
    assert replace_section("# results\n", section).endswith(section)


def test_realbuild_without_a_kit_says_how_to_bring_one_up(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.realbuild.run import main

    monkeypatch.setenv("KIT_HOME", str(tmp_path / "no-kit"))
    assert main(["--runs", "1", "--out", str(tmp_path / "out.md")]) == 2
    assert not (tmp_path / "out.md").exists()


@pytest.mark.parametrize(("text", "size"), [
    ("ID  RECLAIMABLE  SIZE\nx   false   9.252MB\nReclaimable:\t0B\nTotal:\t\t9.252MB\n",
     9_252_000),
    ("Reclaimable:\t0B\nTotal:\t\t0B\n", 0),
    ("Total:\t1.5GB\n", 1_500_000_000),
    ("", 0),
])
def test_du_totals_are_read_in_bytes(text: str, size: int) -> None:
    assert run_module.parse_du_total(text) == size


def test_a_prune_that_leaves_records_restarts_the_builder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[list[str]] = []
    totals = iter(["Total:\t\t9.252MB\n", "Total:\t\t0B\n"])

    def fake_run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        out = next(totals) if command[-1] == "du" else ""
        return subprocess.CompletedProcess(command, 0, out, "")

    monkeypatch.setattr(run_module.subprocess, "run", fake_run)
    kit = Kit(env={"RUST_IMAGE": "rust:1.96-slim-bookworm"}, registry="r", run_image=tmp_path)
    said: list[str] = []
    run_module.Runner(kit, tmp_path, said.append).prune()
    steps = [c[-1] if c[0] == "docker" else f"{Path(c[1]).name} {' '.join(c[2:])}".strip()
             for c in calls]
    assert steps == ["--force", "du", "down", "up --with-rust", "--force", "du"]
    assert said == ["  the builder kept 9252000 bytes after prune: restarting it"]


def test_a_prune_that_cannot_empty_the_builder_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def fake_run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        out = "Total:\t\t1kB\n" if command[-1] == "du" else ""
        return subprocess.CompletedProcess(command, 0, out, "")

    monkeypatch.setattr(run_module.subprocess, "run", fake_run)
    kit = Kit(env={}, registry="r", run_image=tmp_path)
    with pytest.raises(RuntimeError, match="still holds 1000 bytes after a restart"):
        run_module.Runner(kit, tmp_path, lambda _: None).prune()
