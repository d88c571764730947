"""The error base: a path field, the `path: message` text, and problems as values."""

from __future__ import annotations

from pathlib import Path

from bakegen.errors import BakegenError, Found, Problem
from bakegen.plan import PlanError


def test_an_error_at_a_path_says_path_and_message() -> None:
    message = '"name" must be a string, got 5'
    error = PlanError.at(Path("apps/api/package.json"), message)
    assert isinstance(error, PlanError)
    assert str(error) == f"apps/api/package.json: {message}"
    assert (error.path, error.message) == ("apps/api/package.json", message)
    assert error.problem() == Problem.error("apps/api/package.json", message)


def test_an_error_without_a_path_is_a_problem_of_the_repository() -> None:
    error = BakegenError("docker: not found on PATH")
    assert error.path is None and error.message == str(error) == "docker: not found on PATH"
    assert error.problem() == Problem.error(".", "docker: not found on PATH")


def test_a_path_holding_the_separator_stays_whole() -> None:
    error = BakegenError.at("odd: name/Cargo.toml", "invalid TOML")
    assert error.problem() == Problem.error("odd: name/Cargo.toml", "invalid TOML")


def test_found_carries_a_value_and_its_problems() -> None:
    warning = Problem.warning("compose.yaml", "not used")
    assert Found([1], (warning,)).problems == (warning,)
    assert Found(None).problems == ()
