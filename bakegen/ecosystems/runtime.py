"""The runtime setup every production-base shares: CA certificates, tini, the user `app`."""

from __future__ import annotations

from bakegen.ecosystems.instructions import run

APP_USER = "app"
APP_UID = 10001


#: the stage every Debian-based base Dockerfile installs tini and the CA bundle in: the same
#: image and the same RUN in every file, so BuildKit runs that apt step once per bake
RUNTIME_TOOLS_STAGE = "runtime-tools"
RUNTIME_TOOLS_IMAGE = "debian:bookworm-slim"
_APT_TOOLS = run(
    "apt-get update",
    "apt-get install -y --no-install-recommends ca-certificates tini",
    "rm -rf /var/lib/apt/lists/*",
)
_TINI_ENTRYPOINT = 'ENTRYPOINT ["/usr/bin/tini", "--"]'
#: the one file TLS clients on Debian read the roots from (Go, rustls-native-certs, OpenSSL's
#: cert.pem); the per-certificate files and hash links beside it are update-ca-certificates'
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
#: `a || b` with b on a continuation line of its own
_OR = " \\\n      || "


def _runtime_kind(runtime_image: str) -> str:
    image = runtime_image.lower()
    if "distroless" in image:
        return "distroless"
    if "alpine" in image:
        return "alpine"
    return "debian" if image.startswith(("debian:", "docker.io/library/debian:")) else "copy"


def runtime_tools_stage(runtime_image: str) -> tuple[str, ...]:
    """The `runtime-tools` stage production-base copies tini and CA certificates from.

    For every Debian-based runtime: each production-base would otherwise run its own
    `apt-get update`, 20-30 s apiece, all in one bake; and copying leaves out what the
    install brings along (openssl and libssl3 come with ca-certificates), which a static
    binary on plain Debian never loads (Rust and Go runtimes get libssl3 back only when the
    lockfile links openssl: `Workspace.runtime_packages`).
    """
    if _runtime_kind(runtime_image) not in ("copy", "debian"):
        return ()
    return (f"FROM {RUNTIME_TOOLS_IMAGE} AS {RUNTIME_TOOLS_STAGE}", _APT_TOOLS)


def runtime_setup(runtime_image: str) -> tuple[str, ...]:
    """Common production-base steps: CA certificates, tini, and a non-root user `app`.

    The user is created here rather than relied upon, since base images differ in which
    users they ship. Distroless images have no shell, so they get only the numeric user.
    tini is Debian's dynamically linked build (27 kB against the static build's 708 kB)
    when it starts on the runtime image, which a runtime on a glibc older than bookworm's
    or on musl fails; the static build runs on any libc.
    """
    kind = _runtime_kind(runtime_image)
    if kind == "distroless":
        return (f"USER {APP_UID}:{APP_UID}",)
    if kind == "alpine":
        return (
            run(
                "apk add --no-cache ca-certificates tini",
                f"addgroup -S -g {APP_UID} {APP_USER}",
                f"adduser -S -D -H -u {APP_UID} -G {APP_USER} {APP_USER}",
            ),
            'ENTRYPOINT ["/sbin/tini", "--"]',
        )
    tools = f"/run/{RUNTIME_TOOLS_STAGE}"
    bundle = CA_BUNDLE.lstrip("/")
    return (
        "# tini and the CA bundle from the runtime-tools stage (one apt run per bake): the",
        "# small dynamic tini where this image's libc runs it, else the static one; the",
        "# bundle only where the image has none of its own",
        run(
            f"cd {tools}",
            f"{{ usr/bin/tini --version >/dev/null 2>&1 && cp usr/bin/tini /usr/bin/tini"
            f"{_OR}cp usr/bin/tini-static /usr/bin/tini; }}",
            f"{{ [ -s {CA_BUNDLE} ]{_OR}cp --parents {bundle} /; }}",
            f"groupadd --system --gid {APP_UID} {APP_USER}",
            f"useradd --system --uid {APP_UID} --gid {APP_UID} --no-create-home "
            f"--shell /usr/sbin/nologin {APP_USER}",
            mounts=(f"--mount=type=bind,from={RUNTIME_TOOLS_STAGE},target={tools}",),
        ),
        _TINI_ENTRYPOINT,
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


def build_packages(packages: tuple[str, ...]) -> tuple[str, ...]:
    """deps-base's install of the Debian packages building the workspace's source-only
    dependencies takes (a compiler, `-dev` headers; none: no step)."""
    return _apt_install(
        "# what the dependencies' builds need from the system (the slim image lacks it)",
        packages)


def runtime_packages(packages: tuple[str, ...]) -> tuple[str, ...]:
    """production-base's install of the Debian packages a workspace's native libraries
    need (none: no step)."""
    return _apt_install(
        "# native libraries the lockfile links (the slim image has none of them)", packages)


def _apt_install(comment: str, packages: tuple[str, ...]) -> tuple[str, ...]:
    if not packages:
        return ()
    return (
        comment,
        run("apt-get update",
            f"apt-get install -y --no-install-recommends {' '.join(packages)}",
            "rm -rf /var/lib/apt/lists/*"),
    )
