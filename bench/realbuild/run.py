"""`python -m bench realbuild`: real bakes of the benchmark monorepo, bakegen against naive plans.

On the BuildKit kit (`../shared/buildkit`, a second instance by default so that pruning its
cache disturbs nobody), for each of `--runs` repetitions and each plan (bakegen, A, A2;
bench/realbuild/naive.py), in a fresh copy of `bench/monorepo` with its own registry prefix:

1. `cold`: the builder's cache pruned, then the whole default group;
2. `nothing`: the same bake again, nothing changed;
3. `leaf`: one leaf service's source edited;
4. `shared`: a library every Node service needs edited;
5. `ci-nothing`: CI mode on a fresh (pruned) builder, only the registry cache, nothing changed
   since the last CI bake pushed it (bakegen: `BAKEGEN_MODE=ci`, its bases already pushed;
   naive plans: per-target `type=registry,mode=max` cache);
6. `ci-leaf`: the same with the leaf edited, the whole default group;
7. `ci-leaf-one`: the same with only the edited service's target, as an affected-only CI
   (`bakegen ci github`) builds it.

Every bake builds amd64 and pushes to the kit's registry. The plans run in a rotating order
per repetition, so drift in the machine's load spreads over all of them. Reported: medians,
ratios of bakegen to A and A2, the targets of issue 13, and each service image's compressed
size read from the registry. The report replaces the real-build section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bakegen.ecosystems.node.static import STATIC
from bakegen.pipeline import generate
from bench.realbuild.naive import PLANS, image_defaults, naive_plan, render_bake, write_plan
from bench.realbuild.report import (
    PER_SERVICE_PLAN,
    Measurements,
    render_section,
    replace_section,
)
from bench.run import bakegen_argv
from tests.realbuild.kit import KIT_DIR, Kit, find_kit

REPO = Path(__file__).resolve().parents[2]
MONOREPO = REPO / "bench" / "monorepo"
DEFAULT_OUT = REPO / "bench" / "RESULTS.md"
#: what the registry answers when two pushes of one blob overlap
REGISTRY_RACE = "provided digest did not match uploaded content"
#: files the edit scenarios change: a leaf service's source and a library all Node services use
LEAF_FILE = "services/orders/src/server.ts"
LEAF_TARGET = "bench-orders"
SHARED_FILE = "packages/logger/src/index.ts"
ALL_PLANS = ("bakegen", PER_SERVICE_PLAN, *PLANS)
SCENARIOS = ("cold", "nothing", "leaf", "shared", "ci-nothing", "ci-leaf", "ci-leaf-one")


@dataclass
class Workspace:
    """One plan's copy of the monorepo: its bake file, its base targets, its edit counter."""

    plan: str
    root: Path
    bake_file: str
    ci_bake_file: str
    base_targets: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    #: each service target's port, as bakegen's plan has it (the naive plans use the same)
    ports: dict[str, int] = field(default_factory=dict)
    #: the service targets bakegen serves with its static web server
    static_sites: tuple[str, ...] = ()
    edits: int = 0

    def edit(self, rel: str) -> None:
        """Change a source file the way a developer would: new content, same build."""
        self.edits += 1
        path = self.root / rel
        path.write_text(path.read_text(encoding="utf-8") + f"// edit {self.edits}\n",
                        encoding="utf-8")


@dataclass
class Runner:
    """Bakes on one kit, with the log of every bake kept for a failure's post-mortem."""

    kit: Kit
    log_dir: Path
    say: Callable[[str], None]
    bakes: int = field(default=0)

    def prune(self) -> None:
        """Empty the builder's cache: a fresh runner or a clean machine.

        BuildKit can keep a record that a lease of the running daemon still holds (seen
        after CI bakes imported registry caches); prune cannot reclaim it, and the next
        "cold" bake would reuse it. Then the builder is restarted, which frees it."""
        self._prune()
        left = self.cache_bytes()
        if left:
            self.say(f"  the builder kept {left} bytes after prune: restarting it")
            restart_builder(self.kit)
            self._prune()
            left = self.cache_bytes()
            if left:
                raise RuntimeError(f"the builder still holds {left} bytes after a restart")

    def _prune(self) -> None:
        subprocess.run(["docker", "buildx", "prune", "--all", "--force"], env=self.kit.env,
                       check=True, capture_output=True, timeout=600)

    def cache_bytes(self) -> int:
        """What the builder's cache holds, in bytes (`docker buildx du`)."""
        done = subprocess.run(["docker", "buildx", "du"], env=self.kit.env, check=True,
                              capture_output=True, text=True, timeout=120)
        return parse_du_total(done.stdout)

    def bake(self, ws: Workspace, registry: str, file: str, targets: Sequence[str] = (),
             mode: str = "local") -> float:
        """Seconds one `docker buildx bake` took; raises with its log on failure."""
        self.bakes += 1
        # the naive plans' files have no PLATFORMS variable: `*.platform` for them, and
        # PLATFORMS for bakegen's, whose CI-mode base tags hash it
        flags = ["--set", "*.platform=linux/amd64",
                 "--set", "*.output=type=image,push=true,registry.insecure=true"]
        if mode == "ci":
            # CI mode attests SBOMs; the kit has no SBOM scanner image (provenance stays)
            flags += ["--set", "*.attest=type=sbom,disabled=true"]
        command = ["docker", "buildx", "bake", "-f", file, "--progress", "plain", *flags,
                   *targets]
        env = {**self.kit.env, "REGISTRY": registry, "BAKEGEN_MODE": mode,
               "PLATFORMS": "linux/amd64"}
        log = self.log_dir / f"{self.bakes:03d}-{ws.plan}-{mode}.log"
        for attempt in (1, 2):
            start = time.perf_counter()
            with log.open("w", encoding="utf-8") as out:
                done = subprocess.run(command, cwd=ws.root, env=env, stdout=out,
                                      stderr=subprocess.STDOUT, timeout=3600)
            seconds = time.perf_counter() - start
            if done.returncode == 0:
                return seconds
            # the kit's registry loses a race when the image and its cache push one blob at
            # once; that is the registry's fault, so the bake runs once more (and says so)
            if attempt == 1 and REGISTRY_RACE in log.read_text(encoding="utf-8"):
                self.say(f"  {ws.plan} {mode} bake: registry push race, retried ({log})")
                log = log.with_suffix(".retry.log")
                continue
            break
        raise RuntimeError(f"bake of {ws.plan} failed (exit {done.returncode}): see {log}")


_SIZE_UNITS = {"B": 1, "kB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}


def parse_du_total(text: str) -> int:
    """Bytes of the `Total:` line of `docker buildx du` (0 when it lists nothing)."""
    for line in text.splitlines():
        if line.startswith("Total:"):
            amount = line.split()[-1]
            unit = amount.lstrip("0123456789.")
            return round(float(amount[: len(amount) - len(unit)]) * _SIZE_UNITS[unit])
    return 0


def restart_builder(kit: Kit) -> None:
    """The kit's `down` then `up` (seconds when warm), keeping its registry and stand-ins."""
    flags = ["--with-rust"] if "RUST_IMAGE" in kit.env else []
    for script, args in (("down", []), ("up", flags)):
        subprocess.run(["bash", str(KIT_DIR / script), *args], env=kit.env, check=True,
                       capture_output=True, timeout=900)


def prepare(plan: str, dest: Path) -> Workspace:
    """A git-initialised copy of the monorepo with `plan`'s files written into it."""
    root = dest / plan
    shutil.copytree(MONOREPO, root, ignore=shutil.ignore_patterns(
        "node_modules", "dist", "target", ".venv", "__pycache__", "docker", "docker-bake.hcl"))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    if plan == PER_SERVICE_PLAN:
        config = root / "bakegen.toml"
        config.write_text('dependencies = "per-service"\n' + config.read_text(encoding="utf-8"),
                          encoding="utf-8")
    generated = generate(root)
    ports = {s.target: s.settings.port for s in generated.plan.services
             if s.settings.port is not None}
    static = tuple(s.target for s in generated.plan.services if s.package.framework == STATIC)
    if plan in ("bakegen", PER_SERVICE_PLAN):
        done = subprocess.run([*bakegen_argv(), "generate", "."], cwd=root,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"bakegen generate failed: {done.stderr.strip()}")
        bases = tuple(t for b in generated.plan.bases
                      for t in (b.deps_target, b.production_target))
        return Workspace(plan, root, "docker-bake.hcl", "docker-bake.hcl", bases,
                         tuple(s.target for s in generated.plan.services), ports, static)
    naive = naive_plan(plan, generated.scan, generated.plan.services,
                       image_defaults(generated.plan))
    write_plan(root, naive)
    ci = f"{naive.folder}/docker-bake.ci.hcl"
    (root / ci).write_text(render_bake(naive, cache_ref="${REGISTRY}"), encoding="utf-8")
    return Workspace(plan, root, naive.bake_file, ci,
                     services=tuple(s.target for s in naive.services), ports=ports,
                     static_sites=static)


def ci_bake(runner: Runner, ws: Workspace, registry: str, targets: Sequence[str] = ()) -> float:
    """One CI-mode bake of the services (wave 2); bakegen's bases come from `push_bases`."""
    return runner.bake(ws, registry, ws.ci_bake_file, targets, mode="ci")


def push_bases(runner: Runner, ws: Workspace, registry: str) -> float:
    """bakegen's wave 1: its base targets, built and pushed in CI mode (no-op for naive)."""
    if not ws.base_targets:
        return 0.0
    return runner.bake(ws, registry, ws.ci_bake_file, ws.base_targets, mode="ci")


def measure_plan(runner: Runner, ws: Workspace, registry: str) -> dict[str, float]:
    """One repetition of every scenario for one plan."""
    times: dict[str, float] = {}
    runner.prune()
    times["cold"] = runner.bake(ws, registry, ws.bake_file)
    times["nothing"] = runner.bake(ws, registry, ws.bake_file)
    ws.edit(LEAF_FILE)
    times["leaf"] = runner.bake(ws, registry, ws.bake_file)
    ws.edit(SHARED_FILE)
    times["shared"] = runner.bake(ws, registry, ws.bake_file)
    # the CI runner that last pushed: bases (wave 1) and services with their cache
    push_bases(runner, ws, registry)
    ci_bake(runner, ws, registry)
    runner.prune()
    times["ci-nothing"] = ci_bake(runner, ws, registry)
    ws.edit(LEAF_FILE)
    runner.prune()
    times["ci-leaf"] = ci_bake(runner, ws, registry)
    ws.edit(LEAF_FILE)
    runner.prune()
    times["ci-leaf-one"] = ci_bake(runner, ws, registry, (LEAF_TARGET,))
    runner.say(f"  {ws.plan}: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
    return times


def image_size(registry: str, repository: str, tag: str = "latest") -> int:
    """Compressed bytes of the amd64 image `repository:tag`: config plus layers."""
    accept = ", ".join((
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json"))

    def fetch(reference: str) -> dict[str, object]:
        request = urllib.request.Request(
            f"http://{registry}/v2/{repository}/manifests/{reference}", headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=30) as answer:
            loaded: dict[str, object] = json.load(answer)
        return loaded

    manifest = fetch(tag)
    if "manifests" in manifest:
        entries: list[dict[str, Any]] = manifest["manifests"]  # type: ignore[assignment]
        amd64 = [m for m in entries if m.get("platform", {}).get("architecture") == "amd64"]
        manifest = fetch(amd64[0]["digest"])
    layers: list[dict[str, Any]] = manifest["layers"]  # type: ignore[assignment]
    config: dict[str, Any] = manifest["config"]  # type: ignore[assignment]
    return int(config["size"]) + sum(int(layer["size"]) for layer in layers)


def measure_sizes(kit: Kit, registry: str, services: Sequence[str]) -> dict[str, int]:
    """Each service image's compressed size in the registry, by target."""
    host, _, prefix = registry.partition("/")
    return {svc: image_size(host, f"{prefix}/{svc}") for svc in services}


def probe_images(kit: Kit, registry: str, ws: Workspace) -> dict[str, str]:
    """Start every service image of a plan; what run-image said, by target."""
    answers = {}
    for svc in ws.services:
        answer = kit.run(f"{registry}/{svc}:latest", ws.ports.get(svc))
        answers[svc] = "ok" if answer.get("ok") else f"failed: {str(answer.get('logs'))[-200:]}"
    return answers


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench realbuild", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--plans", default=",".join(ALL_PLANS),
                        help="comma-separated plans to run (default: bakegen,bakegen-ps,A,A2)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report to update")
    parser.add_argument("--no-probe", dest="probe", action="store_false",
                        help="do not start each image at the end")
    parser.add_argument("--work", type=Path, default=None, help="where copies are made")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the scenarios on the kit and update the report; 2 when no kit answers.
    `own PATH`: a repository's own Dockerfiles against its adopted plan (bench/realbuild/own.py)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["own"]:
        from bench.realbuild.own import main as own_main

        return own_main(argv[1:])
    args = parse_args(argv)
    os.environ.setdefault("KIT_HOME", str(Path(tempfile.gettempdir()) / "bench-kit"))
    kit = find_kit()
    if isinstance(kit, str):
        home = os.environ["KIT_HOME"]
        print(f"python -m bench realbuild: {kit}; bring one up with KIT_HOME={home}"
              " KIT_REGISTRY=127.0.0.1:5055 KIT_BUILDER=bench-kit bash ../shared/buildkit/up "
              "--with-rust", file=sys.stderr)
        return 2
    plans = [p for p in args.plans.split(",") if p]
    work = Path(tempfile.mkdtemp(prefix="bakegen-realbench-", dir=args.work))
    logs = work / "logs"
    logs.mkdir()

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    runner = Runner(kit, logs, say)
    data = Measurements(plans=tuple(plans), scenarios=SCENARIOS)
    data.started = datetime.datetime.now(datetime.timezone.utc)
    data.load_start = os.getloadavg()[0]
    last: dict[str, tuple[Workspace, str]] = {}
    for run in range(args.runs):
        say(f"repetition {run + 1}/{args.runs}")
        order = plans[run % len(plans):] + plans[: run % len(plans)]
        for plan in order:
            ws = prepare(plan, work / f"run{run}")
            registry = f"{kit.registry}/rb{run}-{plan.lower()}-{uuid.uuid4().hex[:6]}"
            data.add(plan, measure_plan(runner, ws, registry))
            last[plan] = (ws, registry)
            data.sizes[plan] = measure_sizes(kit, registry, ws.services)
            data.static_sites = ws.static_sites
        # after every repetition, so that an interrupted run still leaves its numbers
        _write(args.out, data)
    if args.probe:
        for plan, (ws, registry) in last.items():
            data.probes[plan] = probe_images(kit, registry, ws)
    _write(args.out, data)
    say(f"wrote {args.out} (logs in {logs})")
    return 0 if all(v == "ok" for p in data.probes.values() for v in p.values()) else 1


def _write(out: Path, data: Measurements) -> None:
    data.load_end = os.getloadavg()[0]
    data.machine = f"{os.cpu_count()} cores, {platform.platform()}"
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    out.write_text(replace_section(text, render_section(data)), encoding="utf-8")
