from __future__ import annotations

import os

import pytest

from tests.realbuild.kit import KIT_DIR, Kit, find_kit


@pytest.fixture(scope="session")
def kit() -> Kit:
    """The real BuildKit kit; skips without one, except in CI beside ../shared/buildkit."""
    found = find_kit()
    if isinstance(found, str):
        # .ci/run brings the kit up whenever ../shared/buildkit is there: never skip silently
        if os.environ.get("CI") == "true" and KIT_DIR.is_dir():
            pytest.fail(f"CI=true but {found}: .ci/run must bring the kit up")
        pytest.skip(found)
    return found
