"""Ask a registry which image tags it already has (`docker buildx imagetools inspect`).

CI mode pushes each shared base under a content-addressed tag; a base whose tag is there
is never built again, so the first wave only builds what the registry lacks.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bakegen.errors import BakegenError

#: one registry round trip each; a few at once keeps a large monorepo's check short
PARALLEL_CHECKS = 8
CHECK_TIMEOUT_SECONDS = 120
_ABSENT_HINTS = ("not found", "manifest unknown", "name unknown", "no such manifest")


@dataclass(frozen=True, slots=True)
class TagCheck:
    """The tags the registry has, and why a check failed for reasons other than absence."""

    present: frozenset[str]
    problems: tuple[str, ...] = ()


def check_tags(tags: Iterable[str]) -> TagCheck:
    """Inspect every tag; absent ones and ones that could not be checked count as missing
    (building them again is safe), the latter with a problem line saying why."""
    docker = shutil.which("docker")
    if docker is None:
        raise BakegenError(
            "docker: not found on PATH; checking the registry for bases needs "
            "`docker buildx imagetools inspect`"
        )
    wanted = sorted(set(tags))
    with ThreadPoolExecutor(max_workers=PARALLEL_CHECKS) as pool:
        results = list(pool.map(lambda tag: _inspect(docker, tag), wanted))
    present = frozenset(tag for tag, (found, _) in zip(wanted, results, strict=True) if found)
    problems = tuple(problem for _, problem in results if problem)
    return TagCheck(present, problems)


def _inspect(docker: str, tag: str) -> tuple[bool, str]:
    try:
        done = subprocess.run(
            [docker, "buildx", "imagetools", "inspect", tag],
            capture_output=True,
            text=True,
            timeout=CHECK_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"{tag}: no answer in {CHECK_TIMEOUT_SECONDS} s; building it"
    except OSError as exc:
        return False, f"{tag}: cannot run docker ({exc.strerror}); building it"
    if done.returncode == 0:
        return True, ""
    message = " ".join(done.stderr.split())[:300]
    if any(hint in message.lower() for hint in _ABSENT_HINTS):
        return False, ""
    return False, f"{tag}: cannot be checked ({message or f'exit {done.returncode}'}); building it"
