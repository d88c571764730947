"""`python -m bench realbuild own PATH`: a repository's own Dockerfiles against bakegen's plan.

In a copy of PATH, `bakegen generate --adopt` writes the adopted plan, whose `own` group still
builds every adopted service from its original Dockerfile. For each of `--runs` repetitions
(the two plans in alternating order) it bakes, amd64, pushed to the kit's registry:

1. `cold`: the group with `--no-cache` (every step runs again; the kit's cache is left alone,
   so others using the kit are not disturbed);
2. `nothing`: the same bake again, nothing changed;
3. `edit` (with `--edit FILE`): FILE changed, the group again.

It prints medians per plan and scenario, the ratio, and each image's compressed size.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bakegen.pipeline import Overrides, generate
from bench.realbuild.run import Runner, Workspace, image_size
from bench.run import bakegen_argv
from tests.realbuild.kit import find_kit

#: the two plans: bakegen's (the default group) and the repository's own (the `own` group)
GROUPS = {"bakegen": "default", "own": "own"}


@dataclass(frozen=True, slots=True)
class Pair:
    """One copy of the repository: its adopted services, by target and by `own-` target."""

    root: Path
    targets: tuple[str, ...]
    originals: tuple[str, ...]


def prepare_own(source: Path, dest: Path) -> Pair:
    """A copy of `source` with the adopted plan written; raises when nothing is adopted."""
    root = dest / "repo"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(
        ".git", "node_modules", "target", ".venv", "__pycache__"))
    done = subprocess.run([*bakegen_argv(), "generate", str(root), "--adopt"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bakegen generate --adopt failed: {done.stderr.strip()[-400:]}")
    plan = generate(root, Overrides(adopt=("*",))).plan
    originals = tuple(s.target for s in plan.services if s.original_of is not None)
    if not originals:
        raise RuntimeError(f"{source}: no service keeps its own Dockerfile; nothing to compare")
    adopted = tuple(s.original_of for s in plan.services if s.original_of is not None)
    return Pair(root, tuple(t for t in adopted if t), originals)


def measure(runner: Runner, pair: Pair, plan: str, registry: str,
            edit: str | None, run: int) -> dict[str, float]:
    """One repetition of the scenarios for one plan."""
    ws = Workspace(plan, pair.root, "docker-bake.hcl", "docker-bake.hcl")
    group = GROUPS[plan]
    times = {"cold": runner.bake(ws, registry, ws.bake_file, ("--no-cache", group)),
             "nothing": runner.bake(ws, registry, ws.bake_file, (group,))}
    if edit:
        path = pair.root / edit
        path.write_text(path.read_text(encoding="utf-8") + f"\n// edit {plan} {run}\n",
                        encoding="utf-8")
        times["edit"] = runner.bake(ws, registry, ws.bake_file, (group,))
    return times


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench realbuild own", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, help="the repository (it is copied, never changed)")
    parser.add_argument("--runs", type=int, default=1, help="repetitions (default 1)")
    parser.add_argument("--edit", help="a file (relative to PATH) to change for `edit`")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Bake both plans and print the comparison; 2 when no kit answers."""
    args = parse_args(argv)
    kit = find_kit()
    if isinstance(kit, str):
        print(f"python -m bench realbuild own: {kit}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bakegen-own-"))
    (work / "logs").mkdir()
    pair = prepare_own(args.path, work)
    runner = Runner(kit, work / "logs", lambda message: print(message, file=sys.stderr))
    times: dict[str, dict[str, list[float]]] = {p: {} for p in GROUPS}
    registry = f"{kit.registry}/own-{uuid.uuid4().hex[:6]}"
    for run in range(args.runs):
        order = list(GROUPS) if run % 2 == 0 else list(GROUPS)[::-1]
        for plan in order:
            for scenario, seconds in measure(runner, pair, plan, registry, args.edit,
                                             run).items():
                times[plan].setdefault(scenario, []).append(seconds)
    print(render(times, sizes(registry, pair)))
    print(f"(logs in {work / 'logs'})", file=sys.stderr)
    return 0


def sizes(registry: str, pair: Pair) -> dict[str, int]:
    """Compressed bytes of every image both plans built, by target."""
    host, _, prefix = registry.partition("/")
    return {t: image_size(host, f"{prefix}/{t}") for t in (*pair.targets, *pair.originals)}


def render(times: dict[str, dict[str, list[float]]], sizes: dict[str, int]) -> str:
    """A Markdown table of median seconds per scenario, and one of image sizes."""
    scenarios = list(dict.fromkeys(s for plan in times.values() for s in plan))
    lines = ["| scenario | own Dockerfiles | bakegen (adopted) | ratio |", "|---|---|---|---|"]
    for scenario in scenarios:
        own = statistics.median(times["own"][scenario])
        ours = statistics.median(times["bakegen"][scenario])
        lines.append(f"| {scenario} | {own:.1f} s | {ours:.1f} s | {ours / own:.2f} |")
    lines += ["", "| image | compressed |", "|---|---|"]
    lines += [f"| {name} | {size / 1e6:.1f} MB |" for name, size in sorted(sizes.items())]
    return "\n".join(lines)
