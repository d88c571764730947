"""Render the GitHub Actions workflow that builds the affected bake targets in CI mode.

Jobs, in dependency order:
- `affected`: bakegen computes the layered matrix (full history, so the base revision is
  there) and asks the registry which base tags it lacks;
- `bases` (wave 1, pushes only): builds and pushes the missing bases under their
  content-addressed tags, with `BAKEGEN_MODE=ci`;
- `build` (wave 2): one docker/bake-action job per service entry, `BAKEGEN_MODE=ci`, so
  services pull the bases (`docker-image://`) instead of building them;
- with split platforms each entry builds one platform on a native runner and pushes by
  digest, and `bases-merge` / `merge` join a target's digests into one multi-platform tag
  with `docker buildx imagetools create`.
Pull requests build without pushing; when a base they need is not in the registry yet,
they build in local mode (bases through `target:` contexts) instead of pushing a base.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bakegen import __version__
from bakegen.errors import BakegenError
from bakegen.formats import GENERATED_MARKER

WORKFLOW_FILE = ".github/workflows/bake.yml"
@dataclass(frozen=True, slots=True)
class Action:
    """An action the workflow uses: its current major version, and the newest release of
    that major with its commit, which `--pin-actions` writes instead of the moving tag."""

    repo: str
    major: str
    release: str
    sha: str

    def ref(self, pin: bool) -> str:
        """`owner/name@v4`, or `owner/name@<sha>  # v4.3.0` when pinned."""
        return f"{self.repo}@{self.sha}  # {self.release}" if pin else f"{self.repo}@{self.major}"


#: every action the workflow uses, in one place (commits read from the actions' tags)
ACTIONS = {
    "checkout": Action("actions/checkout", "v7", "v7.0.1",
                       "3d3c42e5aac5ba805825da76410c181273ba90b1"),
    "setup-python": Action("actions/setup-python", "v7", "v7.0.0",
                           "5fda3b95a4ea91299a34e894583c3862153e4b97"),
    "qemu": Action("docker/setup-qemu-action", "v4", "v4.2.0",
                   "96fe6ef7f33517b61c61be40b68a1882f3264fb8"),
    "buildx": Action("docker/setup-buildx-action", "v4", "v4.3.0",
                     "37fe631027851001ddb9b187196cc803df7f5f0e"),
    "login": Action("docker/login-action", "v4", "v4.1.0",
                    "4907a6ddec9925e35a0a9e82d7399ccc52663121"),
    "bake": Action("docker/bake-action", "v7", "v7.1.0",
                   "a66e1c87e2eca0503c343edf1d208c716d54b8a8"),
    "upload": Action("actions/upload-artifact", "v7", "v7.0.0",
                     "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f"),
    "download": Action("actions/download-artifact", "v8", "v8.0.1",
                       "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c"),
    "metadata": Action("docker/metadata-action", "v6", "v6.2.0",
                       "dc802804100637a589fabce1cb79ff13a1411302"),
}
_PUSH = "github.event_name != 'pull_request'"
#: a pull request compares with its base; a push with the last commit of the branch whose
#: run of this workflow succeeded, so a failed or cancelled run's changes are built again
#: by the next one (`github.event.before` would drop them for good)
_PR_BASE = "github.event.pull_request.base.sha"
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
    #: a shell command (see `install_command`): bakegen is not on PyPI
    install: str = "pip install ./tools/bakegen"
    python_version: str = "3.12"
    #: passed to every bake explicitly: without `-f`, bake also merges a compose file it
    #: finds at the root (and stops on its `env_file`s)
    bake_files: tuple[str, ...] = ("docker-bake.hcl",)
    #: the branch whose pushes also tag `latest`; None: no `latest` from CI
    latest_branch: str | None = "main"
    #: docker/metadata-action writes the tags and labels (bake's `docker-metadata-action`)
    metadata_action: bool = False
    #: actions by commit SHA (`--pin-actions`) instead of their major version tag
    pin_actions: bool = False

    def uses(self, action: str) -> str:
        """The `uses:` value of one of ACTIONS."""
        return ACTIONS[action].ref(self.pin_actions)

    @property
    def bake_file_flags(self) -> str:
        """`-f docker-bake.hcl -f docker-bake.override.hcl` for a shell command."""
        return " ".join(f"-f {name}" for name in self.bake_files)

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


#: the bake file's mode in the service jobs: CI mode pulls the pushed bases; a pull
#: request whose bases are not pushed yet builds them inline (local mode), never pushes them
_SERVICE_MODE = (
    "${{ github.event_name == 'pull_request' && needs.affected.outputs.has_bases == 'true' "
    "&& 'local' || 'ci' }}"
)
#: run although an upstream job was skipped (no missing bases), never after a failure;
#: a bare `if:` would imply success() of every ancestor, and a skipped one fails that
_AFTER_UPSTREAM = "!cancelled() && !failure()"


def render_workflow(settings: WorkflowSettings) -> str:
    """The whole workflow file as text, with bakegen's generated header."""
    s = settings
    text = _header(s) + "\n" + _affected_job(s)
    text += _build_job(s, BASES_JOB)
    if s.split_platforms:
        text += _merge_job(s, BASES_JOB)
    text += _build_job(s, SERVICES_JOB)
    if s.split_platforms:
        text += _merge_job(s, SERVICES_JOB)
    return text


@dataclass(frozen=True, slots=True)
class Wave:
    """One wave of CI mode: the job that builds its matrix and the job that merges it."""

    build_id: str
    merge_id: str
    label: str
    matrix_output: str
    targets_output: str
    has_output: str
    mode: str
    #: pull requests build this wave too (without pushing)
    on_pull_requests: bool
    #: the matrix key listing a job's bake targets (comma-separated)
    targets_key: str
    #: the matrix key naming a job's digest artifacts
    artifact_key: str
    #: the `--set` pattern the outputs apply to: `*` also covers the bases a pull request's
    #: local-mode bake builds inline, which then stay cache-only as they would be anyway
    output_pattern: str


BASES_JOB = Wave("bases", "bases-merge", "base", "bases", "base_targets", "has_bases", "ci",
                 on_pull_requests=False, targets_key="targets", artifact_key="unit",
                 output_pattern="*")
SERVICES_JOB = Wave("build", "merge", "", "matrix", "targets", "has_targets", _SERVICE_MODE,
                    on_pull_requests=True, targets_key="target", artifact_key="target",
                    output_pattern="*")


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(value)


#: `pip install bakegen` (or `"bakegen==0.1.0"`) from the default index: no such release
_FROM_PYPI = re.compile(r"""^\s*(python3? -m )?pip3? install (-U |--upgrade |-q )*["']?bakegen"""
                        r"""(\[[^\]]*\])?(\s*[=~<>!]=?\s*[^ "']*)?["']?\s*$""")


def install_command(install: str) -> str:
    """The install command the workflow runs, refused when it cannot resolve: bakegen has
    no release on PyPI, and an unclaimed name there is a dependency-confusion risk for a
    job that holds registry credentials."""
    if not install.strip():
        raise BakegenError(
            "ci github: bakegen is not on PyPI; name where CI installs it from with --install "
            f"or `install` in bakegen.toml, e.g. 'pip install "
            f"git+https://github.com/<owner>/bakegen@v{__version__}'")
    if _FROM_PYPI.match(install):
        raise BakegenError(
            f"ci github: --install {install!r} cannot resolve: bakegen is not on PyPI; install "
            "from a git URL, a path in the repository or a wheel, or add --index-url")
    return install


def _install_step(s: WorkflowSettings) -> str:
    # the version that generated this workflow, or the job stops before using another
    check = f'bakegen --version | grep -qx "bakegen, version {__version__}"'
    return f"""\
      - name: Install bakegen {__version__}
        run: |
{_indent(s.install, "          ")}
          {check}
"""


def _header(s: WorkflowSettings) -> str:
    branches = ", ".join(_q(b) for b in s.branches)
    latest = f", latest on {s.latest_branch}" if s.latest_branch else ""
    mode = ("# One job per target and platform on a native runner, pushed by digest, then one\n"
            "# job per target joins the digests into a multi-platform tag."
            if s.split_platforms else "# One job per target builds all of its platforms.")
    return f"""\
# {GENERATED_MARKER}: do not edit; regenerate with `bakegen ci github`.
# Builds only the bake targets a change affects (`bakegen matrix --affected`), in CI mode:
# wave 1 pushes the shared bases the registry lacks under content-addressed tags, wave 2
# builds the services on top of them (BAKEGEN_MODE=ci, bases as docker-image:// contexts).
{mode}
# Pull requests build without pushing; pushes to {', '.join(s.branches)} push to {s.registry}.
# Service tags follow docker/metadata-action: sha-<short> always, the branch on branch
# pushes, <version>, <major>.<minor> and <major> on v* tags{latest}.
name: bake

on:
  push:
    branches: [{branches}]
    tags: ["v*"]  # a version tag pushes every service under its semver tags
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

# a newer push to a pull request cancels its superseded run; runs on the publishing
# branches are never cancelled midway (and each compares with the last successful run)
concurrency:
  group: bake-${{{{ github.ref }}}}
  cancel-in-progress: ${{{{ github.event_name == 'pull_request' }}}}

env:
  # bake variables: environment variables of the same name override the file's defaults
  REGISTRY: {_q(s.registry)}
  SOURCE_URL: ${{{{ github.server_url }}}}/${{{{ github.repository }}}}
  GIT_SHA: ${{{{ github.sha }}}}
"""


def _affected_job(s: WorkflowSettings) -> str:
    split = " --split-platforms" if s.split_platforms else ""
    flags = f"--layered --missing-bases{split} --github-output"
    outputs = "".join(
        f"      {name}: ${{{{ steps.matrix.outputs.{name} }}}}\n"
        for name in ("bases", "base_targets", "has_bases", "matrix", "targets", "has_targets")
    ) + "      tag: ${{ steps.tags.outputs.tag }}\n"
    return f"""\
jobs:
  affected:
    name: affected targets
    runs-on: ubuntu-24.04
{_permissions(s, "read", actions=True)}    outputs:
{outputs}    steps:
      - uses: {s.uses("checkout")}
        with:
          fetch-depth: 0  # the base revision must be there to compare with
      - uses: {s.uses("setup-python")}
        with:
          python-version: {_q(s.python_version)}
{_install_step(s)}      - name: Generated files are up to date
        run: bakegen generate --check
      - name: Image tags
        id: tags
        env:
          REF: ${{{{ github.ref }}}}
          SHA: ${{{{ github.sha }}}}
          PR_NUMBER: ${{{{ github.event.pull_request.number }}}}
          LATEST_BRANCH: {_q(s.latest_branch or "")}
        run: |
{_indent(TAGS_SCRIPT, "          ")}
      - uses: {s.uses("buildx")}  # `imagetools inspect` asks the registry for base tags
{_login(s, "      ", _NOT_FORK)}      - name: Compute the waves
        id: matrix
        env:
          EVENT: ${{{{ github.event_name }}}}
          PR_BASE: ${{{{ {_PR_BASE} }}}}
          BRANCH: ${{{{ github.ref_name }}}}
          GH_TOKEN: ${{{{ github.token }}}}
        run: |
{_indent(BASE_SCRIPT, "          ")}
          # a new branch or a manual run has no usable base: build every target
          if [ -n "$BASE" ] && git cat-file -e "$BASE^{{commit}}" 2>/dev/null; then
            bakegen matrix --affected --base "$BASE" {flags}
          else
            bakegen matrix {flags}
          fi
"""


#: how the `affected` job chooses the commit to compare with (its `BASE`)
BASE_SCRIPT = f"""\
if [ "$EVENT" = pull_request ]; then
  BASE="$PR_BASE"
else
  # the newest commit of this branch whose run of this workflow succeeded
  BASE=$(gh run list --workflow {WORKFLOW_FILE.rsplit("/", 1)[1]} --branch "$BRANCH" \\
    --status success --limit 1 --json headSha --jq '.[0].headSha // ""')
fi"""


#: the `TAG` list (comma-separated) of the service images, by docker/metadata-action's
#: rules: type=semver ({{version}}, {{major}}.{{minor}}, {{major}}; a pre-release only
#: {{version}}), type=ref (branch, pr-<n>), type=raw latest on one branch, type=sha
TAGS_SCRIPT = r"""set -euo pipefail
sanitize() { sed -E 's/[^a-zA-Z0-9._-]+/-/g' <<< "$1"; }
semver='^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
tags=()
case "$REF" in
  refs/tags/*)
    if [[ "${REF#refs/tags/}" =~ $semver ]]; then
      version="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
      if [ -n "${BASH_REMATCH[4]}" ]; then
        tags+=("$(sanitize "$version${BASH_REMATCH[4]}")")
      else
        tags+=("$version" "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}")
      fi
    fi ;;
  refs/heads/*)
    tags+=("$(sanitize "${REF#refs/heads/}")")
    if [ -n "$LATEST_BRANCH" ] && [ "$REF" = "refs/heads/$LATEST_BRANCH" ]; then
      tags+=(latest)
    fi ;;
  refs/pull/*) tags+=("pr-$PR_NUMBER") ;;
esac
tags+=("sha-${SHA:0:7}")
(IFS=,; echo "tag=${tags[*]}") >> "$GITHUB_OUTPUT"
"""


def _indent(text: str, indent: str) -> str:
    return "\n".join(indent + line for line in text.splitlines())


def _login(s: WorkflowSettings, indent: str, condition: str | None) -> str:
    lines = [f"{indent}- name: Log in to the registry"]
    if condition:
        lines.append(f"{indent}  if: {condition}")
    lines += [f"{indent}  uses: {s.uses('login')}", f"{indent}  with:"]
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


def _permissions(s: WorkflowSettings, packages: str = "write", actions: bool = False) -> str:
    # `actions: read` lets `gh run list` find the last successful run
    extra = "      actions: read\n" if actions else ""
    extra += f"      packages: {packages}\n" if s.uses_github_token else ""
    return f"    permissions:\n      contents: read\n{extra}"


def _bake_step(s: WorkflowSettings, wave: Wave, name: str, condition: str | None,
               step_id: str | None, output: str, extra: list[str]) -> str:
    sets = [*extra, f"{wave.output_pattern}.output={output}"]
    lines = [f"      - name: {name}"]
    if step_id:
        lines.append(f"        id: {step_id}")
    if condition:
        lines.append(f"        if: {condition}")
    lines.append(f"        uses: {s.uses('bake')}")
    if s.split_platforms:
        # one platform of PLATFORMS, through the variable: the base tags keep hashing the
        # platforms the merged image carries, where `*.platform=` would bypass them
        lines += ["        env:", "          BUILD_PLATFORMS: ${{ matrix.platform }}"]
    lines += ["        with:",
              "          source: .",
              "          files: |",
              *(f"            {name}" for name in _bake_files(s, wave)),
              f"          targets: ${{{{ matrix.{wave.targets_key} }}}}",
              "          set: |",
              *(f"            {line}" for line in sets)]
    return "\n".join(lines) + "\n"


def _bake_files(s: WorkflowSettings, wave: Wave) -> tuple[str, ...]:
    """The bake files of a wave's bake: metadata-action's after bakegen's, so that its
    `docker-metadata-action` target replaces the generated one."""
    if not (s.metadata_action and wave.on_pull_requests):
        return s.bake_files
    return (*s.bake_files, *(f"cwd://${{{{ steps.meta.outputs.{o} }}}}" for o in _META_FILES))


_META_FILES = ("bake-file-tags", "bake-file-labels")


def _metadata_step(s: WorkflowSettings) -> str:
    """docker/metadata-action with the rules of `TAGS_SCRIPT` and no `images`: its bake
    file carries bare tags, which each service prefixes with its own image name."""
    latest = (f"\n            type=raw,value=latest,enable=${{{{ github.ref == "
              f"'refs/heads/{s.latest_branch}' }}}}" if s.latest_branch else "")
    return f"""\
      - name: Tags and labels
        id: meta
        uses: {s.uses("metadata")}
        with:
          flavor: latest=false
          tags: |
            type=semver,pattern={{{{version}}}}
            type=semver,pattern={{{{major}}}}.{{{{minor}}}}
            type=semver,pattern={{{{major}}}}
            type=ref,event=branch
            type=ref,event=pr{latest}
            type=sha
"""


def _tag_env(s: WorkflowSettings, wave: Wave) -> str:
    # the service tags (bake's TAG list) the affected job computed for this event
    return "      TAG: ${{ needs.affected.outputs.tag }}\n" if wave.on_pull_requests else ""


def _build_job(s: WorkflowSettings, wave: Wave) -> str:
    label = f"{wave.label} " if wave.label else ""
    shown = f"${{{{ matrix.{wave.targets_key} }}}}"
    if s.split_platforms:
        title = f"{label}{shown} (${{{{ matrix.platform }}}})"
        push_output = "type=image,push-by-digest=true,name-canonical=true,push=true"
        cache_env = ("      # one cache ref per platform: the jobs of one target run in parallel\n"
                     "      CACHE_TAG: buildcache-${{ matrix.platform_slug }}\n")
    else:
        title = f"{label}{shown}"
        push_output = "type=registry"
        cache_env = ""
    if wave.on_pull_requests:
        upstream = BASES_JOB.merge_id if s.split_platforms else BASES_JOB.build_id
        needs = f"[affected, {upstream}]"
        condition = (f"${{{{ {_AFTER_UPSTREAM} && "
                     f"needs.affected.outputs.{wave.has_output} == 'true' }}}}")
        push_condition: str | None = _PUSH
    else:
        needs = "affected"
        condition = f"needs.affected.outputs.{wave.has_output} == 'true' && {_PUSH}"
        push_condition = None
    mode = wave.mode if wave.mode.startswith("${{") else _q(wave.mode)
    push_if = f"        if: {push_condition}\n" if push_condition else ""
    text = f"""
  {wave.build_id}:
    name: {title}
    needs: {needs}
    if: {condition}
    runs-on: ${{{{ matrix.runner }}}}
{_permissions(s)}    strategy:
      fail-fast: false
      matrix: ${{{{ fromJSON(needs.affected.outputs.{wave.matrix_output}) }}}}
    env:
      BAKEGEN_MODE: {mode}
{_tag_env(s, wave)}{cache_env}    steps:
      - uses: {s.uses("checkout")}
      - uses: {s.uses("qemu")}  # emulates platforms other than the runner's own
      - uses: {s.uses("buildx")}
{_login(s, "      ", _NOT_FORK if wave.on_pull_requests else None)}"""
    if s.metadata_action and wave.on_pull_requests:
        text += _metadata_step(s)
    text += _bake_step(s, wave, "Build and push", push_condition, "bake", push_output, [])
    if wave.on_pull_requests:
        text += _bake_step(s, wave, "Build without pushing (pull request)",
                           "github.event_name == 'pull_request'", None, "type=cacheonly",
                           ["*.cache-to=type=inline"])
    if s.split_platforms:
        text += f"""\
      - name: Export the digest
{push_if}        env:
          METADATA: ${{{{ steps.bake.outputs.metadata }}}}
          TARGETS: ${{{{ matrix.{wave.targets_key} }}}}
        run: |
          set -euo pipefail
          IFS=, read -ra names <<< "$TARGETS"
          for target in "${{names[@]}}"; do
            digest=$(jq -er --arg t "$target" '.[$t]["containerimage.digest"]' <<< "$METADATA")
            mkdir -p "$RUNNER_TEMP/digests/$target"
            touch "$RUNNER_TEMP/digests/$target/${{digest#sha256:}}"
          done
      - uses: {s.uses("upload")}
{push_if}        with:
          name: digests.${{{{ matrix.{wave.artifact_key} }}}}.${{{{ matrix.platform_slug }}}}
          path: ${{{{ runner.temp }}}}/digests  # <target>/<digest> files
          if-no-files-found: error
          retention-days: 1
"""
    return text


def _merge_job(s: WorkflowSettings, wave: Wave) -> str:
    label = f"{wave.label} " if wave.label else ""
    condition = f"needs.affected.outputs.{wave.has_output} == 'true' && {_PUSH}"
    if wave.on_pull_requests:
        condition = f"${{{{ {_AFTER_UPSTREAM} && {condition} }}}}"
    tag_env = _tag_env(s, wave)
    env = f"    env:\n{tag_env}" if tag_env else ""
    files = s.bake_file_flags
    meta = step_env = ""
    if s.metadata_action and wave.on_pull_requests:
        meta = _metadata_step(s)
        files += ' -f "$META_TAGS"'
        step_env = "          META_TAGS: ${{ steps.meta.outputs.bake-file-tags }}\n"
    return f"""
  {wave.merge_id}:
    name: merge {label}${{{{ matrix.target }}}}
    needs: [affected, {wave.build_id}]
    if: {condition}
    runs-on: ubuntu-24.04
{_permissions(s)}    strategy:
      fail-fast: false
      matrix: ${{{{ fromJSON(needs.affected.outputs.{wave.targets_output}) }}}}
{env}    steps:
      - uses: {s.uses("checkout")}
{meta}      - uses: {s.uses("download")}
        with:
          path: ${{{{ runner.temp }}}}/digests
          pattern: digests.${{{{ matrix.{wave.artifact_key} }}}}.*
          merge-multiple: true
      - uses: {s.uses("buildx")}
{_login(s, "      ", None)}      - name: Create the multi-platform image
        env:
          TARGETS: ${{{{ matrix.target }}}}  # several, comma-separated, in a large matrix
{step_env}        run: |
          set -euo pipefail
          IFS=, read -ra names <<< "$TARGETS"
          for target in "${{names[@]}}"; do
            # the tags bake would push, with REGISTRY and TAG resolved as in the build jobs
            mapfile -t tags < <(docker buildx bake {files} --print "$target" \\
              | jq -r --arg t "$target" '.target[$t].tags[]')
            name="${{tags[0]##*/}}"
            repo="${{tags[0]}}"
            if [[ "$name" == *:* ]]; then repo="${{tags[0]%:*}}"; fi
            args=()
            for tag in "${{tags[@]}}"; do args+=(--tag "$tag"); done
            for file in "$RUNNER_TEMP/digests/$target"/*; do
              args+=("$repo@sha256:$(basename "$file")")
            done
            docker buildx imagetools create "${{args[@]}}"
            docker buildx imagetools inspect "${{tags[0]}}"
          done
"""
