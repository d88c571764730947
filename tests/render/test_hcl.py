from __future__ import annotations

import hcl2
from hypothesis import given
from hypothesis import strategies as st

from bakegen.render.hcl import Block, Template, escape, render_document, template


def test_literal_interpolation_syntax_is_escaped() -> None:
    assert escape('a${b}%{c}"\\\n') == 'a\\u0024{b}\\u0025{c}\\"\\\\\\n'


def test_template_keeps_only_known_variables() -> None:
    assert template("${REGISTRY}", "/x${y}", variables=("REGISTRY",)) == "${REGISTRY}/x\\u0024{y}"


def test_document_round_trips_through_python_hcl2() -> None:
    text = render_document(
        ["# header"],
        [
            Block("variable", "REGISTRY", (("default", "ghcr.io/acme"),)),
            Block("group", "default", (("targets", ["api", "web"]),)),
            Block(
                "target",
                "api",
                (
                    ("inherits", ["_common"]),
                    ("contexts", {"deps-base": "target:node-deps-base"}),
                    ("labels", {"org.opencontainers.image.title": '@acme/"api"'}),
                    ("tags", [Template("${REGISTRY}/api:latest")]),
                    ("pull", True),
                ),
            ),
        ],
    )
    data = hcl2.loads(text)
    target = data["target"][0]['"api"']
    assert target["contexts"] == {'"deps-base"': '"target:node-deps-base"'}
    assert target["labels"] == {'"org.opencontainers.image.title"': '"@acme/\\"api\\""'}
    assert target["tags"] == ['"${REGISTRY}/api:latest"']
    assert data["group"][0]['"default"']["targets"] == ['"api"', '"web"']


@given(st.text())
def test_any_string_survives_as_an_hcl_literal(value: str) -> None:
    text = render_document([], [Block("target", "t", (("labels", {"k": value}),))])
    parsed = hcl2.loads(text)["target"][0]['"t"']["labels"]
    (stored,) = parsed.values()
    assert stored == '"' + escape(value) + '"'
