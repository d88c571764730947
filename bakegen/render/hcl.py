"""A small HCL writer for bake files: blocks of attributes, strings escaped for HCL.

python-hcl2 reads what this writes (the tests check the round trip); its own writer was
measured at about 4 s for 1,000 targets, too slow for large monorepos, so we emit text here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class Template(str):
    """An HCL string body that may hold `${VAR}` interpolations on purpose (already escaped)."""


class Expr(str):
    """An HCL expression written verbatim (a conditional on a variable, for instance)."""


HclValue = str | Template | Expr | bool | int | Sequence[str] | Mapping[str, str]


def escape(text: str) -> str:
    """Escape a literal for the inside of an HCL quoted string: `${` and `%{` stay literal.

    They are written `\\u0024{` and `\\u0025{`, not HCL's `$${` and `%%{`: python-hcl2 (which
    bakegen and its tests read bake files with) reads past the string's end after a `$${`
    that no `}` follows, while HCL itself decodes both forms alike.
    """
    out = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return out.replace("${", "\\u0024{").replace("%{", "\\u0025{")


def template(*parts: str, variables: Sequence[str] = ()) -> Template:
    """Join literal parts and `${NAME}` references: `template("${REGISTRY}", "/api")`.

    Parts that are exactly `${NAME}` for a NAME in `variables` stay interpolations; every
    other part is escaped as a literal.
    """
    refs = {f"${{{v}}}" for v in variables}
    return Template("".join(p if p in refs else escape(p) for p in parts))


def quoted(value: str) -> str:
    if isinstance(value, Expr):
        return str(value)
    body = value if isinstance(value, Template) else escape(value)
    return f'"{body}"'


@dataclass(frozen=True, slots=True)
class Block:
    """`type "label" { attributes }` with attributes in the order given."""

    type: str
    label: str
    attributes: tuple[tuple[str, HclValue], ...]


def render_value(value: HclValue, indent: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return quoted(value)
    inner = indent + "  "
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        width = max(len(_key(k)) for k in value)
        rows = [f"{inner}{_key(k).ljust(width)} = {quoted(v)}" for k, v in value.items()]
        return "{\n" + "\n".join(rows) + f"\n{indent}}}"
    if not value:
        return "[]"
    rows = [f"{inner}{quoted(v)}," for v in value]
    return "[\n" + "\n".join(rows) + f"\n{indent}]"


def _key(key: str) -> str:
    # Quoted keys are never mistaken for variable references (`FOO = ...` could be).
    return quoted(key)


def render_block(block: Block) -> str:
    lines = [f"{block.type} {quoted(block.label)} {{"]
    present = [(k, v) for k, v in block.attributes if v is not None]
    width = max((len(k) for k, _ in present), default=0)
    for key, value in present:
        lines.append(f"  {key.ljust(width)} = {render_value(value, '  ')}")
    lines.append("}")
    return "\n".join(lines)


def render_document(header: Sequence[str], blocks: Sequence[Block]) -> str:
    """Header comment lines, then the blocks separated by blank lines, ending in a newline."""
    parts = ["\n".join(header)] if header else []
    parts.extend(render_block(b) for b in blocks)
    return "\n\n".join(parts) + "\n"
