"""The `.dockerignore` matcher `affected` uses, checked against BuildKit's rules.

The reference below transcribes moby's patternmatcher (the code BuildKit runs): each
pattern becomes a regular expression; a file is matched by a pattern when the pattern
matches the file or one of its parent folders; the last matching pattern decides.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bakegen.ignore import DockerIgnore
from bakegen.render.dockerignore import render_dockerignore


def moby_regex(pattern: str) -> re.Pattern[str]:
    out, i = "^", 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            if pattern[i + 1:i + 2] == "*":
                i += 1
                if pattern[i + 1:i + 2] == "/":
                    i += 1
                out += ".*" if i + 1 >= len(pattern) else "(.*/)?"
            else:
                out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        elif ch in ".$+()^|{}":
            out += "\\" + ch
        else:
            out += ch
        i += 1
    return re.compile(out + "$")


def moby_excludes(lines: list[str], path: str) -> bool:
    excluded = False
    parts = path.split("/")
    parents = ["/".join(parts[:n]) for n in range(1, len(parts))]
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = re.sub(r"/+", "/", (line[1:] if negated else line).strip()).strip("/")
        pattern = "/".join(p for p in pattern.split("/") if p != ".")
        if not pattern:
            continue
        rx = moby_regex(pattern)
        if rx.match(path) or any(rx.match(p) for p in parents):
            excluded = not negated
    return excluded


def matcher(lines: list[str]) -> DockerIgnore:
    return DockerIgnore(lines)


def test_generated_dockerignore_admits_only_the_closure() -> None:
    text = render_dockerignore("docker/services/api.Dockerfile",
                               ("apps/api", "package.json", "packages/shared", "yarn.lock"),
                               ("*.md",))
    rules = matcher(text.splitlines())
    admitted = ["apps/api/src/server.js", "packages/shared/index.js", "package.json",
                "yarn.lock", "apps/api/docs/guide.md"]
    excluded = ["apps/web/server.js", "README.md", "apps/api/node_modules/x/index.js",
                "apps/api/.env", "apps/api/.env.local", "packages/shared/target/x",
                "apps/api2/x.js", "docs/a.md", "apps/api/key.pem"]
    for path in admitted:
        assert not rules.excludes(path), path
        assert not moby_excludes(text.splitlines(), path), path
    for path in excluded:
        assert rules.excludes(path), path
        assert moby_excludes(text.splitlines(), path), path


def test_last_match_wins_and_parents_count() -> None:
    lines = ["docs", "!docs/public", "docs/public/secret.txt", "**/*.log", "!keep.log"]
    rules = matcher(lines)
    assert rules.excludes("docs/a.md")
    assert not rules.excludes("docs/public/index.html")
    assert rules.excludes("docs/public/secret.txt")
    assert rules.excludes("a/b/c.log")
    assert not rules.excludes("keep.log")
    assert not rules.excludes("src/main.rs")


def test_patterns_are_anchored_at_the_context_root() -> None:
    rules = matcher(["README.md", "/build", "./dist/"])
    assert rules.excludes("README.md")
    assert not rules.excludes("apps/api/README.md")  # unlike .gitignore
    assert rules.excludes("build/x")
    assert rules.excludes("dist/y")
    assert not rules.excludes("apps/build/x")


def test_escaped_wildcards_are_literal() -> None:
    rules = matcher(["*", "!weird\\*name"])
    assert not rules.excludes("weird*name/file")
    assert rules.excludes("weirdXname/file")


SEGMENTS = st.sampled_from(["a", "b", "ab", "*", "**", "?", "a*", "*b"])
PATTERN = st.builds(lambda neg, parts: ("!" if neg else "") + "/".join(parts),
                    st.booleans(), st.lists(SEGMENTS, min_size=1, max_size=3))
PATH = st.builds("/".join, st.lists(st.sampled_from(["a", "b", "ab", "ba", "c"]),
                                    min_size=1, max_size=4))


@given(st.lists(PATTERN, min_size=1, max_size=4), PATH)
def test_matches_buildkit_on_random_patterns(lines: list[str], path: str) -> None:
    assert matcher(lines).excludes(path) == moby_excludes(lines, path)


@given(
    st.lists(st.sampled_from(["apps/api", "libs/a b", "pkg/#x", "!odd", "."]), max_size=4),
    st.lists(st.sampled_from(["*.log", "tmp", "**/dist"]), max_size=2),
    st.lists(st.sampled_from([".npmrc", "apps/api/.env.local"]), max_size=2),
)
def test_affected_reads_the_patterns_a_generated_dockerignore_holds(
    admitted: list[str], extra: list[str], secrets: list[str]
) -> None:
    from bakegen.render.dockerignore import context_patterns

    text = render_dockerignore("docker/x.Dockerfile", tuple(admitted), tuple(extra), tuple(secrets))
    written = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert list(context_patterns(tuple(admitted), tuple(extra), tuple(secrets))) == written
