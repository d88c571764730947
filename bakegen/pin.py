"""`bakegen pin`: base images resolved to digests, written into the config.

A tag moves (`node:22-bookworm-slim` is rebuilt every few weeks); a digest does not. `pin`
asks each image's registry for the digest its tag names now (the registry HTTP API v2:
`GET /v2/<repository>/manifests/<tag>`, with the Bearer token flow docker.io and most
registries answer a 401 with), and writes `image:tag@sha256:...` as `[images.<eco>]` build and
runtime in the config, so every later `generate` and build uses exactly those images. The
digest is that of the tag's index (all platforms), as `docker buildx imagetools inspect`
prints it. Run it again to move to newer images.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions

from bakegen.errors import BakegenError
from bakegen.formats import CONFIG_FILE

DOCKER_HUB = "registry-1.docker.io"
_ACCEPT = ", ".join((
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
))
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')
_TIMEOUT = 30


@dataclass(frozen=True, slots=True)
class Reference:
    """An image reference split the way the registry API needs it."""

    registry: str
    repository: str
    tag: str
    digest: str | None = None

    @classmethod
    def parse(cls, ref: str) -> Reference:
        """`node:22` -> registry-1.docker.io, library/node, 22 (docker's defaults)."""
        name, _, digest = ref.partition("@")
        first, _, rest = name.partition("/")
        if rest and ("." in first or ":" in first or first == "localhost"):
            registry, path = first, rest
        else:
            registry, path = DOCKER_HUB, name
        repository, tag = path.rsplit(":", 1) if ":" in path.rsplit("/", 1)[-1] else (
            path, "latest")
        if registry == DOCKER_HUB and "/" not in repository:
            repository = "library/" + repository
        if registry == "docker.io":
            registry = DOCKER_HUB
        return cls(registry, repository, tag or "latest", digest or None)


Fetch = Callable[[urllib.request.Request], tuple[int, dict[str, str], bytes]]


def http_fetch(request: urllib.request.Request) -> tuple[int, dict[str, str], bytes]:
    """One HTTP exchange: status, headers (lower-case names), body; errors are answers."""
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
            return response.status, _headers(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, _headers(exc.headers), exc.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BakegenError(f"{request.full_url}: cannot reach the registry ({reason})") from exc


def _headers(headers: object) -> dict[str, str]:
    items: list[tuple[object, object]] = list(getattr(headers, "items", list)())
    return {str(k).lower(): str(v) for k, v in items}


def resolve(ref: str, fetch: Fetch = http_fetch, mirror: str | None = None) -> str:
    """The digest (`sha256:...`) the tag of `ref` names on its registry now.

    `mirror` (`http://127.0.0.1:5000`) answers for Docker Hub images instead, as a BuildKit
    registry mirror does. Hosts `localhost` and `127.0.0.1` are asked over plain http.
    """
    parsed = Reference.parse(ref)
    if parsed.digest:
        return parsed.digest
    base = _base_url(parsed.registry, mirror)
    url = f"{base}/v2/{parsed.repository}/manifests/{urllib.parse.quote(parsed.tag)}"
    status, headers, body = fetch(_request(url))
    if status == 401:
        token = _token(headers.get("www-authenticate", ""), parsed, fetch, url)
        status, headers, body = fetch(_request(url, token))
    if status != 200:
        raise BakegenError(f"{ref}: the registry answered {status} for {url}"
                           + (" (no such image or tag)" if status == 404 else ""))
    digest = headers.get("docker-content-digest")
    return digest or "sha256:" + hashlib.sha256(body).hexdigest()


def pinned(ref: str, digest: str) -> str:
    """`node:22-bookworm-slim@sha256:...`: the tag kept for people, the digest for builds."""
    return ref.partition("@")[0] + "@" + digest


def _base_url(registry: str, mirror: str | None) -> str:
    if registry == DOCKER_HUB and mirror:
        return mirror.rstrip("/")
    host = registry.split(":", 1)[0]
    scheme = "http" if host in ("localhost", "127.0.0.1") else "https"
    return f"{scheme}://{registry}"


def _request(url: str, token: str | None = None) -> urllib.request.Request:
    headers = {"Accept": _ACCEPT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    # GET, not HEAD: some registries leave Docker-Content-Digest out of HEAD answers
    return urllib.request.Request(url, headers=headers, method="GET")


def _token(challenge: str, ref: Reference, fetch: Fetch, url: str) -> str:
    """An anonymous pull token from the realm a 401's `WWW-Authenticate: Bearer` names."""
    scheme, _, params = challenge.partition(" ")
    fields = dict(_CHALLENGE.findall(params))
    if scheme.lower() != "bearer" or "realm" not in fields:
        raise BakegenError(f"{url}: the registry wants credentials bakegen does not send "
                           f"({challenge or 'no challenge'})")
    query = {"scope": fields.get("scope", f"repository:{ref.repository}:pull")}
    if "service" in fields:
        query["service"] = fields["service"]
    token_url = fields["realm"] + "?" + urllib.parse.urlencode(query)
    status, _, body = fetch(urllib.request.Request(token_url, method="GET"))
    if status != 200:
        raise BakegenError(f"{token_url}: no pull token (status {status})")
    try:
        data = json.loads(body)
        token = data.get("token") or data.get("access_token")
    except (ValueError, AttributeError) as exc:
        raise BakegenError(f"{token_url}: the token answer is not JSON") from exc
    if not isinstance(token, str) or not token:
        raise BakegenError(f"{token_url}: the token answer holds no token")
    return token


@dataclass(frozen=True, slots=True)
class Pin:
    """One config value: `[images.<ecosystem>] <field>` from `before` to `after`."""

    ecosystem: str
    field: str
    before: str
    after: str


def plan_pins(
    images: Iterable[tuple[str, str, str]], resolver: Callable[[str], str]
) -> tuple[list[Pin], list[str]]:
    """Pins for (ecosystem, "build"|"runtime", image) triples, and notes on what stays.

    An ecosystem whose workspaces use different images for one field is left alone: one
    `[images.<eco>]` value would make them all the same.
    """
    found: dict[tuple[str, str], set[str]] = {}
    for eco, field_name, ref in images:
        found.setdefault((eco, field_name), set()).add(ref)
    pins, notes = [], []
    for (eco, field_name), refs in sorted(found.items()):
        if len(refs) > 1:
            notes.append(f"[images.{eco}] {field_name}: workspaces use {', '.join(sorted(refs))};"
                         " not pinned (set each workspace's image yourself)")
            continue
        [ref] = refs
        if "@" in ref:
            notes.append(f"[images.{eco}] {field_name}: {ref} is pinned already")
            continue
        pins.append(Pin(eco, field_name, ref, pinned(ref, resolver(ref))))
    return pins, notes


def write_pins(text: str, pins: list[Pin], in_pyproject: bool) -> str:
    """The config text with every pin set (tomlkit: the rest keeps every byte)."""
    doc = tomlkit.parse(text)
    table: Any = doc
    for part in (("tool", "bakegen") if in_pyproject else ()) + ("images",):
        if part not in table:
            table[part] = tomlkit.table(is_super_table=part != "images")
        table = table[part]
    for pin in pins:
        if pin.ecosystem not in table:
            table[pin.ecosystem] = tomlkit.table()
        table[pin.ecosystem][pin.field] = pin.after
    return tomlkit.dumps(doc)


def config_file(root: Path) -> tuple[str, bool]:
    """Where the pins go: the config the repository has (`bakegen.toml` wins, as in
    `load_config`), else a new `bakegen.toml`; and whether that is `pyproject.toml`."""
    if (root / CONFIG_FILE).is_file():
        return CONFIG_FILE, False
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError):
            return CONFIG_FILE, False
        tool = data.get("tool")
        if isinstance(tool, dict) and "bakegen" in tool:
            return "pyproject.toml", True
    return CONFIG_FILE, False
