"""Platform overrides that bypass the `PLATFORMS` / `BUILD_PLATFORMS` variables.

CI mode tags each base with a hash of `PLATFORMS`, the platforms its image carries. A
`--set '*.platform=linux/amd64'` (or a target's own `platforms` in the override file) makes
bake build other platforms than the tag says, and bake cannot tell: the next run trusts the
tag and finds no arm64 image in it. Where bakegen can see such an override, in the repo's CI
files or `docker-bake.override.hcl`, it warns.
"""

from __future__ import annotations

import re
from pathlib import Path

import hcl2

from bakegen.formats import OVERRIDE_FILE

#: the CI configuration files read for `--set <target>.platform=` overrides
CI_FILES = (".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml",
            ".circleci/config.yml", ".buildkite/*.yml", "Jenkinsfile", "Makefile")
#: `*`, `_common` and the bases: what decides the platforms of a base image (a service's own
#: platforms are its business)
_SET_PLATFORM = re.compile(r"(?<![\w-])(?:\*|_common|[\w-]*-base)\.platforms?=")
_ADVICE = "set PLATFORMS (or BUILD_PLATFORMS for one platform of them) instead"


def platform_overrides(root: Path) -> list[str]:
    """One warning per place that sets targets' platforms around the variables, as
    `path:line: ...`, in a stable order."""
    found = []
    for pattern in CI_FILES:
        for path in sorted(root.glob(pattern)):
            found += _in_ci_file(root, path)
    found += _in_override(root)
    return found


def _in_ci_file(root: Path, path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    rel = path.relative_to(root).as_posix()
    return [
        f"{rel}:{number}: `{match.group(0)}…` sets bake targets' platforms past PLATFORMS, "
        f"which CI mode's base tags hash; {_ADVICE}"
        for number, line in enumerate(lines, 1)
        if not line.lstrip().startswith("#") and (match := _SET_PLATFORM.search(line))
    ]


def _in_override(root: Path) -> list[str]:
    path = root / OVERRIDE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    try:
        data = hcl2.loads(text)
    except Exception:  # python-hcl2 raises lark's errors; an unreadable override is bake's
        return []
    warnings = []
    for block in data.get("target", []):
        for name, body in block.items():
            name = name.strip('"')
            decides = name == "_common" or name.endswith("-base")
            if decides and isinstance(body, dict) and "platforms" in body:
                warnings.append(
                    f"{OVERRIDE_FILE}: target {name} sets its own platforms, "
                    f"which CI mode's base tags cannot see; {_ADVICE}")
    return sorted(warnings)
