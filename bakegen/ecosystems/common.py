"""Dockerfile pieces every ecosystem shares: JSON exec form, shell quoting, runtime setup."""

from __future__ import annotations

import json
import re
import shlex

APP_USER = "app"
APP_UID = 10001
_SAFE_TOKEN = re.compile(r"[A-Za-z0-9@%+=:,./_-]+")


def exec_form(args: tuple[str, ...] | list[str]) -> str:
    """A JSON array for CMD/ENTRYPOINT: no shell, so no injection from names."""
    return json.dumps(list(args), ensure_ascii=False)


def sh_quote(value: str) -> str:
    """Quote one word for a RUN shell line (package names, paths from manifests)."""
    if _SAFE_TOKEN.fullmatch(value):
        return value
    return shlex.quote(value)


def copy_paths(paths: tuple[str, ...] | list[str], dest_root: str = "./") -> tuple[str, ...]:
    """`COPY` instructions bringing repository paths to the same relative place.

    Uses the JSON form so paths with spaces survive; folders keep their trailing slash.
    """
    lines = []
    for path in sorted(set(paths)):
        dest = dest_root.rstrip("/") + "/" + path if dest_root not in ("./", ".") else path
        lines.append(f"COPY {json.dumps([path, dest], ensure_ascii=False)}")
    return tuple(lines)


def runtime_setup(runtime_image: str) -> tuple[str, ...]:
    """Common production-base steps: CA certificates, tini, and a non-root user `app`.

    The user is created here rather than relied upon, since base images differ in which
    users they ship. Distroless images have no shell, so they get only the numeric user.
    """
    image = runtime_image.lower()
    if "distroless" in image:
        return (f"USER {APP_UID}:{APP_UID}",)
    if "alpine" in image:
        return (
            "RUN apk add --no-cache ca-certificates tini \\\n"
            f" && addgroup -S -g {APP_UID} {APP_USER} \\\n"
            f" && adduser -S -D -H -u {APP_UID} -G {APP_USER} {APP_USER}",
            'ENTRYPOINT ["/sbin/tini", "--"]',
        )
    return (
        "RUN apt-get update \\\n"
        " && apt-get install -y --no-install-recommends ca-certificates tini \\\n"
        " && rm -rf /var/lib/apt/lists/* \\\n"
        f" && groupadd --system --gid {APP_UID} {APP_USER} \\\n"
        f" && useradd --system --uid {APP_UID} --gid {APP_UID} --no-create-home "
        f"--shell /usr/sbin/nologin {APP_USER}",
        'ENTRYPOINT ["/usr/bin/tini", "--"]',
    )


def bare_runtime_setup(runtime_image: str) -> tuple[str, ...]:
    """What a final stage on the bare runtime image takes from production-base: the user
    `app` and tini, copied rather than installed again (same image, so the same files fit)."""
    image = runtime_image.lower()
    if "distroless" in image:
        return (f"USER {APP_UID}:{APP_UID}",)
    tini = "/sbin/tini" if "alpine" in image else "/usr/bin/tini"
    return (
        "COPY --from=production-base /etc/passwd /etc/group /etc/",
        f"COPY --from=production-base {tini} {tini}",
        f'ENTRYPOINT ["{tini}", "--"]',
    )
