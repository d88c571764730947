from __future__ import annotations

import os

from hypothesis import settings

from tests.fakedocker import fake_docker  # noqa: F401  (a fixture for every test module)

settings.register_profile("ci", max_examples=50, deadline=None)
settings.register_profile("long", max_examples=10_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
