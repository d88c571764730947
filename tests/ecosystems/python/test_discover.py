"""Scanning Python repositories: uv workspaces, Poetry path dependencies, plain projects."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bakegen.ecosystems import python as python_ecosystem
from bakegen.model import EcosystemScan, Package
from bakegen.tree import SourceTree
from tests.builders import REAL_WORKSPACES, copy_real_workspace, copy_sample, write_tree

HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def project(name: str, *lines: str, deps: tuple[str, ...] = ()) -> str:
    """A small pyproject.toml: `[project]` with name and dependencies, then extra lines."""
    return (
        f'[project]\nname = "{name}"\nversion = "0.1.0"\n'
        f"dependencies = {json.dumps(list(deps))}\n" + "\n".join(lines) + "\n"
    )


def scan(tmp_path: Path, files: dict[str, str]) -> EcosystemScan:
    write_tree(tmp_path, files)
    return python_ecosystem.scan(SourceTree.scan(tmp_path))


def edges(result: EcosystemScan) -> set[tuple[str, str, str]]:
    return {(p.name, d.name, d.kind.value) for p in result.packages for d in p.dependencies}


def problems(result: EcosystemScan) -> set[tuple[str, str, str]]:
    return {(p.severity.value, p.path, p.message) for p in result.problems}


def by_name(result: EcosystemScan) -> dict[str, Package]:
    return {p.name: p for p in result.packages}


UV_ROOT = '[tool.uv.workspace]\nmembers = ["libs/*", "apps/*"]\n'
#: a uv.lock recording no member: present, so no unlocked-mode warning, and not checked
UV_LOCK = "version = 1\n"
#: plain pip projects with third-party requirements are installed from ranges
UNLOCKED = ("no uv.lock or poetry.lock: third-party dependencies are installed from their "
            "version ranges, so two builds may install different versions")


# --- uv workspaces -----------------------------------------------------------------------


def test_sample_monorepo(tmp_path: Path) -> None:
    result = python_ecosystem.scan(SourceTree.scan(copy_sample(tmp_path)))
    assert [(p.name, p.path) for p in result.packages] == [
        ("acme-common", "python/common"), ("acme-worker", "python/worker"),
    ]
    common, worker = result.packages
    assert not common.deployable
    assert worker.deployable and worker.deployable_reason == "[project.scripts] acme-worker"
    assert worker.binaries == ("acme-worker",)
    assert worker.entrypoint == ("acme-worker",)
    assert edges(result) == {("acme-worker", "acme-common", "runtime")}
    [ws] = result.workspaces
    assert (ws.root, ws.manager, ws.lockfile, ws.runtime_version) == (".", "uv", "uv.lock", "3.12")
    assert ws.manifests == (
        "pyproject.toml", "python/common/pyproject.toml", "python/worker/pyproject.toml",
    )
    assert ws.extra_files == (".python-version",)
    assert ws.packages == ("acme-common", "acme-worker")
    assert result.problems == ()


def test_real_workspace_postmodern_mono(tmp_path: Path) -> None:
    root = copy_real_workspace("postmodern-mono", tmp_path)
    expected = json.loads((REAL_WORKSPACES / "postmodern-mono.expected.json").read_text())
    result = python_ecosystem.scan(SourceTree.scan(root))
    assert sorted((p.name, p.path) for p in result.packages) == sorted(
        (p["name"], p["path"]) for p in expected["packages"] if p["ecosystem"] == "python"
    )
    assert edges(result) == {(e["from"], e["to"], e["kind"]) for e in expected["edges"]}
    packages = by_name(result)
    assert packages["postmodern-mycli"].deployable  # [project.scripts]; the server has a Dockerfile
    assert not packages["postmodern"].deployable and not packages["postmodern-greeter"].deployable
    [ws] = result.workspaces
    assert (ws.root, ws.manager, ws.runtime_version) == (".", "uv", "3.10")
    assert result.problems == ()


def test_root_below_repo_root_and_root_is_a_member(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "py/pyproject.toml": project("Py_Root", '[tool.uv.workspace]\nmembers = ["libs/*"]',
                                     "[tool.uv.sources]\nlib-a = { workspace = true }",
                                     deps=("lib-a",)),
        "py/uv.lock": "version = 1\n",
        "py/libs/a/pyproject.toml": project("lib-a", HATCH),
        "libs/other/pyproject.toml": project("outside"),
    })
    packages = by_name(result)
    assert packages["py-root"].path == "py"
    assert packages["lib-a"].path == "py/libs/a" and packages["lib-a"].workspace == "py"
    assert edges(result) == {("py-root", "lib-a", "runtime")}
    assert {(w.root, w.manager, w.lockfile) for w in result.workspaces} == {
        ("py", "uv", "py/uv.lock"), (".", "pip", None),
    }
    assert packages["outside"].workspace == "."


def test_exclude_globs_and_missing_member_manifest(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*", "tools/*"]\n'
                          'exclude = ["libs/old"]\n',
        "uv.lock": UV_LOCK,
        "libs/a/pyproject.toml": project("a"),
        "libs/old/pyproject.toml": project("old"),
        "libs/notes/README.md": "no manifest here",
    })
    assert by_name(result)["a"].workspace == "."
    # excluded: a plain project; "." is the uv workspace's, so it is a pip workspace of its own
    assert by_name(result)["old"].workspace == "libs/old"
    assert {(w.root, w.manager) for w in result.workspaces} == {(".", "uv"), ("libs/old", "pip")}
    assert problems(result) == {
        ("warning", "pyproject.toml", "workspace member libs/notes has no pyproject.toml, skipped"),
        ("warning", "pyproject.toml", 'workspace member glob "tools/*" matches no folder'),
    }


def test_edge_kinds_and_sources_from_the_workspace_root(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pyproject.toml": UV_ROOT + "[tool.uv.sources]\nbase = { workspace = true }\n"
                          'plugin = { workspace = true }\ntesting = { workspace = true }\n'
                          'extra = { workspace = true }\nlegacy = { workspace = true }\n',
        "uv.lock": UV_LOCK,
        "libs/base/pyproject.toml": project("base"),
        "libs/plugin/pyproject.toml": project("plugin"),
        "libs/testing/pyproject.toml": project("testing"),
        "libs/extra/pyproject.toml": project("extra"),
        "libs/legacy/pyproject.toml": project("legacy"),
        "apps/api/pyproject.toml": project(
            "api",
            '[project.optional-dependencies]\nfast = ["Extra[x] >=1"]',
            '[dependency-groups]\ndev = ["testing"]\nlint = [{ include-group = "dev" }]',
            '[tool.uv]\ndev-dependencies = ["legacy"]',
            '[build-system]\nrequires = ["plugin>=1", "hatchling"]\nbuild-backend = "x"',
            deps=("Base ; python_version >= '3.10'", "requests>=2"),
        ),
    })
    assert edges(result) == {
        ("api", "base", "runtime"), ("api", "extra", "runtime"), ("api", "testing", "dev"),
        ("api", "legacy", "dev"), ("api", "plugin", "build"),
    }
    api = by_name(result)["api"]
    assert api.requirements == ("requests>=2",)  # type: ignore[attr-defined]
    assert api.build_requires == ("hatchling",)  # type: ignore[attr-defined]
    assert result.problems == ()


def test_member_without_source_is_no_edge_but_a_warning(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pyproject.toml": UV_ROOT,
        "uv.lock": UV_LOCK,
        "libs/base/pyproject.toml": project("base"),
        "apps/api/pyproject.toml": project("api", deps=("base",)),
    })
    assert edges(result) == set()
    assert problems(result) == {(
        "warning", "apps/api/pyproject.toml",
        '"base" is a workspace member but has no workspace = true source in [tool.uv.sources], '
        "so uv will not use the member",
    )}


def test_names_are_normalised_on_both_sides(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pyproject.toml": UV_ROOT,
        "libs/common/pyproject.toml": project("Acme_Common"),
        "apps/api/pyproject.toml": project(
            "acme.api", "[tool.uv.sources]\nACME-common = { workspace = true }",
            deps=("acme-COMMON[redis]>=1",)),
    })
    assert [p.name for p in result.packages] == ["acme-api", "acme-common"]
    assert edges(result) == {("acme-api", "acme-common", "runtime")}


def test_path_sources_outside_the_repo_or_to_nothing_are_errors(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pyproject.toml": UV_ROOT,
        "libs/base/pyproject.toml": project("base"),
        "apps/api/pyproject.toml": project(
            "api",
            '[tool.uv.sources]\nfar = { path = "../../../elsewhere" }\n'
            'gone = { path = "../../libs/gone" }\nbase = { path = "../../libs/base" }\n'
            'ghost = { workspace = true }\nwheel = { path = "../../vendor/w.whl" }',
            deps=("far", "gone", "base", "ghost", "wheel"),
        ),
        "vendor/w.whl": "zip",
        "docs/pyproject.toml": project("docs", deps=(3,)),  # type: ignore[arg-type]
    })
    assert edges(result) == {("api", "base", "runtime")}
    assert {p for p in problems(result) if p[1] == "apps/api/pyproject.toml"} == {
        ("error", "apps/api/pyproject.toml",
         '[tool.uv.sources] "far" points to ../../../elsewhere, outside the repository'),
        ("error", "apps/api/pyproject.toml",
         '[tool.uv.sources] "gone" points to ../../libs/gone, where there is no pyproject.toml'),
        ("error", "apps/api/pyproject.toml",
         '"ghost" has workspace = true in [tool.uv.sources] but no member of its uv workspace '
         "has that name"),
    }


def test_member_without_project_table_and_missing_name_are_errors(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
        "uv.lock": UV_LOCK,
        "libs/tools/pyproject.toml": "[tool.ruff]\nline-length = 100\n",
        "libs/noname/pyproject.toml": '[project]\nversion = "1"\n',
        "libs/ok/pyproject.toml": project("ok"),
    })
    assert [p.name for p in result.packages] == ["ok"]
    assert problems(result) == {
        ("error", "libs/tools/pyproject.toml",
         "uv workspace member (of pyproject.toml) needs a [project] table"),
        ("error", "libs/noname/pyproject.toml",
         "missing [project] name: every Python package needs a name"),
    }


def test_bad_manifests_become_problems_and_the_scan_goes_on(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pyproject.toml": UV_ROOT,
        "libs/broken/pyproject.toml": "[project\nname = ",
        "libs/types/pyproject.toml": (
            '[project]\nname = "types"\nversion = 3\ndependencies = { a = 1 }\n'
            'scripts = ["x"]\n[project.optional-dependencies]\nx = "y"\n'
            '[dependency-groups]\ndev = [5]\n[tool.uv]\nsources = []\n'
        ),
        "libs/badreq/pyproject.toml": project("badreq", deps=("not a requirement",)),
        "libs/ok/pyproject.toml": project("ok"),
    })
    assert sorted(p.name for p in result.packages) == ["badreq", "ok", "types"]
    found = problems(result)
    assert ("error", "libs/types/pyproject.toml", '"project.version" must be a string, got 3'
            ) in found
    assert ("error", "libs/types/pyproject.toml",
            '"project.dependencies" must be a list of requirements, got a table') in found
    assert ("error", "libs/types/pyproject.toml", '"project.scripts" must be a table, got a list'
            ) in found
    assert ("error", "libs/types/pyproject.toml",
            '"project.optional-dependencies.x" must be a list of requirements, got "y"') in found
    assert ("error", "libs/types/pyproject.toml",
            '"dependency-groups.dev" must list requirement strings, got 5') in found
    assert ("error", "libs/types/pyproject.toml",
            '"tool.uv.sources" must be a table, got a list') in found
    assert ("error", "libs/badreq/pyproject.toml",
            "\"project.dependencies\" has invalid requirement 'not a requirement'") in found
    assert any(p[1] == "libs/broken/pyproject.toml" and p[2].startswith("invalid TOML")
               for p in found)
    assert by_name(result)["types"].version is None


# --- Poetry --------------------------------------------------------------------------------


def poetry(name: str, deps: str = "", *lines: str) -> str:
    return (f'[tool.poetry]\nname = "{name}"\nversion = "1.0.0"\n'
            f'[tool.poetry.dependencies]\npython = "^3.11"\n{deps}\n' + "\n".join(lines) + "\n")


def test_poetry_path_dependencies(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "services/api/pyproject.toml": poetry(
            "api", 'shared = { path = "../../libs/shared", develop = true }\nrequests = "^2"',
            '[tool.poetry.group.test.dependencies]\ntesthelp = { path = "../../libs/testhelp" }',
            '[tool.poetry.dev-dependencies]\nlint = { path = "../../libs/lint" }',
            '[tool.poetry.scripts]\napi-serve = "api.main:run"',
        ),
        "services/api/poetry.lock": "# lock\n",
        # the key says "shared" but the folder's project is Acme_Shared: the edge follows the path
        "libs/shared/pyproject.toml": poetry(
            "Acme_Shared", 'inner = { path = "../inner" }'),
        "libs/inner/pyproject.toml": poetry("inner"),
        "libs/testhelp/pyproject.toml": poetry("testhelp"),
        "libs/lint/pyproject.toml": poetry("lint"),
        "services/other/pyproject.toml": poetry("other", 'shared = { path = "../../libs/shared" }'),
        "services/other/poetry.lock": "# lock\n",
    })
    assert edges(result) == {
        ("api", "acme-shared", "runtime"), ("api", "testhelp", "dev"), ("api", "lint", "dev"),
        ("acme-shared", "inner", "runtime"), ("other", "acme-shared", "runtime"),
    }
    packages = by_name(result)
    assert {n: p.workspace for n, p in packages.items()} == {
        "api": "services/api", "acme-shared": "services/api", "inner": "services/api",
        "testhelp": "services/api", "lint": "services/api", "other": "services/other",
    }
    api_ws = next(w for w in result.workspaces if w.root == "services/api")
    assert (api_ws.manager, api_ws.lockfile, api_ws.runtime_version) == (
        "poetry", "services/api/poetry.lock", "3.11")
    assert api_ws.manifests == (
        "libs/inner/pyproject.toml", "libs/lint/pyproject.toml", "libs/shared/pyproject.toml",
        "libs/testhelp/pyproject.toml", "services/api/pyproject.toml",
    )
    assert packages["api"].deployable_reason == "[tool.poetry.scripts] api-serve"
    assert result.problems == ()


def test_poetry_project_without_lock_is_plain_with_a_warning(tmp_path: Path) -> None:
    result = scan(tmp_path, {"tool/pyproject.toml": poetry("tool", 'click = "^8"')})
    assert [(w.root, w.manager) for w in result.workspaces] == [(".", "pip")]
    assert problems(result) == {(
        "warning", "tool/pyproject.toml", "Poetry project without poetry.lock: its "
        "[tool.poetry] dependencies are not installed; run `poetry lock`",
    )}


# --- plain projects ------------------------------------------------------------------------


def test_plain_projects_group_into_one_pip_workspace(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "a/pyproject.toml": project("a", deps=("b", "requests>=2", "c @ file:../c")),
        "b/pyproject.toml": project("b", '[project.optional-dependencies]\nredis = ["redis"]\n'
                                    'test = ["pytest"]'),
        "c/pyproject.toml": project("c", deps=("b[redis]",)),
        "d/pyproject.toml": project("d", deps=("e @ file:///${PROJECT_ROOT}/../e",)),
        "e/pyproject.toml": project("e", deps=("a @ file:///srv/a",)),
        "locked/pyproject.toml": project("locked", deps=("a",)),
        "locked/uv.lock": "version = 1\n",
    })
    # "b" is a bare name of a project in the same pip workspace: that project (the index
    # would not have it, or would have somebody else's); "locked" is uv's, so its bare "a"
    # is left to the index
    assert edges(result) == {("a", "b", "runtime"), ("a", "c", "runtime"),
                             ("c", "b", "runtime"), ("d", "e", "runtime")}
    assert {(w.root, w.manager, w.lockfile, w.packages) for w in result.workspaces} == {
        (".", "pip", None, ("a", "b", "c", "d", "e")),
        ("locked", "uv", "locked/uv.lock", ("locked",)),
    }
    packages = by_name(result)
    assert packages["a"].requirements == ("requests>=2",)  # type: ignore[attr-defined]
    # c asks for b[redis]: b is built from its folder, its redis extra installs with c
    assert packages["c"].requirements == ("redis",)  # type: ignore[attr-defined]
    assert packages["locked"].requirements == ("a",)  # type: ignore[attr-defined]
    assert problems(result) == {(
        "warning", "e/pyproject.toml",
        '"a @ file:///srv/a" points to the absolute path /srv/a, which does not exist in an '
        "image; use a relative path",
    ), ("warning", "a/pyproject.toml", f"{UNLOCKED}; `uv lock` pins them")}


def test_extras_of_local_packages_join_the_requirements(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/pyproject.toml": project("app", deps=("lib[redis] @ file:../lib",)),
        "lib/pyproject.toml": project("lib", '[project.optional-dependencies]\n'
                                      'redis = ["redis>=5"]\ntest = ["pytest"]'),
    })
    assert by_name(result)["app"].requirements == ("redis>=5",)  # type: ignore[attr-defined]


# --- deployable, versions, extra files ----------------------------------------------------


def test_deployable_from_main_modules(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "src_layout/pyproject.toml": project("src-layout"),
        "src_layout/src/src_layout/__main__.py": "",
        "src_layout/src/src_layout/__init__.py": "",
        "flat/pyproject.toml": project("flat-app"),
        "flat/flat_app/__main__.py": "",
        "flat/tests/test_x.py": "",
        "lib/pyproject.toml": project("lib"),
        "lib/lib/__init__.py": "",
    })
    packages = by_name(result)
    assert packages["src-layout"].entrypoint == ("python", "-m", "src_layout")
    assert packages["src-layout"].deployable_reason == "src_layout/src/src_layout/__main__.py"
    assert packages["flat-app"].entrypoint == ("python", "-m", "flat_app")
    assert not packages["lib"].deployable and packages["lib"].entrypoint == ()


def test_runtime_version_sources(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        ".python-version": "3.13\n",
        "ws/pyproject.toml": UV_ROOT,
        "ws/.python-version": "3.12.4\n",
        "ws/libs/a/pyproject.toml": project("a"),
        "other/pyproject.toml": '[tool.uv.workspace]\nmembers = ["m/*"]\n',
        "other/m/a/pyproject.toml": project("oa", 'requires-python = ">=3.10"'),
        "other/m/b/pyproject.toml": project("ob", 'requires-python = ">=3.11,<4"'),
        "other/uv.lock": "",
    })
    versions = {w.root: w.runtime_version for w in result.workspaces}
    assert versions == {"ws": "3.12", "other": "3.13"}  # the repo's .python-version wins
    (tmp_path / ".python-version").unlink()
    result = python_ecosystem.scan(SourceTree.scan(tmp_path))
    assert {w.root: w.runtime_version for w in result.workspaces}["other"] == "3.11"


def test_runtime_version_unknown(tmp_path: Path) -> None:
    result = scan(tmp_path, {"a/pyproject.toml": project("a")})
    assert result.workspaces[0].runtime_version is None


def test_extra_files(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "README.md": "# repo",
        "uv.toml": "",
        ".python-version": "3.12",
        "pyproject.toml": UV_ROOT,
        "uv.lock": "",
        "libs/a/pyproject.toml": project("a", 'readme = "README.md"'),
        "libs/a/README.md": "# a",
        "libs/b/pyproject.toml": project("b", 'readme = { file = "../../README.md" }'),
    })
    # deps-base installs no workspace package, so a README inside a package folder is left to
    # the service build, which brings the folder
    assert result.workspaces[0].extra_files == (".python-version", "README.md", "uv.toml")


def test_output_is_deterministic(tmp_path: Path) -> None:
    files = {f"libs/p{i}/pyproject.toml": project(f"p{i}") for i in range(20)}
    first = scan(tmp_path / "one", {"pyproject.toml": UV_ROOT, **files})
    second = scan(tmp_path / "two", dict(reversed([("pyproject.toml", UV_ROOT), *files.items()])))
    assert first == second


def test_large_workspace_scans_quickly(tmp_path: Path) -> None:
    count = 2000
    files = {"pyproject.toml": UV_ROOT + "[tool.uv.sources]\np0 = { workspace = true }\n"}
    for i in range(count):
        files[f"libs/p{i}/pyproject.toml"] = project(f"p{i}", HATCH, deps=("p0", "requests"))
        files[f"libs/p{i}/src/p{i}/__init__.py"] = ""
    write_tree(tmp_path, files)
    tree = SourceTree.scan(tmp_path)
    started = time.perf_counter()
    result = python_ecosystem.scan(tree)
    assert time.perf_counter() - started < 3.0
    assert len(result.packages) == count and len(edges(result)) == count - 1


# --- web applications --------------------------------------------------------------------

FASTAPI_APP = "from fastapi import FastAPI\n\napp = FastAPI(title='x')\n"
DJANGO_WSGI = (
    "from django.core.wsgi import get_wsgi_application\n"
    "application = get_wsgi_application()\n"
)


def test_fastapi_app_without_scripts_runs_under_uvicorn(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pyproject.toml": project("api", HATCH, deps=("fastapi", "uvicorn[standard]")),
        "src/api/__init__.py": "",
        "src/api/fastapi_app.py": FASTAPI_APP,
        "tests/test_app.py": FASTAPI_APP,  # tests are never the app
    })
    api = by_name(result)["api"]
    assert api.deployable and api.entrypoint == ("uvicorn", "api.fastapi_app:app")
    assert api.entrypoint_reason == (
        "FastAPI app api.fastapi_app:app (src/api/fastapi_app.py) under uvicorn")
    assert problems(result) == {("warning", "pyproject.toml", f"{UNLOCKED}; `uv lock` pins them")}


def test_django_project_runs_its_wsgi_module_under_gunicorn(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "site/pyproject.toml": (
            '[tool.poetry]\nname = "site"\npackage-mode = false\n'
            '[tool.poetry.dependencies]\npython = "^3.11"\ndjango = "^5"\ngunicorn = "^23"\n'),
        "site/poetry.lock": "# lock\n",
        "site/manage.py": "",
        "site/mysite/wsgi.py": DJANGO_WSGI,
        "site/mysite/asgi.py": DJANGO_WSGI.replace("wsgi", "asgi"),
    })
    site = by_name(result)["site"]
    assert site.entrypoint == ("gunicorn", "mysite.wsgi:application")
    assert not site.packaged


def test_web_app_without_its_server_is_a_warning_naming_cmd(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pyproject.toml": project("api", HATCH, deps=("flask",)),
        "api/web.py": "import flask\napp = flask.Flask(__name__)\n",
    })
    assert not by_name(result)["api"].deployable
    assert problems(result) == {(
        "warning", "pyproject.toml",
        "service api: Flask app api.web:app found, but gunicorn is not a dependency; add it to "
        'the dependencies or set [service."api"] cmd in bakegen.toml',
    ), ("warning", "pyproject.toml", f"{UNLOCKED}; `uv lock` pins them")}


def test_non_package_poetry_scripts_are_not_console_scripts(tmp_path: Path) -> None:
    # package-mode = false installs no console script: there is nothing at .venv/bin/<name>
    result = scan(tmp_path, {
        "pyproject.toml": (
            '[tool.poetry]\nname = "app"\npackage-mode = false\n'
            '[tool.poetry.scripts]\napp = "app.main:run"\n'),
        "poetry.lock": "# lock\n",
    })
    assert not by_name(result)["app"].deployable
