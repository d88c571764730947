"""The benchmark harness: `python -m bench [--sizes 100,1000,10000] [--runs 5]`.

For each size N it makes (or reuses) a synthetic repository (`bench/synth.py`), commits it
to a throw-away git history whose last commit changes one library file, and measures:

* whole processes, as a user runs them: `bakegen scan --json`, `bakegen generate` (up to
  date, and fresh after removing the outputs), `bakegen affected --base HEAD~1`,
  `bakegen matrix` and `bakegen matrix --affected --base HEAD~1`: median of `--runs`
  runs after `--warmup` runs, with each run's peak RSS from `os.wait4`;
* `bakegen --help` and `--version`;
* the pipeline's stages in one process (`bench/stages.py`), with tracemalloc peaks;
* plan quality (`bench/quality.py`) on the synthetic repos and on `sample_monorepo`.

A command whose module does not exist yet is skipped and reported as such. The Markdown
report goes to `bench/RESULTS.md`; text between `<!-- notes:begin -->` and
`<!-- notes:end -->` in the previous report is kept (profiling notes are written there).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import synth
from bench.quality import Quality, measure_quality
from bench.realbuild.report import kept_section, replace_section

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "bench" / "RESULTS.md"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "bakegen-bench"
NOTES_BEGIN, NOTES_END = "<!-- notes:begin -->", "<!-- notes:end -->"
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}

#: the issue's targets: (what, limit)
TARGETS = {"generate_10k": 5.0, "generate_1k": 0.8, "ratio": 12.0, "startup": 0.2,
           "memory_10k_mb": 500.0}


@dataclass(frozen=True, slots=True)
class Command:
    """A bakegen command line to time; `module` must exist for it to run."""

    label: str
    args: tuple[str, ...]
    module: str
    fresh: bool = False


COMMANDS = (
    Command("scan --json", ("scan", ".", "--json"), "bakegen.cli.scan"),
    Command("generate", ("generate", "."), "bakegen.cli.generate"),
    Command("generate (fresh)", ("generate", "."), "bakegen.cli.generate", fresh=True),
    Command("affected --base HEAD~1", ("affected", ".", "--base", "HEAD~1"),
            "bakegen.cli.affected"),
    Command("matrix", ("matrix", "."), "bakegen.cli.matrix"),
    Command("matrix --affected", ("matrix", ".", "--affected", "--base", "HEAD~1"),
            "bakegen.cli.matrix"),
)


@dataclass
class Timing:
    """Runs of one command: seconds and peak RSS (MB) per run, or why it did not run."""

    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    skipped: str | None = None
    failed: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def peak_mb(self) -> float | None:
        return max(self.rss_mb) if self.rss_mb else None


@dataclass
class SizeResult:
    """Everything measured for one repository size."""

    n: int
    repo: synth.SynthRepo
    files_on_disk: int = 0
    generate_seconds: float = 0.0
    commands: dict[str, Timing] = field(default_factory=dict)
    correctness: str = "not checked"
    stages: dict[str, Any] = field(default_factory=dict)
    stage_peaks: dict[str, int] = field(default_factory=dict)
    quality: Quality | None = None
    quality_error: str | None = None


def bakegen_argv() -> list[str]:
    """The installed console script, run as users run it (falls back to `python -c`)."""
    script = Path(sys.executable).parent / "bakegen"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from bakegen.cli import main; sys.exit(main())"]


def command_exists(module: str) -> bool:
    """True when the command's module is importable (its file exists)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def run_process(argv: Sequence[str], cwd: Path) -> tuple[float, float, int, str, str]:
    """(seconds, peak RSS MB, exit code, stdout, stderr) of one process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return seconds, usage.ru_maxrss / 1024, proc.returncode, stdout, stderr


def time_command(
    argv: Sequence[str], cwd: Path, runs: int, warmup: int,
    setup: Callable[[], None] | None = None,
) -> tuple[Timing, str]:
    """Median-ready timings of a command; stops at the first failure. Returns stdout too."""
    timing = Timing()
    stdout = ""
    for i in range(warmup + runs):
        if setup is not None:
            setup()
        seconds, rss, code, stdout, stderr = run_process(argv, cwd)
        if code != 0 or "internal error" in stderr:
            lines = [line for line in stderr.strip().splitlines() if line.strip()]
            timing.failed = f"exit {code}: {lines[-1] if lines else '(no message)'}"[:300]
            return timing, stdout
        if i >= warmup:
            timing.seconds.append(seconds)
            timing.rss_mb.append(rss)
    return timing, stdout


def _git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True,
                          capture_output=True, text=True).stdout


def prepare_git(repo: synth.SynthRepo, bakegen: list[str]) -> None:
    """Commit the repository (with its generated files) and then a one-file change."""
    root = repo.root
    if (root / ".git").is_dir():
        try:
            if _git(root, "rev-list", "--count", "HEAD").strip() == "2":
                return
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(root / ".git")
    run_process([*bakegen, "generate", "."], root)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "synthetic monorepo")
    changed = root / repo.a_library_source()
    with changed.open("a", encoding="utf-8") as handle:
        handle.write("// a one-line change\n")
    _git(root, "commit", "-q", "-am", f"change {repo.a_library_source()}")


def remove_outputs(root: Path) -> Callable[[], None]:
    """A setup step deleting what `generate` writes, for the fresh runs."""

    def setup() -> None:
        (root / "docker-bake.hcl").unlink(missing_ok=True)
        shutil.rmtree(root / "docker", ignore_errors=True)

    return setup


def check_scan(repo: synth.SynthRepo, stdout: str) -> str:
    """Compare `scan --json` with what the generator wrote: counts and internal edges."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return "scan output is not JSON"
    found: dict[str, tuple[int, int]] = {}
    edges = set()
    for pkg in data.get("packages", []):
        pkgs, svcs = found.get(pkg["ecosystem"], (0, 0))
        found[pkg["ecosystem"]] = (pkgs + 1, svcs + bool(pkg["deployable"]))
        for dep in pkg.get("dependencies", []):
            edges.add((pkg["id"], f"{pkg['ecosystem']}:{dep['name']}", dep["kind"]))
    expected = repo.counts()
    problems = []
    for eco in sorted(set(expected) | set(found)):
        if expected.get(eco) != found.get(eco):
            problems.append(f"{eco}: expected {expected.get(eco)} packages/services, "
                            f"scan found {found.get(eco)}")
    wanted = repo.edges()
    if edges != wanted:
        problems.append(f"edges: {len(wanted - edges)} missing, {len(edges - wanted)} extra")
    return "; ".join(problems) if problems else "ok"


def run_stages(root: Path, runs: int, warmup: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Stage medians (via `python -m bench.stages`) and tracemalloc peaks per stage."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(REPO),
                                                                    os.environ.get("PYTHONPATH"))))}
    base = [sys.executable, "-m", "bench.stages", str(root)]
    timed = subprocess.run([*base, "--runs", str(runs), "--warmup", str(warmup)],
                           cwd=REPO, env=env, capture_output=True, text=True)
    if timed.returncode != 0:
        return {"error": (timed.stderr.strip().splitlines() or ["?"])[-1]}, {}
    peaks = subprocess.run([*base, "--tracemalloc"], cwd=REPO, env=env, capture_output=True,
                           text=True)
    peak_data = json.loads(peaks.stdout)["peaks"] if peaks.returncode == 0 else {}
    return json.loads(timed.stdout), peak_data


def measure_size(
    n: int, args: argparse.Namespace, bakegen: list[str], log: Callable[[str], None]
) -> SizeResult:
    """Every measurement for one repository size."""
    start = time.perf_counter()
    repo = synth.ensure(n, args.cache, args.seed)
    result = SizeResult(n=n, repo=repo, generate_seconds=time.perf_counter() - start)
    marker = json.loads((repo.root / synth.MARKER).read_text())
    result.files_on_disk = marker.get("files", 0)
    log(f"N={n}: repository ready at {repo.root} ({result.generate_seconds:.1f} s)")
    prepare_git(repo, bakegen)
    for command in COMMANDS:
        if not command_exists(command.module):
            result.commands[command.label] = Timing(
                skipped=f"`bakegen {command.args[0]}` does not exist yet ({command.module})")
            log(f"  {command.label}: skipped, command does not exist yet")
            continue
        setup = remove_outputs(repo.root) if command.fresh else None
        timing, stdout = time_command([*bakegen, *command.args], repo.root, args.runs,
                                      args.warmup, setup)
        result.commands[command.label] = timing
        if command.label.startswith("scan") and not timing.failed:
            result.correctness = check_scan(repo, stdout)
        shown = timing.failed or f"{timing.median:.3f} s, {timing.peak_mb:.0f} MB"
        log(f"  {command.label}: {shown}")
    remove_outputs(repo.root)()
    run_process([*bakegen, "generate", "."], repo.root)
    if args.stages:
        result.stages, result.stage_peaks = run_stages(repo.root, args.runs, args.warmup)
        log(f"  stages: {_short_stages(result.stages)}")
    if args.quality:
        try:
            result.quality = measure_quality(repo.root, args.sample_targets)
        except Exception as exc:  # a report of the failure beats no report
            result.quality_error = f"{type(exc).__name__}: {exc}"[:300]
        log("  plan quality measured" if result.quality else f"  quality: {result.quality_error}")
    return result


def _short_stages(stages: dict[str, Any]) -> str:
    if "error" in stages:
        return f"failed: {stages['error']}"
    med = stages.get("median", {})
    return ", ".join(f"{k} {med[k]:.3f}" for k in _stage_order(med))


def _stage_order(med: dict[str, Any]) -> list[str]:
    from bench.stages import STAGES

    return [s for s in (*STAGES, "generate (in-process)") if s in med]


def measure_startup(bakegen: list[str], runs: int) -> dict[str, Timing]:
    """`bakegen --help` and `--version`, N-independent."""
    cwd = Path(tempfile.gettempdir())
    return {
        label: time_command([*bakegen, flag], cwd, runs, 1)[0]
        for label, flag in (("--help", "--help"), ("--version", "--version"))
    }


def sample_quality() -> tuple[Quality | None, str | None]:
    """Plan quality of a copy of sample_monorepo."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "sample_monorepo"
        shutil.copytree(REPO / "sample_monorepo", target,
                        ignore=shutil.ignore_patterns("node_modules", "target", ".venv"))
        try:
            return measure_quality(target, sample=0), None
        except Exception as exc:  # reported in RESULTS.md
            return None, f"{type(exc).__name__}: {exc}"[:300]


# --- report -----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """Core count, CPU, memory, Python and bakegen revision."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "bakegen"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
        rev += " + uncommitted changes" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        rev = "unknown"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "os": platform.platform(),
        "bakegen": rev,
    }


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def _fmt_time(t: Timing | None) -> str:
    if t is None:
        return "—"
    if t.skipped:
        return "skipped"
    if t.failed:
        return "failed"
    assert t.median is not None
    return f"{t.median:.3f}"


def _fmt_mb(t: Timing | None) -> str:
    if t is None or t.peak_mb is None:
        return "—"
    return f"{t.peak_mb:.0f}"


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1e5 else f"{n / 1e3:,.1f} kB"


def ratio(results: list[SizeResult], label: str, small: int, big: int) -> float | None:
    """t(big)/t(small) of a command, when both ran."""
    by_n = {r.n: r for r in results}
    if small not in by_n or big not in by_n:
        return None
    a, b = by_n[small].commands.get(label), by_n[big].commands.get(label)
    if not a or not b or a.median is None or b.median is None or a.median == 0:
        return None
    return b.median / a.median


def render_report(
    results: list[SizeResult], startup: dict[str, Timing], sample: tuple[Quality | None,
                                                                         str | None],
    notes: str, args: argparse.Namespace,
) -> str:
    """The whole RESULTS.md."""
    info = machine()
    sizes = [r.n for r in results]
    lines = [
        "# bakegen benchmark results",
        "",
        "Written by `python -m bench` (bench/run.py); rerun it to refresh the numbers.",
        "",
        f"- date: {info['date']}",
        f"- machine: {info['cores']} cores, {info['cpu']}, {info['memory']} RAM",
        f"- Python {info['python']} on {info['os']}",
        f"- bakegen revision: {info['bakegen']}",
        f"- load average (1 min) at the start / end of the run: {args.load_start} / "
        f"{_load()} (other work on the machine inflates the times)",
        f"- method: median of {args.runs} runs after {args.warmup} warm-up run(s); "
        "whole processes are the installed `bakegen` console script; peak memory is the "
        "maximum resident set size of the process (`os.wait4`).",
        "",
    ]
    lines += _targets_section(results, startup)
    lines += ["## Synthetic repositories", "",
              "Seeded by `bench/synth.py` (seed "
              f"{args.seed}): yarn-classic + pnpm workspaces, one Cargo workspace, one uv "
              "workspace; lockfiles in the real tools' formats; noise folders "
              "(`node_modules`, `target`, `.venv`) the scanner must skip.", "",
              "| N | files on disk | packages (node/cargo/python) | services | internal edges "
              "| fan-out mean / max fan-in / leaves | service closure median / max "
              "| lockfile entries | scan correct? |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        counts = r.repo.counts()
        pk = "/".join(str(counts.get(e, (0, 0))[0]) for e in ("node", "cargo", "python"))
        entries = sum(len(lay.used_pool()) for lay in r.repo.layouts)
        st = r.repo.stats()
        lines.append(f"| {r.n:,} | {r.files_on_disk:,} | {pk} | {r.repo.service_count} | "
                     f"{len(r.repo.edges()):,} | {st['fan_out_mean']:.1f} / "
                     f"{st['fan_in_max']:.0f} / {st['leaves_pct']:.0f}% | "
                     f"{st['closure_median']:.0f} / {st['closure_max']:.0f} | {entries:,} | "
                     f"{r.correctness} |")
    lines += ["", "## Whole processes (seconds, median; peak RSS in MB)", ""]
    header = "| command | " + " | ".join(f"N={n:,} s | MB" for n in sizes)
    if 1000 in sizes and 10000 in sizes:
        header += " | t(10k)/t(1k)"
    lines += [header + " |", "|---|" + "---|---|" * len(sizes)
              + ("---|" if 1000 in sizes and 10000 in sizes else "")]
    for command in COMMANDS:
        row = f"| `bakegen {command.label}` |"
        for r in results:
            t = r.commands.get(command.label)
            row += f" {_fmt_time(t)} | {_fmt_mb(t)} |"
        if 1000 in sizes and 10000 in sizes:
            value = ratio(results, command.label, 1000, 10000)
            row += f" {value:.1f} |" if value is not None else " — |"
        lines.append(row)
    for label, t in startup.items():
        lines.append(f"| `bakegen {label}` | " + f"{_fmt_time(t)} | {_fmt_mb(t)} |"
                     + " ↔ |" * (2 * len(sizes) - 2) + (" — |" if 1000 in sizes and
                                                         10000 in sizes else ""))
    notes_rows = [f"- `{label}` at N={r.n:,}: {t.skipped or t.failed}"
                  for r in results for label, t in r.commands.items() if t.skipped or t.failed]
    if notes_rows:
        lines += ["", *sorted(set(notes_rows), key=notes_rows.index)]
    lines += _stages_section(results)
    lines += _quality_section(results, sample)
    lines += ["", "## Profile notes", "", NOTES_BEGIN, notes.strip() or "(none yet)", NOTES_END,
              ""]
    return "\n".join(lines)


def _targets_section(results: list[SizeResult], startup: dict[str, Timing]) -> list[str]:
    by_n = {r.n: r for r in results}
    rows = []

    def gen_time(n: int) -> float | None:
        r = by_n.get(n)
        if r is None:
            return None
        medians = [t.median for label, t in r.commands.items()
                   if label.startswith("generate") and t.median is not None]
        return max(medians) if medians else None

    def verdict(value: float | None, limit: float) -> str:
        if value is None:
            return "not measured"
        return "met" if value <= limit else f"**missed by {value - limit:.2f}**"

    for n, key in ((10000, "generate_10k"), (1000, "generate_1k")):
        value = gen_time(n)
        rows.append((f"`generate` on {n:,} packages (slower of up-to-date and fresh)",
                     f"≤ {TARGETS[key]} s", f"{value:.2f} s" if value else "—",
                     verdict(value, TARGETS[key])))
    g1, g10 = gen_time(1000), gen_time(10000)
    value = g10 / g1 if g1 and g10 else None
    rows.append(("scaling t(10k)/t(1k) of `generate`", f"≤ {TARGETS['ratio']}",
                 f"{value:.1f}" if value else "—", verdict(value, TARGETS["ratio"])))
    for label, t in startup.items():
        rows.append((f"`bakegen {label}`", f"≤ {TARGETS['startup']} s",
                     f"{t.median:.3f} s" if t.median else "—",
                     verdict(t.median, TARGETS["startup"])))
    big = by_n.get(10000)
    peak = None
    if big is not None:
        peaks = [t.peak_mb for t in big.commands.values() if t.peak_mb is not None]
        peak = max(peaks) if peaks else None
    rows.append(("peak memory on 10,000 packages (any command)",
                 f"≤ {TARGETS['memory_10k_mb']:.0f} MB", f"{peak:.0f} MB" if peak else "—",
                 verdict(peak, TARGETS["memory_10k_mb"])))
    lines = ["## Targets", "", "| target | limit | measured | verdict |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", "A missed target is explained in the profile notes at the end."]
    return [*lines, ""]


def _stages_section(results: list[SizeResult]) -> list[str]:
    ran = [r for r in results if r.stages and "median" in r.stages]
    failed = [r for r in results if r.stages and "error" in r.stages]
    if not ran and not failed:
        return []
    lines = ["", "## Stages in one process (seconds, median; tracemalloc peak in MB)", "",
             "Exclusive times: graph queries made by the planner count as graph. "
             "`write` writes every file after the outputs were removed; `write-nochange` "
             "compares with files already up to date. The peak is Python's own allocations "
             "during the stage (results of earlier stages included).", ""]
    if ran:
        order = _stage_order(ran[-1].stages["median"])
        lines += ["| stage | " + " | ".join(f"N={r.n:,} s | MB" for r in ran) + " |",
                  "|---|" + "---|---|" * len(ran)]
        for stage in order:
            row = f"| {stage} |"
            for r in ran:
                value = r.stages["median"].get(stage)
                peak = r.stage_peaks.get(stage)
                row += f" {value:.3f} |" if value is not None else " — |"
                row += f" {peak / 1e6:.0f} |" if peak else " — |"
            lines.append(row)
        lines.append("| max RSS of the stage process |"
                     + "".join(f" | {r.stages.get('max_rss_mb', 0):.0f} |" for r in ran))
    lines += [f"- N={r.n:,}: stages failed: {r.stages['error']}" for r in failed]
    return lines


def _quality_rows(name: str, q: Quality) -> list[str]:
    inst = q.installs
    summary = q.service_summary()
    sized = f"{len(q.services)} of {q.services_total}"
    rows = [
        f"| {name} | **{inst.network}** of {inst.per_bake} ({inst.base_installs} in "
        f"{inst.base_dockerfiles} base Dockerfiles, {inst.service_installs} in "
        f"{inst.service_dockerfiles} service Dockerfiles; {inst.offline_installs} offline, "
        f"{inst.tool_installs} tool set-up) | {inst.naive} | "
        f"{_mb(q.repo_bytes)} ({q.repo_files:,} files) | {_mb(q.source_bytes)} "
        f"({q.source_files:,} files) | "
        + (f"{_mb(summary['median'])} / {_mb(summary['p90'])} / {_mb(summary['max'])} "
           f"({summary['median_files']:.0f} files median; {sized} services sized) | "
           if summary else "— | ")
        + ", ".join(f"{b.target} {_mb(b.bytes)}" for b in q.bases) + " |"
    ]
    return rows


def _quality_section(
    results: list[SizeResult], sample: tuple[Quality | None, str | None]
) -> list[str]:
    lines = ["", "## Plan quality", "",
             "Install steps: RUN instructions of the generated Dockerfiles that invoke a package "
             "manager's install/sync/fetch/vendor command (compiling is not counted; "
             "bench/quality.py); each base builds once per bake, so this is what one full "
             "`docker buildx bake` runs. In bold, the ones that download the workspace's "
             "dependencies: the rest are offline (derived from what deps-base fetched: "
             "`--offline`, `--prefer-offline`, local wheels) or set up a tool (corepack, uv, "
             "a build backend). The naive plan has one self-contained Dockerfile, hence one "
             "dependency download, per service. "
             "Context: bytes each target's `<Dockerfile>.dockerignore` admits (emulating "
             "BuildKit's matcher, bench/context.py) against the whole working tree (.git "
             "excluded) and against its sources (noise folders excluded).", "",
             "| repository | install steps per full bake (downloads in bold) | naive | whole repo "
             "| sources "
             "| service context median / p90 / max | base contexts |",
             "|---|---|---|---|---|---|---|"]
    quality, error = sample
    if quality is not None:
        lines += _quality_rows("sample_monorepo", quality)
    elif error:
        lines.append(f"| sample_monorepo | failed: {error} |||||")
    for r in results:
        if r.quality is not None:
            lines += _quality_rows(f"synthetic N={r.n:,}", r.quality)
        elif r.quality_error:
            lines.append(f"| synthetic N={r.n:,} | failed: {r.quality_error} |||||")
    commands = sorted({c for q in [quality, *(r.quality for r in results)] if q
                       for c in q.installs.commands})
    if commands:
        lines += ["", "Install commands found: " + ", ".join(f"`{c}`" for c in commands) + "."]
    if quality is not None:
        lines += ["", "sample_monorepo, every target:", "", "| target | kind | files | bytes |",
                  "|---|---|---|---|"]
        lines += [f"| {c.target} | {c.kind} | {c.files} | {_mb(c.bytes)} |"
                  for c in (*quality.bases, *quality.services)]
    return lines


def previous_notes(path: Path) -> str:
    """The hand-written notes of an earlier report, if any."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    start, end = text.find(NOTES_BEGIN), text.find(NOTES_END)
    if start == -1 or end == -1:
        return ""
    return text[start + len(NOTES_BEGIN) : end]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000",
                        help="comma-separated package counts (default: 100,1000,10000)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per command")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs first")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"where synthetic repositories are kept (default {DEFAULT_CACHE})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report to write")
    parser.add_argument("--no-stages", dest="stages", action="store_false")
    parser.add_argument("--no-quality", dest="quality", action="store_false")
    parser.add_argument("--sample-targets", type=int, default=60,
                        help="services whose context is sized per repository")
    parser.add_argument("--startup-runs", type=int, default=20,
                        help="measured runs of --help and --version")
    parser.add_argument("--quiet", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement and write the report; exit 1 when a scan was wrong."""
    args = parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    args.load_start = _load()
    bakegen = bakegen_argv()
    startup = measure_startup(bakegen, args.startup_runs)
    log("startup: " + ", ".join(f"{k} {_fmt_time(v)} s" for k, v in startup.items()))
    results = [measure_size(n, args, bakegen, log) for n in sizes]
    sample = sample_quality() if args.quality else (None, None)
    report = render_report(results, startup, sample, previous_notes(args.out), args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # the real-build section is written by `python -m bench realbuild`: keep it
    previous = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    kept = kept_section(previous)
    args.out.write_text(replace_section(report, kept) if kept else report, encoding="utf-8")
    log(f"wrote {args.out}")
    return 0 if all(r.correctness in ("ok", "not checked") for r in results) else 1
