from __future__ import annotations

import pytest

from bakegen.naming import image_name, is_valid_target, target_name


@pytest.mark.parametrize(
    ("package", "target"),
    [
        ("@acme/api", "acme-api"),
        ("router-svc", "router-svc"),
        ("a.b c", "a-b-c"),
        ("My_App", "My_App"),
        ("@@/", "service"),
        ("naïve", "na-ve"),
    ],
)
def test_target_names_are_valid_for_bake(package: str, target: str) -> None:
    assert target_name(package) == target
    assert is_valid_target(target_name(package))


def test_image_names_are_lowercase() -> None:
    assert image_name("My_App") == "my-app"
