"""The final-stage lines an adopted service's Dockerfile takes from the user's own one."""

from __future__ import annotations

from bakegen.adopt.carry import Carried


def carried_packages(carried: Carried, runtime_image: str) -> list[str]:
    """The system packages the user's runtime stage installed, installed first thing in
    the final stage: the same step in every service, so BuildKit runs it once."""
    if not carried.system_packages:
        return []
    names = " ".join(sorted(carried.system_packages))
    source = f"# system packages of {carried.dockerfile}"
    if "alpine" in runtime_image.lower():
        return [source, f"RUN apk add --no-cache {names}"]
    return [
        source,
        "RUN apt-get update \\\n"
        f" && apt-get install -y --no-install-recommends {names} \\\n"
        " && rm -rf /var/lib/apt/lists/*",
    ]


def carried_runtime(carried: Carried) -> list[str]:
    """ENV and WORKDIR of the user's runtime stage, as written there."""
    lines = []
    if carried.env:
        lines.append(f"# from {carried.dockerfile}")
        lines += [f"ENV {name}={value}" for name, value in carried.env]
    if carried.workdir:
        lines.append(f"WORKDIR {carried.workdir}")
    return lines
