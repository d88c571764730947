"""Web applications found in a Python project's code, and the server that runs each one.

A project without `[project.scripts]` and without `__main__.py` is often a web app meant to
run under an ASGI or WSGI server: `app = FastAPI()` (or Starlette) under uvicorn, `app =
Flask(__name__)` under gunicorn, a Django project through its `wsgi.py` (gunicorn) or
`asgi.py` (uvicorn). The server must be a declared dependency: the runtime image holds
nothing else. The module path is the file's, relative to the project (a `src/` layout's
`src/` left out), which is importable both from an installed wheel and from copied sources
run in the project's folder.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass

from bakegen.errors import BakegenError
from bakegen.tree import SourceTree, is_within

_ASGI = re.compile(r"^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(?:fastapi\.|starlette\.applications\.)?"
                   r"(FastAPI|Starlette)\(", re.MULTILINE)
_FLASK = re.compile(r"^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(?:flask\.)?(Flask)\(", re.MULTILINE)
_DJANGO_WSGI = re.compile(r"^(\w+)\s*=\s*get_wsgi_application\(", re.MULTILINE)
_DJANGO_ASGI = re.compile(r"^(\w+)\s*=\s*get_asgi_application\(", re.MULTILINE)
_SKIPPED_FOLDERS = ("tests", "test", "migrations", "docs", "scripts", "examples")
_MAX_FILES = 500
#: dependencies that make a project worth searching for an application object
WEB_FRAMEWORKS = frozenset({"fastapi", "starlette", "flask", "django"})
_MAX_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class WebApp:
    """An application object (`pkg.main:app`), its framework, and the command serving it."""

    target: str
    framework: str
    source: str
    command: tuple[str, ...]

    @property
    def reason(self) -> str:
        return f"{self.framework} app {self.target} ({self.source}) under {self.command[0]}"


def find_web_app(
    tree: SourceTree, folder: str, declared: Set[str], nested: Set[str], fastapi_extra: bool
) -> tuple[WebApp | None, str | None]:
    """The web app of the project at `folder` and None, or None and why none can be served.

    `declared` holds the normalised names of the runtime dependencies, `nested` the folders
    of other projects inside this one (their code is theirs), `fastapi_extra` whether the
    dependency on FastAPI asks for `[standard]` (which brings uvicorn).
    """
    candidates = _candidates(tree, folder, nested)
    uvicorn = "uvicorn" in declared or fastapi_extra
    gunicorn = "gunicorn" in declared
    for framework, target, source, kind in candidates:
        if kind == "asgi" and uvicorn:
            return WebApp(target, framework, source, ("uvicorn", target)), None
        if kind == "wsgi" and gunicorn:
            return WebApp(target, framework, source, ("gunicorn", target)), None
    if candidates:
        framework, target, _source, kind = candidates[0]
        server = "uvicorn" if kind == "asgi" else "gunicorn"
        return None, f"{framework} app {target} found, but {server} is not a dependency"
    return None, None


def _candidates(
    tree: SourceTree, folder: str, nested: Set[str]
) -> list[tuple[str, str, str, str]]:
    """(framework, module:object, file, asgi|wsgi) of the project, Django first, sorted."""
    found: list[tuple[int, str, str, str, str]] = []
    for rel in _python_files(tree, folder, nested):
        try:
            text = tree.read_text(rel)
        except BakegenError:
            continue
        if len(text) > _MAX_BYTES:
            continue
        module = _module(rel, folder)
        if module is None:
            continue
        name = rel.rsplit("/", 1)[-1]
        rank = rel.count("/")
        for pattern, framework, kind, order in (
            (_DJANGO_WSGI, "Django", "wsgi", 0),
            (_DJANGO_ASGI, "Django", "asgi", 1),
            (_ASGI, None, "asgi", 2),
            (_FLASK, "Flask", "wsgi", 3),
        ):
            if framework == "Django" and name not in ("wsgi.py", "asgi.py"):
                continue
            match = pattern.search(text)
            if match:
                label = framework or match.group(2)
                found.append((order * 100 + rank, label, f"{module}:{match.group(1)}", rel, kind))
    found.sort()
    return [(label, target, rel, kind) for _, label, target, rel, kind in found]


def _python_files(tree: SourceTree, folder: str, nested: Set[str]) -> list[str]:
    prefix = "" if folder == "." else folder + "/"
    files = []
    # the folder's own slice of the sorted index: walking the whole tree once per project
    # was 4 s of a 10,000-package scan
    for rel in tree.files if folder == "." else tree.files_below(folder):
        if not rel.endswith(".py"):
            continue
        parts = rel[len(prefix):].split("/")
        if any(p in _SKIPPED_FOLDERS or p.startswith(".") for p in parts[:-1]):
            continue
        if any(is_within(rel, other) for other in nested):
            continue
        files.append(rel)
        if len(files) >= _MAX_FILES:
            break
    return files


def _module(rel: str, folder: str) -> str | None:
    inner = rel if folder == "." else rel[len(folder) + 1:]
    if inner.startswith("src/"):
        inner = inner[4:]
    parts = inner[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def server_environment(command: tuple[str, ...], port: int | None) -> str | None:
    """The ENV line making the server listen on every interface at the service's port."""
    where = port or 8000
    if command[:1] == ("uvicorn",):
        return f"ENV UVICORN_HOST=0.0.0.0 UVICORN_PORT={where}"
    if command[:1] == ("gunicorn",):
        return f'ENV GUNICORN_CMD_ARGS="--bind=0.0.0.0:{where}"'
    return None
