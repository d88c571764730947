"""Counts and lists in messages."""

from bakegen.wording import listing, plural


def test_plural() -> None:
    assert plural(0, "service") == "0 services"
    assert plural(1, "service") == "1 service"
    assert plural(2, "package") == "2 packages"
    assert plural(1, "base target") == "1 base target"
    assert plural(3, "entry", "entries") == "3 entries"


def test_listing_cuts_long_lists() -> None:
    assert listing(["a", "b"]) == "a, b"
    assert listing([]) == ""
    assert listing([str(n) for n in range(8)], limit=3) == "0, 1, 2 and 5 more"
    assert listing(list("abcde")) == "a, b, c, d, e"
    assert listing(list("abcdef")) == "a, b, c, d, e and 1 more"
    assert listing(list("abcdefg")) == "a, b, c, d, e and 2 more"
