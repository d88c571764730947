"""Guards between what a repository holds and what bakegen writes and ships.

- Names and paths that no quoting makes safe are rejected as Problems: control characters
  end a Dockerfile or `.dockerignore` line early (a name `api\\nUSER root` would inject an
  instruction), and a name starting with `-` is read as an option by the command lines
  that name packages (`cargo build -p`, `yarn workspace`). Everything else is quoted where
  it is written: HCL-escaped in the bake file, `sh_quote`d in RUN lines, JSON in exec forms.
- Registry credentials written into the repository (`.npmrc` with an `_authToken`, a
  `.yarnrc.yml` with `npmAuthToken`, a `pip.conf` index URL with a password, cargo
  credentials) are found and left out of every build context, with a warning pointing at
  the BuildKit secret mounts the base Dockerfiles offer instead (docs/security.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bakegen.ecosystems import ECOSYSTEMS
from bakegen.errors import Problem
from bakegen.model import Package, Workspace
from bakegen.tree import SourceTree

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: files that may hold registry credentials, by base name, and the secret id replacing them
CREDENTIAL_FILES = {
    ".npmrc": "npmrc",
    ".yarnrc": "npmrc",
    ".yarnrc.yml": "yarnrc",
    "pip.conf": "pipconf",
    "pip.ini": "pipconf",
    "uv.toml": "netrc",
    ".pypirc": "netrc",
    ".netrc": "netrc",
    "credentials": "cargo-credentials",
    "credentials.toml": "cargo-credentials",
    "config.toml": "cargo-credentials",
    "config": "cargo-credentials",
}
_MAX_CREDENTIAL_FILE = 1024 * 1024
#: `${NPM_TOKEN}`, `$NPM_TOKEN`, yarn's `${NPM_TOKEN:-}`: read from the environment
_ENV_REFERENCE = re.compile(
    r"""^["']?(?:\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-[^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*)["']?$"""
)
_NPMRC_AUTH = re.compile(
    r"^\s*(?:[^#;=\s]*:)?(_authToken|_auth|_password|password|npmAuthToken|npmAuthIdent)"
    r"""["']?\s*[=:\s]\s*(.*?)\s*$""",
    re.MULTILINE,
)
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:([^@\s/]+)@", re.IGNORECASE)
_TOML_TOKEN = re.compile(r"""^\s*(token|secret-key)\s*=\s*(.*?)\s*$""", re.MULTILINE)
_NETRC_PASSWORD = re.compile(r"(?:^|\s)password\s+(\S+)")


def name_problems(packages: Iterable[Package], workspaces: Iterable[Workspace]) -> list[Problem]:
    """Errors for names and paths that cannot be written into a Dockerfile line safely."""
    problems = []
    for pkg in packages:
        reason = _bad_name(pkg)
        if reason is not None:
            problems.append(Problem.error(
                pkg.manifest, f'{pkg.ecosystem} package name "{pkg.name}" {reason}; rename it'
            ))
        values = {
            (label, value)
            for label, group in (
                ("path", (pkg.path,)),
                ("binary name", pkg.binaries),
                ("target", tuple(kind.partition(":")[2] for kind, _ in pkg.targets)),
                ("target path", tuple(path for _, path in pkg.targets)),
            )
            for value in group
            if CONTROL.search(value) and value != pkg.name
        }
        problems += [
            Problem.error(pkg.manifest, f'{label} "{value}" has control characters; rename it')
            for label, value in sorted(values)
        ]
    for ws in workspaces:
        paths = (ws.root, *ws.manifests, *ws.extra_files, *((ws.lockfile,) if ws.lockfile else ()))
        problems += [
            Problem.error(path, "control characters in the path; rename it")
            for path in paths
            if CONTROL.search(path)
        ]
    return problems


def _bad_name(pkg: Package) -> str | None:
    if CONTROL.search(pkg.name):
        return "has control characters, which would break the Dockerfile lines naming it"
    if pkg.name.startswith("-"):
        return 'starts with "-", which package managers read as an option'
    ecosystem = ECOSYSTEMS.get(pkg.ecosystem)
    return ecosystem.name_problem(pkg.name) if ecosystem is not None else None


@dataclass(frozen=True, slots=True)
class Credential:
    """A repository file holding a literal credential: where, what, and the secret to use."""

    path: str
    what: str
    secret_id: str

    def warning(self) -> Problem:
        return Problem.warning(
            self.path,
            f"holds {self.what}; left out of every build context. Keep credentials out of "
            f"the repository and pass them as the BuildKit secret id={self.secret_id} "
            "(see docs/security.md)",
        )


def literal_credential(rel: str, text: str) -> str | None:
    """What literal credential a config file holds (`a password in an index URL`), or None.

    References to environment variables (`${NPM_TOKEN}`) are not literal credentials.
    """
    name = rel.rsplit("/", 1)[-1]
    if name in (".npmrc", ".yarnrc", ".yarnrc.yml"):
        for key, value in _NPMRC_AUTH.findall(text):
            if value and not _ENV_REFERENCE.match(value):
                return f"a literal registry credential ({key})"
    if name in (".npmrc", ".yarnrc", ".yarnrc.yml", "pip.conf", "pip.ini", "uv.toml", ".pypirc"):
        for password in _URL_PASSWORD.findall(text):
            if not _ENV_REFERENCE.match(password):
                return "a password in an index URL"
    if name == ".pypirc" and re.search(r"(?m)^\s*password\s*[=:]\s*\S", text):
        return "a package index password"
    if name == ".netrc" and _NETRC_PASSWORD.search(text):
        return "a machine password"
    if rel.startswith(".cargo/") or "/.cargo/" in rel:
        for _key, value in _TOML_TOKEN.findall(text):
            if value.strip("\"'"):
                return "a registry token"
        if name in ("credentials", "credentials.toml"):
            return "cargo registry credentials"
    return None


def find_credentials(tree: SourceTree) -> tuple[Credential, ...]:
    """Credential files of the index, and those `.gitignore` hides (a build context admitting
    their folder would still get them)."""
    candidates = {
        rel for name in CREDENTIAL_FILES for rel in tree.named(name) if _is_candidate(rel)
    }
    candidates.update(tree.hidden_credentials)
    found = []
    for rel in sorted(candidates):
        text = _read_small(tree.root / rel)
        if text is None:
            continue
        what = literal_credential(rel, text)
        if what is not None:
            name = rel.rsplit("/", 1)[-1]
            found.append(Credential(rel, what, CREDENTIAL_FILES.get(name, "netrc")))
    return tuple(found)


def env_auth_problems(tree: SourceTree) -> list[Problem]:
    """Warnings for project `.npmrc` files whose auth line reads an environment variable
    (`//npm.acme.dev/:_authToken=${NPM_TOKEN}`): no credential, but inside the build the
    variable is unset and the project file wins over the `npmrc` secret mounted as
    `/root/.npmrc`, so the install goes unauthenticated (docs/security.md)."""
    problems = []
    for rel in sorted(tree.named(".npmrc")):
        text = _read_small(tree.root / rel)
        if text is None:
            continue
        keys = sorted({key for key, value in _NPMRC_AUTH.findall(text)
                       if _ENV_REFERENCE.match(value)})
        if keys:
            problems.append(Problem.warning(
                rel, f"{keys[0]} reads an environment variable, which is not set inside the "
                "build, and this file wins over the npmrc secret mounted at /root/.npmrc; move "
                "the auth line to the secret's file and keep only registry= here (see "
                "docs/security.md)"))
    return problems


def _is_candidate(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    if name in ("credentials", "credentials.toml", "config.toml", "config"):
        return rel.startswith(".cargo/") or "/.cargo/" in rel
    return True


def _read_small(path: Path) -> str | None:
    try:
        if path.stat().st_size > _MAX_CREDENTIAL_FILE:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
