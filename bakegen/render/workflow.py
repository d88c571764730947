"""Render the GitHub Actions workflow that builds the affected bake targets.

Jobs: `affected` computes the matrix with bakegen (full history, so the base revision is
there); `build` runs one docker/bake-action job per matrix entry; with split platforms,
each entry builds one platform on a native runner and pushes by digest, and `merge`
joins a target's digests into one multi-platform tag with `docker buildx imagetools
create`. Pull requests build without pushing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bakegen.render import GENERATED_MARKER

WORKFLOW_FILE = ".github/workflows/bake.yml"
#: every action pinned to its major version
ACTIONS = {
    "checkout": "actions/checkout@v4",
    "setup-python": "actions/setup-python@v5",
    "qemu": "docker/setup-qemu-action@v3",
    "buildx": "docker/setup-buildx-action@v3",
    "login": "docker/login-action@v3",
    "bake": "docker/bake-action@v6",
    "upload": "actions/upload-artifact@v4",
    "download": "actions/download-artifact@v4",
}
_PUSH = "github.event_name != 'pull_request'"
#: the commit to compare with: a pull request's base, or the previous tip of a pushed branch
_BASE = (
    "github.event_name == 'pull_request' && github.event.pull_request.base.sha || "
    "github.event.before"
)
_NOT_FORK = (
    "github.event_name != 'pull_request' || "
    "github.event.pull_request.head.repo.full_name == github.repository"
)


@dataclass(frozen=True, slots=True)
class WorkflowSettings:
    """What the workflow needs to know about the repository and how to run bakegen."""

    registry: str
    split_platforms: bool = True
    cache: str = "registry"
    branches: tuple[str, ...] = ("main",)
    install: str = "pip install bakegen"
    python_version: str = "3.12"

    @property
    def registry_host(self) -> str | None:
        """The host to log in to; None for Docker Hub (`acme`, `docker.io/acme`)."""
        first = self.registry.split("/", 1)[0]
        if "/" not in self.registry or not ("." in first or ":" in first or first == "localhost"):
            return None
        return None if first in ("docker.io", "index.docker.io") else first

    @property
    def uses_github_token(self) -> bool:
        return self.registry_host == "ghcr.io"


def render_workflow(settings: WorkflowSettings) -> str:
    """The whole workflow file as text, with bakegen's generated header."""
    text = _header(settings) + "\n" + _affected_job(settings) + _build_job(settings)
    if settings.split_platforms:
        text += _merge_job(settings)
    return text


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(value)


def _header(s: WorkflowSettings) -> str:
    branches = ", ".join(_q(b) for b in s.branches)
    mode = ("# One job per target and platform on a native runner, pushed by digest, then one\n"
            "# job per target joins the digests into a multi-platform tag."
            if s.split_platforms else "# One job per target builds all of its platforms.")
    return f"""\
# {GENERATED_MARKER}: do not edit; regenerate with `bakegen ci github`.
# Builds only the bake targets a change affects (`bakegen matrix --affected`).
{mode}
# Pull requests build without pushing; pushes to {', '.join(s.branches)} push to {s.registry}.
name: bake

on:
  push:
    branches: [{branches}]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: bake-${{{{ github.ref }}}}
  cancel-in-progress: true

env:
  # bake variables: environment variables of the same name override the file's defaults
  REGISTRY: {_q(s.registry)}
  SOURCE_URL: ${{{{ github.server_url }}}}/${{{{ github.repository }}}}
  GIT_SHA: ${{{{ github.sha }}}}
"""


def _affected_job(s: WorkflowSettings) -> str:
    split = " --split-platforms" if s.split_platforms else ""
    return f"""\
jobs:
  affected:
    name: affected targets
    runs-on: ubuntu-24.04
    outputs:
      matrix: ${{{{ steps.matrix.outputs.matrix }}}}
      targets: ${{{{ steps.matrix.outputs.targets }}}}
      has_targets: ${{{{ steps.matrix.outputs.has_targets }}}}
    steps:
      - uses: {ACTIONS["checkout"]}
        with:
          fetch-depth: 0  # the base revision must be there to compare with
      - uses: {ACTIONS["setup-python"]}
        with:
          python-version: {_q(s.python_version)}
      - name: Install bakegen
        run: {s.install}
      - name: Generated files are up to date
        run: bakegen generate --check
      - name: Compute the matrix
        id: matrix
        env:
          BASE: ${{{{ {_BASE} }}}}
        run: |
          # a new branch or a manual run has no usable base: build every target
          if [ -n "$BASE" ] && git cat-file -e "$BASE^{{commit}}" 2>/dev/null; then
            bakegen matrix --affected --base "$BASE"{split} --github-output
          else
            bakegen matrix{split} --github-output
          fi
"""


def _login(s: WorkflowSettings, indent: str, condition: str | None) -> str:
    lines = [f"{indent}- name: Log in to the registry"]
    if condition:
        lines.append(f"{indent}  if: {condition}")
    lines += [f"{indent}  uses: {ACTIONS['login']}", f"{indent}  with:"]
    host = s.registry_host
    if host is not None:
        lines.append(f"{indent}    registry: {_q(host)}")
    if s.uses_github_token:
        lines += [f"{indent}    username: ${{{{ github.actor }}}}",
                  f"{indent}    password: ${{{{ secrets.GITHUB_TOKEN }}}}"]
    else:
        lines += [f"{indent}    username: ${{{{ secrets.REGISTRY_USERNAME }}}}",
                  f"{indent}    password: ${{{{ secrets.REGISTRY_PASSWORD }}}}"]
    return "\n".join(lines) + "\n"


def _permissions(s: WorkflowSettings) -> str:
    packages = "      packages: write\n" if s.uses_github_token else ""
    return f"    permissions:\n      contents: read\n{packages}"


def _cache_sets(s: WorkflowSettings) -> list[str]:
    """Per-platform cache scopes, so the jobs of one target do not overwrite each other."""
    if not s.split_platforms or s.cache != "gha":
        return []
    scope = "${{ matrix.target }}-${{ matrix.platform_slug }}"
    return [f"${{{{ matrix.target }}}}.cache-from=type=gha,scope={scope}",
            f"${{{{ matrix.target }}}}.cache-to=type=gha,scope={scope},mode=max"]


def _bake_step(s: WorkflowSettings, name: str, condition: str, step_id: str | None,
               output: str, extra: list[str]) -> str:
    sets = list(extra)
    if s.split_platforms:
        sets.insert(0, "*.platform=${{ matrix.platform }}")
    sets.append(f"${{{{ matrix.target }}}}.output={output}")
    lines = [f"      - name: {name}"]
    if step_id:
        lines.append(f"        id: {step_id}")
    lines += [f"        if: {condition}",
              f"        uses: {ACTIONS['bake']}",
              "        with:",
              "          source: .",
              "          targets: ${{ matrix.target }}",
              "          set: |",
              *(f"            {line}" for line in sets)]
    return "\n".join(lines) + "\n"


def _build_job(s: WorkflowSettings) -> str:
    if s.split_platforms:
        title = "${{ matrix.target }} (${{ matrix.platform }})"
        push_output = "type=image,push-by-digest=true,name-canonical=true,push=true"
        env = ("    env:\n"
               "      # one registry cache ref per platform: jobs of one target run in parallel\n"
               "      CACHE_TAG: buildcache-${{ matrix.platform_slug }}\n")
    else:
        title = "${{ matrix.target }}"
        push_output = "type=registry"
        env = ""
    cache = _cache_sets(s)
    text = f"""
  build:
    name: {title}
    needs: affected
    if: needs.affected.outputs.has_targets == 'true'
    runs-on: ${{{{ matrix.runner }}}}
{_permissions(s)}    strategy:
      fail-fast: false
      matrix: ${{{{ fromJSON(needs.affected.outputs.matrix) }}}}
{env}    steps:
      - uses: {ACTIONS["checkout"]}
      - uses: {ACTIONS["qemu"]}  # emulates platforms other than the runner's own
      - uses: {ACTIONS["buildx"]}
{_login(s, "      ", _NOT_FORK)}"""
    text += _bake_step(s, "Build and push", _PUSH, "bake", push_output, cache)
    text += _bake_step(s, "Build without pushing (pull request)",
                       "github.event_name == 'pull_request'", None, "type=cacheonly",
                       [*cache[:1], "*.cache-to=type=inline"])
    if s.split_platforms:
        text += f"""\
      - name: Export the digest
        if: {_PUSH}
        env:
          METADATA: ${{{{ steps.bake.outputs.metadata }}}}
          TARGET: ${{{{ matrix.target }}}}
        run: |
          mkdir -p "$RUNNER_TEMP/digests"
          digest=$(jq -r --arg t "$TARGET" '.[$t]["containerimage.digest"]' <<< "$METADATA")
          touch "$RUNNER_TEMP/digests/${{digest#sha256:}}"
      - uses: {ACTIONS["upload"]}
        if: {_PUSH}
        with:
          name: digests.${{{{ matrix.target }}}}.${{{{ matrix.platform_slug }}}}
          path: ${{{{ runner.temp }}}}/digests/*
          if-no-files-found: error
          retention-days: 1
"""
    return text


def _merge_job(s: WorkflowSettings) -> str:
    return f"""
  merge:
    name: merge ${{{{ matrix.target }}}}
    needs: [affected, build]
    if: needs.affected.outputs.has_targets == 'true' && {_PUSH}
    runs-on: ubuntu-24.04
{_permissions(s)}    strategy:
      fail-fast: false
      matrix: ${{{{ fromJSON(needs.affected.outputs.targets) }}}}
    steps:
      - uses: {ACTIONS["checkout"]}
      - uses: {ACTIONS["download"]}
        with:
          path: ${{{{ runner.temp }}}}/digests
          pattern: digests.${{{{ matrix.target }}}}.*
          merge-multiple: true
      - uses: {ACTIONS["buildx"]}
{_login(s, "      ", None)}      - name: Create the multi-platform image
        env:
          TARGET: ${{{{ matrix.target }}}}
        run: |
          set -euo pipefail
          # the tags bake would push, with REGISTRY and TAG resolved as in the build jobs
          mapfile -t tags < <(docker buildx bake --print "$TARGET" \\
            | jq -r --arg t "$TARGET" '.target[$t].tags[]')
          name="${{tags[0]##*/}}"
          repo="${{tags[0]}}"
          if [[ "$name" == *:* ]]; then repo="${{tags[0]%:*}}"; fi
          args=()
          for tag in "${{tags[@]}}"; do args+=(--tag "$tag"); done
          for file in "$RUNNER_TEMP"/digests/*; do args+=("$repo@sha256:$(basename "$file")"); done
          docker buildx imagetools create "${{args[@]}}"
          docker buildx imagetools inspect "${{tags[0]}}"
"""
