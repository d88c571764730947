"""Counts and lists in messages: `1 service`, `2 services`, `a, b, c and 3 more`."""

from __future__ import annotations

from collections.abc import Sequence

#: how many names a message lists before it counts the rest
LIST_LIMIT = 5


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 service`, `2 services`, `0 services`; `many` for irregular plurals."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def listing(items: Sequence[str], limit: int = LIST_LIMIT) -> str:
    """`a, b, c`, or the first `limit` and `and N more` so a long list stays one short line:
    never more than `limit` names, so the count and the names shown always add up."""
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit} more"
