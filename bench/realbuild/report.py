"""The real-build section of bench/RESULTS.md: medians, ratios, targets and image sizes."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field

#: bakegen's plan with `dependencies = "per-service"`: each image holds only its own
PER_SERVICE_PLAN = "bakegen-ps"
STATIC_SITE_LIMIT = 30_000_000

BEGIN, END = "<!-- realbuild:begin -->", "<!-- realbuild:end -->"

LABELS = {
    "cold": "cold full bake (clean builder)",
    "nothing": "nothing changed",
    "leaf": "one leaf service's source edited",
    "shared": "a shared library edited",
    "ci-nothing": "CI, fresh builder + registry cache, nothing changed",
    "ci-leaf": "CI, fresh builder + registry cache, leaf edited (all targets)",
    "ci-leaf-one": "CI, fresh builder + registry cache, leaf edited (its target only)",
}


@dataclass(frozen=True, slots=True)
class Target:
    """One of issue 13's goals: bakegen's median against a limit, absolute or a ratio."""

    label: str
    scenario: str
    against: str | None  # a plan, or None for seconds
    limit: float

    def measured(self, data: Measurements) -> float | None:
        ours = data.median("bakegen", self.scenario)
        if ours is None:
            return None
        if self.against is None:
            return ours
        theirs = data.median(self.against, self.scenario)
        return None if not theirs else ours / theirs


TARGETS = (
    Target("cold <= 1.0x A", "cold", "A", 1.0),
    Target("cold <= 0.5x A2", "cold", "A2", 0.5),
    Target("leaf edited >= 5x faster than A", "leaf", "A", 0.2),
    Target("shared library edited >= 2x faster than A", "shared", "A", 0.5),
    Target("nothing changed <= 1.5x A", "nothing", "A", 1.5),
    Target("CI fresh runner, nothing changed <= 2 s", "ci-nothing", None, 2.0),
    Target("CI fresh runner, leaf edited <= 0.5x A2", "ci-leaf", "A2", 0.5),
)


@dataclass
class Measurements:
    """Every repetition's seconds per plan and scenario, image sizes and probe answers."""

    plans: tuple[str, ...]
    scenarios: tuple[str, ...]
    runs: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    sizes: dict[str, dict[str, int]] = field(default_factory=dict)
    probes: dict[str, dict[str, str]] = field(default_factory=dict)
    #: service targets bakegen serves as static sites (issue 14: each image under 30 MB)
    static_sites: tuple[str, ...] = ()
    started: datetime.datetime | None = None
    load_start: float = 0.0
    load_end: float = 0.0
    machine: str = ""

    def add(self, plan: str, times: dict[str, float]) -> None:
        self.runs.setdefault(plan, []).append(times)

    def median(self, plan: str, scenario: str) -> float | None:
        values = [run[scenario] for run in self.runs.get(plan, []) if scenario in run]
        return statistics.median(values) if values else None


def render_section(data: Measurements) -> str:
    """The Markdown section, between its markers."""
    count = max((len(r) for r in data.runs.values()), default=0)
    when = data.started.strftime("%Y-%m-%d %H:%M UTC") if data.started else "?"
    lines = [
        BEGIN, "## Real builds: bakegen's plan against naive Dockerfiles",
        "",
        "Written by `python -m bench realbuild` (bench/realbuild/); rerun it to refresh.",
        "",
        f"- date: {when}; machine: {data.machine}",
        f"- load average (1 min) at the start / end: {data.load_start:.2f} / "
        f"{data.load_end:.2f} (other work on the machine inflates the times)",
        f"- method: median of {count} repetitions; each repetition copies `bench/monorepo` "
        "afresh, uses its own registry prefix and starts from a pruned builder; amd64; every "
        "bake pushes its images to the kit's registry. Plans rotate order per repetition.",
        "- A: one Dockerfile per service copying the whole repo and installing everything "
        "(the install is shared by BuildKit); A2: per-service Dockerfiles as teams write "
        "them (manifests, the service's own install, its sources, its build).",
        "",
        "| scenario | " + " | ".join(f"{p} s" for p in data.plans) + " | bakegen / A | "
        "bakegen / A2 |",
        "|---|" + "---|" * (len(data.plans) + 2),
    ]
    for scenario in data.scenarios:
        cells = [_seconds(data.median(p, scenario)) for p in data.plans]
        lines.append(f"| {LABELS.get(scenario, scenario)} | " + " | ".join(cells)
                     + f" | {_ratio(data, scenario, 'A')} | {_ratio(data, scenario, 'A2')} |")
    lines += ["", "### Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    for target in TARGETS:
        value = target.measured(data)
        shown = "not measured" if value is None else (
            f"{value:.2f} s" if target.against is None else f"{value:.2f}x")
        verdict = "—" if value is None else ("met" if value <= target.limit else "missed")
        lines.append(f"| {target.label} | {shown} | {verdict} |")
    lines += _size_table(data)
    lines += ["", "### Every repetition (seconds)", ""]
    for plan in data.plans:
        for number, run in enumerate(data.runs.get(plan, []), 1):
            lines.append(f"- {plan} #{number}: "
                         + ", ".join(f"{k} {v:.1f}" for k, v in run.items()))
    lines.append(END)
    return "\n".join(lines) + "\n"


def _size_table(data: Measurements) -> list[str]:
    if not data.sizes:
        return []
    plans = [p for p in data.plans if p in data.sizes]
    services = sorted({s for sizes in data.sizes.values() for s in sizes})
    lines = ["", "### Image sizes (compressed MB, amd64, from the registry)", "",
             "| service | " + " | ".join(plans) + " | started and answered |",
             "|---|" + "---|" * (len(plans) + 1)]
    for svc in services:
        cells = [_mb(data.sizes[p].get(svc)) for p in plans]
        answered = ", ".join(f"{p} {data.probes[p][svc]}" for p in plans
                             if svc in data.probes.get(p, {}))
        lines.append(f"| {svc} | " + " | ".join(cells) + f" | {answered or 'not probed'} |")
    larger = [svc for svc in services if "A" in data.sizes and "bakegen" in data.sizes
              and data.sizes["bakegen"].get(svc, 0) > data.sizes["A"].get(svc, 0)]
    lines += ["", "Every bakegen image no larger than A's: "
              + ("yes" if not larger else "no (" + _over(data, "bakegen", larger) + ")")]
    return lines + _per_service_lines(data, services) + _static_lines(data)


def _over(data: Measurements, plan: str, services: list[str]) -> str:
    """`agent +10.4 kB, edge +10.4 kB`: how much each of `services` exceeds A's image."""
    return ", ".join(
        f"{svc} +{(data.sizes[plan].get(svc, 0) - data.sizes['A'].get(svc, 0)) / 1e3:.1f} kB"
        for svc in services)


def _static_lines(data: Measurements) -> list[str]:
    """Issue 14's goal for static sites: bakegen's image under 30 MB."""
    sized = [(svc, data.sizes["bakegen"][svc]) for svc in data.static_sites
             if svc in data.sizes.get("bakegen", {})]
    if not sized:
        return []
    verdict = "met" if all(size < STATIC_SITE_LIMIT for _, size in sized) else "missed"
    shown = ", ".join(f"{svc} {size / 1e6:.1f} MB" for svc, size in sized)
    return ["", f"Static site images under {STATIC_SITE_LIMIT // 1_000_000} MB: {shown} "
                f"({verdict})"]


def _per_service_lines(data: Measurements, services: list[str]) -> list[str]:
    """Issue 14's goals for `dependencies = "per-service"` (the `bakegen-ps` plan): every
    image smaller than A's, and a cold bake within 10% of the shared plan's."""
    if PER_SERVICE_PLAN not in data.sizes or "A" not in data.sizes:
        return []
    own, naive = data.sizes[PER_SERVICE_PLAN], data.sizes["A"]
    not_smaller = [svc for svc in services if own.get(svc, 0) >= naive.get(svc, 0)]
    lines = [f"Every {PER_SERVICE_PLAN} (per-service dependencies) image smaller than A's: "
             + ("yes" if not not_smaller else
                "no (" + _over(data, PER_SERVICE_PLAN, not_smaller) + ")")]
    ours, shared = data.median(PER_SERVICE_PLAN, "cold"), data.median("bakegen", "cold")
    if ours is not None and shared:
        verdict = "met" if ours / shared <= 1.10 else "missed"
        lines.append("")
        lines.append(f"Cold bake with per-service dependencies: {ours:.1f} s against "
                     f"{shared:.1f} s shared, {ours / shared:.2f}x (limit 1.10x: {verdict})")
    return ["", *lines]


def replace_section(text: str, section: str) -> str:
    """`text` with its real-build section replaced by `section` (appended when absent)."""
    start, end = text.find(BEGIN), text.find(END)
    if start == -1 or end == -1:
        return text.rstrip("\n") + ("\n\n" if text else "") + section
    return text[:start] + section + text[end + len(END):].lstrip("\n")


def kept_section(text: str) -> str:
    """The real-build section of an earlier report, so the generator bench can keep it."""
    start, end = text.find(BEGIN), text.find(END)
    return "" if start == -1 or end == -1 else text[start:end + len(END)] + "\n"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _ratio(data: Measurements, scenario: str, plan: str) -> str:
    ours, theirs = data.median("bakegen", scenario), data.median(plan, scenario)
    return "—" if ours is None or not theirs else f"{ours / theirs:.2f}"


def _mb(size: int | None) -> str:
    return "—" if size is None else f"{size / 1e6:.1f}"
