from __future__ import annotations

import pytest

from bakegen.ignore import DockerIgnore


@pytest.mark.parametrize(
    ("rules", "path", "excluded"),
    [
        ("*\n!apps/api\n", "apps/api/src/x.js", False),
        ("*\n!apps/api\n", "apps/web/x.js", True),
        ("*\n!apps/api\n", "package.json", True),
        ("*\n!package.json\n", "package.json", False),
        ("**/node_modules\n", "a/b/node_modules/x/y.js", True),
        ("**/node_modules\n", "node_modules/x", True),
        ("**/.env.*\n", "apps/api/.env.local", True),
        ("*.md\n", "README.md", True),
        ("*.md\n", "docs/README.md", False),
        ("**/*.md\n", "docs/README.md", True),
        ("docs\n!docs/keep.md\n", "docs/keep.md", False),
        ("/build\n", "build/x", True),
        ("# comment\n\n", "x", False),
        ("a/\\*\n", "a/*", True),
        ("a/\\*\n", "a/b", False),
        ("*\n!apps/api\n**/.git\n", "apps/api/.git/config", True),
    ],
)
def test_docker_semantics(rules: str, path: str, excluded: bool) -> None:
    assert DockerIgnore.from_text(rules).excludes(path) is excluded
