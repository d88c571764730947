from __future__ import annotations

import sys

import pytest
import tomli

from bakegen import tomlparse


def test_the_faster_tomli_parser_is_the_one_used() -> None:
    assert tomlparse.loads is tomli.loads
    assert tomlparse.TOMLDecodeError is tomli.TOMLDecodeError


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")
def test_same_results_and_messages_as_the_standard_library() -> None:
    import tomllib

    text = '[package]\nname = "a"\nversion = "1"\n[dependencies]\nb = { path = "../b" }\n'
    assert tomlparse.loads(text) == tomllib.loads(text)
    with pytest.raises(tomlparse.TOMLDecodeError) as ours:
        tomlparse.loads('[package]\nname = "a\n')
    with pytest.raises(tomllib.TOMLDecodeError) as stdlib:
        tomllib.loads('[package]\nname = "a\n')
    assert str(ours.value) == str(stdlib.value)
