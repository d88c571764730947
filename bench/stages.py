"""Time bakegen's pipeline stage by stage, in one process.

The stages are measured without copying the pipeline: the public functions of each stage
are wrapped with timers and `bakegen.pipeline.generate` runs as it is, so the numbers follow
the pipeline as it changes. Time is exclusive: a graph query made while planning counts as
graph, not plan. Stages:

* walk: `SourceTree.scan` (the one pass over the disk);
* scan: ecosystems and the common scan rules (`bakegen.scan`), minus the walk;
* graph: every function of `bakegen.graph` (building, cycle check, closure queries);
* plan: `make_plan` minus graph queries;
* render: `render_files`;
* other: the rest of `generate` (config, own Dockerfiles, digests);
* write: `plan_changes` + `apply_changes` after removing the outputs (fresh), and
  `plan_changes` when everything is up to date (no change).

Run as `python -m bench.stages ROOT --runs 5` (prints JSON); `--tracemalloc` reports, for
each stage, the highest total of Python allocations while it ran (what earlier stages
still hold included) instead of times.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import json
import resource
import shutil
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

STAGES = ("walk", "scan", "graph", "plan", "render", "other", "write", "write-nochange")


class StageClock:
    """Accumulates exclusive time (or peak traced memory) per stage across nested calls."""

    def __init__(self, memory: bool = False) -> None:
        self.memory = memory
        self.times: dict[str, float] = {}
        self.peaks: dict[str, int] = {}
        self._stack: list[list[Any]] = []

    def reset(self) -> None:
        self.times = {}
        self.peaks = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        # frame: name, start, time spent in nested stages, highest traced memory seen
        frame: list[Any] = [name, time.perf_counter(), 0.0, 0]
        if self.memory:
            if self._stack:
                # the caller's peak so far is kept before the reset below loses it
                outer = self._stack[-1]
                outer[3] = max(outer[3], tracemalloc.get_traced_memory()[1])
            tracemalloc.reset_peak()
        self._stack.append(frame)
        try:
            yield
        finally:
            self._stack.pop()
            elapsed = time.perf_counter() - frame[1]
            self.times[name] = self.times.get(name, 0.0) + elapsed - frame[2]
            if self._stack:
                self._stack[-1][2] += elapsed
            if self.memory:
                peak = max(frame[3], tracemalloc.get_traced_memory()[1])
                self.peaks[name] = max(self.peaks.get(name, 0), peak)
                if self._stack:
                    self._stack[-1][3] = max(self._stack[-1][3], peak)

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.stage(name):
                return func(*args, **kwargs)

        timed.__bench_wrapped__ = True  # type: ignore[attr-defined]
        return timed


def instrument(clock: StageClock) -> None:
    """Wrap the stage functions where the pipeline looks them up."""
    from bakegen.tree import SourceTree

    scan_func = SourceTree.__dict__["scan"].__func__
    SourceTree.scan = classmethod(clock.wrap("walk", scan_func))  # type: ignore[method-assign,assignment]
    graph = importlib.import_module("bakegen.graph")
    for name, func in list(vars(graph).items()):
        if inspect.isfunction(func) and func.__module__ == graph.__name__:
            setattr(graph, name, clock.wrap("graph", func))
    targets = {
        "bakegen.scan": {"scan_tree": "scan", "scan_repository": "scan"},
        "bakegen.pipeline": {"scan": "scan", "scan_tree": "scan", "scan_repository": "scan",
                             "make_plan": "plan", "render_files": "render"},
        "bakegen.plan": {"build_graph": "graph"},
    }
    for module_name, names in targets.items():
        module = importlib.import_module(module_name)
        for attr, stage in names.items():
            func = getattr(module, attr, None)
            if callable(func) and not getattr(func, "__bench_wrapped__", False):
                setattr(module, attr, clock.wrap(stage, func))


def _remove_outputs(root: Path, files: dict[str, str], output_dir: str) -> None:
    for rel in files:
        (root / rel).unlink(missing_ok=True)
    shutil.rmtree(root / output_dir, ignore_errors=True)


def run_once(root: Path, clock: StageClock) -> dict[str, float]:
    """One generate and the two write flavours; seconds per stage."""
    from bakegen.pipeline import generate
    from bakegen.write import apply_changes, plan_changes

    clock.reset()
    start = time.perf_counter()
    with clock.stage("other"):
        result = generate(root)
    total = time.perf_counter() - start
    files, output_dir = result.files, result.plan.output_dir
    _remove_outputs(root, files, output_dir)
    with clock.stage("write"):
        changes = plan_changes(root, files, (output_dir,))
        apply_changes(root, files, changes)
    with clock.stage("write-nochange"):
        plan_changes(root, files, (output_dir,))
    times = dict(clock.times)
    times["generate (in-process)"] = total
    times["packages"] = len(result.scan.packages)
    times["services"] = len(result.plan.services)
    return times


def measure(root: Path, runs: int, warmup: int, memory: bool) -> dict[str, Any]:
    """Stage times (lists of seconds) or peaks (bytes) over `runs` after `warmup` runs."""
    clock = StageClock(memory=memory)
    instrument(clock)
    if memory:
        tracemalloc.start()
        run_once(root, clock)
        peaks = dict(clock.peaks)
        tracemalloc.stop()
        return {"peaks": peaks}
    for _ in range(warmup):
        run_once(root, clock)
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, value in run_once(root, clock).items():
            samples.setdefault(name, []).append(value)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "times": samples,
        "median": {k: statistics.median(v) for k, v in samples.items()},
        "max_rss_mb": rss_kb / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.stages ROOT [--runs N] [--warmup N] [--tracemalloc]`."""
    parser = argparse.ArgumentParser(prog="python -m bench.stages")
    parser.add_argument("root", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    data = measure(args.root.resolve(), args.runs, args.warmup, args.tracemalloc)
    json.dump(data, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
