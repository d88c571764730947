"""`bakegen affected` on real git repositories: a copy of sample_monorepo, committed,
changed, committed again."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import cli, main
from tests.builders import copy_sample, write_tree

ALL = {"acme-api", "acme-web", "acme-worker", "router-svc"}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout


def commit(repo: Path, message: str = "change") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """sample_monorepo with its generated files, committed on main."""
    for key, value in {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                       "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}.items():
        monkeypatch.setenv(key, value)
    root = copy_sample(tmp_path)
    generate(root)
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    return root


def generate(root: Path) -> None:
    result = CliRunner().invoke(cli, ["generate", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def affected(root: Path, *args: str, base: str = "HEAD~1") -> dict[str, list[str]]:
    """{target: reasons} from `bakegen affected --json`."""
    result = CliRunner().invoke(cli, ["affected", str(root), "--base", base, "--json", *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {t["target"]: t["reasons"] for t in data["targets"]}


def change(root: Path, edit: Callable[[Path], None], *args: str) -> dict[str, list[str]]:
    """Apply an edit, commit it, and list what it affects."""
    edit(root)
    commit(root)
    return affected(root, *args)


def append(rel: str, text: str = "\n// changed\n") -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    return edit


def replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        text = (root / rel).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        (root / rel).write_text(text.replace(old, new), encoding="utf-8")
    return edit


# --------------------------------------------------------------------------- packages


def test_leaf_change_affects_one_service(repo: Path) -> None:
    assert change(repo, append("apps/api/src/server.js")) == {
        "acme-api": ["apps/api/src/server.js (in @acme/api)"],
    }


@pytest.mark.parametrize(("path", "library", "expected"), [
    ("packages/shared/index.js", "@acme/shared", {"acme-api", "acme-web"}),
    ("crates/geo/src/lib.rs", "geo", {"router-svc"}),
    ("python/common/src/acme_common/__init__.py", "acme-common", {"acme-worker"}),
])
def test_shared_library_change_affects_exactly_its_dependents(
    repo: Path, path: str, library: str, expected: set[str]
) -> None:
    found = change(repo, append(path, "\n# changed\n"))
    assert found == {target: [f"{path} (via {library})"] for target in expected}


def test_text_output_names_target_and_reason(repo: Path) -> None:
    append("packages/shared/index.js")(repo)
    commit(repo)
    result = CliRunner().invoke(cli, ["affected", str(repo), "--base", "HEAD~1"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "acme-api: packages/shared/index.js (via @acme/shared)\n"
        "acme-web: packages/shared/index.js (via @acme/shared)\n"
    )
    assert "2 targets affected by 1 changed path (" in result.stderr


def test_change_outside_any_package_affects_nothing(repo: Path) -> None:
    def edit(root: Path) -> None:
        append("README.md", "more\n")(root)
        write_tree(root, {"docs/notes.md": "# notes\n", "scripts/release.sh": "echo\n"})
    assert change(repo, edit) == {}


def test_renamed_file_counts_on_both_sides(repo: Path) -> None:
    def edit(root: Path) -> None:
        git(root, "mv", "apps/web/scripts/build.js", "apps/api/src/build.js")
    assert change(repo, edit) == {
        "acme-api": ["apps/api/src/build.js (renamed from apps/web/scripts/build.js, "
                     "in @acme/api)"],
        "acme-web": ["apps/web/scripts/build.js (renamed to apps/api/src/build.js, "
                     "in @acme/web)"],
    }


def with_util_library(root: Path) -> None:
    """packages/util, used by acme-api only, committed."""
    write_tree(root, {
        "packages/util/package.json": {"name": "@acme/util", "version": "1.0.0",
                                       "main": "index.js"},
        "packages/util/index.js": "module.exports = {};\n",
    })
    manifest = json.loads((root / "apps/api/package.json").read_text())
    manifest["dependencies"]["@acme/util"] = "1.0.0"
    write_tree(root, {"apps/api/package.json": manifest})
    generate(root)
    commit(root, "add util")


def test_deleted_package_affects_its_former_dependents(repo: Path) -> None:
    with_util_library(repo)

    def delete(root: Path) -> None:
        git(root, "rm", "-q", "-r", "packages/util")
    assert change(repo, delete) == {
        "acme-api": ["packages/util/index.js (deleted, via @acme/util)",
                     "packages/util/package.json (deleted, via @acme/util)"],
    }


def test_deleted_package_and_its_dependency_line(repo: Path) -> None:
    with_util_library(repo)

    def delete(root: Path) -> None:
        git(root, "rm", "-q", "-r", "packages/util")
        replace("apps/api/package.json", ',\n    "@acme/util": "1.0.0"', "")(root)
    found = change(repo, delete)
    assert set(found) == {"acme-api"}
    assert "apps/api/package.json (in @acme/api)" in found["acme-api"]


def test_dev_edges_only_with_include_dev(repo: Path) -> None:
    write_tree(repo, {
        "packages/testkit/package.json": {"name": "@acme/testkit", "version": "1.0.0"},
        "packages/testkit/index.js": "module.exports = {};\n",
    })
    manifest = json.loads((repo / "apps/api/package.json").read_text())
    manifest["devDependencies"] = {"@acme/testkit": "1.0.0"}
    write_tree(repo, {"apps/api/package.json": manifest})
    commit(repo, "add testkit")
    append("packages/testkit/index.js")(repo)
    commit(repo)
    assert affected(repo) == {}
    assert affected(repo, "--include-dev") == {
        "acme-api": ["packages/testkit/index.js (via @acme/testkit, dev)"],
    }


# --------------------------------------------------------------------------- build contexts


def test_files_the_build_context_ignores_rebuild_nothing(repo: Path) -> None:
    append(".dockerignore", "**/*.md\n**/*.test.js\n")(repo)
    write_tree(repo, {"packages/shared/README.md": "# shared\n",
                      "apps/api/src/server.test.js": "test\n"})
    generate(repo)
    commit(repo, "ignore docs and tests")
    found = change(repo, lambda root: (append("packages/shared/README.md", "more\n")(root),
                                       append("apps/api/src/server.test.js")(root)))
    assert found == {}
    # the same files count once the context admits them
    replace(".dockerignore", "**/*.md\n**/*.test.js\n", "")(repo)
    generate(repo)
    commit(repo, "admit docs and tests")
    found = change(repo, append("apps/api/src/server.test.js"))
    assert found == {"acme-api": ["apps/api/src/server.test.js (in @acme/api)"]}


# --------------------------------------------------------------------------- lockfiles and roots


def test_lockfile_entry_change_affects_only_services_using_it(repo: Path) -> None:
    bump = replace("yarn.lock", 'version "7.0.0"', 'version "7.0.1"')
    assert change(repo, bump) == {
        "acme-web": ["yarn.lock (is-number 7.0.0 -> 7.0.1; via @acme/web)"],
    }
    ms = replace("yarn.lock", 'version "2.1.3"', 'version "2.1.4"')
    assert change(repo, ms) == {
        "acme-api": ["yarn.lock (ms 2.1.3 -> 2.1.4; via @acme/shared)"],
        "acme-web": ["yarn.lock (ms 2.1.3 -> 2.1.4; via @acme/shared)"],
    }


CARGO_ITOA = """
[[package]]
name = "itoa"
version = "1.0.11"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b"
"""


def test_cargo_lock_entry_reaches_the_service_through_its_library(repo: Path) -> None:
    replace("Cargo.lock", 'name = "geo"\nversion = "0.1.0"\n',
            'name = "geo"\nversion = "0.1.0"\ndependencies = [\n "itoa",\n]\n')(repo)
    append("Cargo.lock", CARGO_ITOA)(repo)
    commit(repo, "geo uses itoa")
    found = change(repo, replace("Cargo.lock", '"1.0.11"', '"1.0.12"'))
    assert found == {"router-svc": ["Cargo.lock (itoa 1.0.11 -> 1.0.12; via geo)"]}


UV_ANYIO = """
[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.example/anyio-4.4.0.tar.gz", hash = "sha256:a1", size = 1 }
"""


def test_uv_lock_entry_reaches_the_service_through_its_library(repo: Path) -> None:
    replace("uv.lock", 'source = { editable = "python/common" }\n',
            'source = { editable = "python/common" }\ndependencies = [\n'
            '    { name = "anyio" },\n]\n')(repo)
    append("uv.lock", UV_ANYIO)(repo)
    commit(repo, "common uses anyio")
    found = change(repo, replace("uv.lock", "sha256:a1", "sha256:a2"))
    assert found == {"acme-worker": ["uv.lock (anyio 4.4.0 changed; via acme-common)"]}


def test_lockfile_that_cannot_be_compared_affects_its_whole_workspace(repo: Path) -> None:
    # readable (an unreadable yarn.lock is a scan error now) but not comparable
    odd = '\n"odd@^1":\n  version "1.0.0"\n  dependencies "not-a-table"\n'
    found = change(repo, append("yarn.lock", odd))
    assert set(found) == {"acme-api", "acme-web"}
    assert "assuming every node service of the workspace" in found["acme-api"][0]


def test_root_manifest_affects_its_ecosystem(repo: Path) -> None:
    found = change(repo, replace("package.json", '"private": true', '"private": false'))
    assert found == {
        "acme-api": ["package.json (root manifest of the node workspace)"],
        "acme-web": ["package.json (root manifest of the node workspace)"],
    }


# ---------------------------------------------------------------- Dockerfiles, bake, config


def test_service_dockerfile_affects_its_target(repo: Path) -> None:
    found = change(repo, append("docker/services/acme-api.Dockerfile", "# note\n"))
    assert found == {"acme-api": ["docker/services/acme-api.Dockerfile (its Dockerfile)"]}


def test_shared_base_dockerfile_affects_every_service_on_it(repo: Path) -> None:
    found = change(repo, append("docker/base-node.Dockerfile", "# note\n"))
    assert found == {
        "acme-api": ["docker/base-node.Dockerfile (shared base Dockerfile)"],
        "acme-web": ["docker/base-node.Dockerfile (shared base Dockerfile)"],
    }


def test_bake_file_change_affects_the_targets_whose_definition_changed(repo: Path) -> None:
    title = '"org.opencontainers.image.title" = '
    found = change(repo, replace("docker-bake.hcl", f'{title}"@acme/web"', f'{title}"web"'))
    assert found == {"acme-web": ["docker-bake.hcl (target acme-web changed)"]}
    shared = change(repo, replace("docker-bake.hcl", 'default = "python:', 'default = "pypy:'))
    assert shared == {"acme-worker": ["docker-bake.hcl (via target python-deps-base)"]}


def test_override_file_and_hand_written_targets(repo: Path) -> None:
    write_tree(repo, {
        "docker-bake.override.hcl": 'target "docs" {\n  context = "docs"\n'
                                    '  tags = ["example/docs:latest"]\n}\n',
        "docs/Dockerfile": "FROM nginx\nCOPY . /usr/share/nginx/html\n",
        "docs/index.md": "# docs\n",
    })
    found = affected(repo, "--worktree", base="HEAD")
    assert set(found) == {"docs"}
    commit(repo, "docs site")
    assert change(repo, append("docs/index.md", "more\n")) == {
        "docs": ["docs/index.md (in its build context)"],
    }
    assert change(repo, append("docs/Dockerfile", "# x\n")) == {
        "docs": ["docs/Dockerfile (its Dockerfile)"],
    }
    override = replace("docker-bake.override.hcl", 'context = "docs"',
                       'context = "docs"\n  args = { MODE = "fast" }')
    assert change(repo, override) == {
        "docs": ["docker-bake.override.hcl (target docs changed)"],
    }


def test_config_change_affects_every_target(repo: Path) -> None:
    found = change(repo, replace("pyproject.toml", 'registry = "ghcr.io/acme"',
                                 'registry = "ghcr.io/other"'))
    assert set(found) == ALL
    assert "pyproject.toml (bakegen config changed)" in found["acme-api"]


# --------------------------------------------------------------------------- revisions


def test_base_is_its_merge_base_with_head(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    append("apps/api/src/server.js")(repo)
    commit(repo, "feature work")
    git(repo, "checkout", "-q", "main")
    append("apps/web/server.js")(repo)
    commit(repo, "main moves on")
    git(repo, "checkout", "-q", "feature")
    assert set(affected(repo, base="main")) == {"acme-api"}


def test_worktree_includes_uncommitted_and_untracked_files(repo: Path) -> None:
    append("apps/web/server.js")(repo)
    write_tree(repo, {"crates/geo/src/extra.rs": "pub fn x() {}\n"})
    assert affected(repo, base="HEAD") == {}
    assert set(affected(repo, "--worktree", base="HEAD")) == {"acme-web", "router-svc"}


def test_no_changes_no_targets(repo: Path) -> None:
    assert affected(repo, base="HEAD") == {}


def test_unknown_base_ref_is_a_clear_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["affected", str(repo), "--base", "no-such-branch"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == '--base: unknown git ref "no-such-branch"\n'


def test_not_a_git_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_sample(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["affected", str(root), "--base", "main"])
    assert exit_info.value.code == 2
    assert "not inside a git repository" in capsys.readouterr().err


def test_head_and_worktree_conflict(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["affected", str(repo), "--base", "HEAD", "--head", "HEAD",
                                      "--worktree"])
    assert result.exit_code == 2
    assert "--worktree" in result.output


def test_json_lists_every_changed_path(repo: Path) -> None:
    def edit(root: Path) -> None:
        git(root, "mv", "apps/web/scripts/build.js", "apps/web/scripts/make.js")
        append("README.md", "x\n")(root)
    edit(repo)
    commit(repo)
    result = CliRunner().invoke(cli, ["affected", str(repo), "--base", "HEAD~1", "--json"])
    data = json.loads(result.stdout)
    assert data["changes"] == [
        {"path": "README.md", "status": "modified"},
        {"path": "apps/web/scripts/build.js", "status": "renamed to",
         "other": "apps/web/scripts/make.js"},
        {"path": "apps/web/scripts/make.js", "status": "renamed from",
         "other": "apps/web/scripts/build.js"},
    ]
    assert data["head"] == git(repo, "rev-parse", "HEAD").strip()
    assert data["notes"] == []
    assert data["schema_version"] == 1


def test_deleted_files_outside_packages_need_no_base_plan(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bakegen.affected

    def fail(*args: object) -> None:
        raise AssertionError("the base revision was planned")

    write_tree(repo, {"docs/old.md": "old\n"})
    commit(repo)
    monkeypatch.setattr(bakegen.affected, "plan_revision", fail)
    assert change(repo, lambda root: git(root, "rm", "-q", "docs/old.md")) == {}
    assert change(repo, lambda root: git(root, "rm", "-q", "README.md")) == {}


def test_a_dockerignore_inside_a_package_is_an_ordinary_file(repo: Path) -> None:
    found = change(repo, append("apps/api/.dockerignore", "tmp\n"))
    assert found == {"acme-api": ["apps/api/.dockerignore (added, in @acme/api)"]}


def test_repository_dockerignore_affects_every_generated_target(repo: Path) -> None:
    found = change(repo, append(".dockerignore", "*.log\n"))
    assert set(found) == ALL
    assert found["router-svc"] == [
        ".dockerignore (repository .dockerignore, part of every generated one)"]


def test_regenerated_base_fingerprints_do_not_widen_a_lockfile_change(repo: Path) -> None:
    """The bases' content-addressed tags follow the lockfile; the lockfile rule decides."""
    replace("yarn.lock", 'version "7.0.0"', 'version "7.0.1"')(repo)
    before = (repo / "docker-bake.hcl").read_text()
    generate(repo)
    commit(repo)
    if (repo / "docker-bake.hcl").read_text() == before:
        pytest.skip("this bake file does not tag bases by content")
    assert affected(repo) == {
        "acme-web": ["yarn.lock (is-number 7.0.0 -> 7.0.1; via @acme/web)"],
    }


def test_root_below_the_repository_top(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                       "HOME": str(tmp_path)}.items():
        monkeypatch.setenv(key, value)
    top = tmp_path / "top"
    root = copy_sample(top)
    generate(root)
    write_tree(top, {"other/packages/shared/index.js": "outside the root\n"})
    git(top, "init", "-q", "-b", "main")
    commit(top, "base")
    append("packages/shared/index.js")(root)
    append("other/packages/shared/index.js")(top)
    commit(top)
    assert affected(root) == {
        "acme-api": ["packages/shared/index.js (via @acme/shared)"],
        "acme-web": ["packages/shared/index.js (via @acme/shared)"],
    }
    replace("yarn.lock", 'version "7.0.0"', 'version "7.0.1"')(root)
    commit(top)
    assert affected(root) == {"acme-web": ["yarn.lock (is-number 7.0.0 -> 7.0.1; via @acme/web)"]}


def test_head_other_than_the_checkout_is_noted(repo: Path) -> None:
    append("apps/api/src/server.js")(repo)
    commit(repo)
    append("apps/web/server.js")(repo)
    commit(repo)
    result = CliRunner().invoke(cli, ["affected", str(repo), "--base", "HEAD~2",
                                      "--head", "HEAD~1"], catch_exceptions=False)
    assert result.stdout == "acme-api: apps/api/src/server.js (in @acme/api)\n"
    assert "--head HEAD~1 is not the checked-out commit" in result.stderr


def test_the_static_server_dockerfile_affects_every_static_site(repo: Path) -> None:
    import shutil

    site = repo.parent / "sites"
    shutil.copytree(Path(__file__).parents[1] / "cases" / "rb-static" / "workspace", site)
    generate(site)
    git(site, "init", "-q", "-b", "main")
    commit(site, "base")
    found = change(site, append("docker/static-server.Dockerfile", "# note\n"))
    reason = "docker/static-server.Dockerfile (bakegen's helper Dockerfile)"
    assert found == {"rb-docs": [reason], "rb-spa": [reason]}
