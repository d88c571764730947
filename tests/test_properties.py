"""Property tests: random workspaces of every ecosystem, hostile names, random graphs.

`scan` and `generate` either succeed or fail with a BakegenError; when `generate` succeeds,
its output is safe (see tests/dockerlint.py), the bake file reads back with python-hcl2,
and it does not depend on the order the file system lists entries in.

The default profile ("ci") runs a modest number of examples; the long run is
`HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py` (10,000 examples each).
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from bakegen.bakefile import parse_bakefiles
from bakegen.config import Config
from bakegen.errors import BakegenError
from bakegen.pipeline import Generated, generate
from bakegen.scan.repository import scan_repository
from tests.bakefile import load_bake, unquote
from tests.builders import write_tree
from tests.dockerlint import hcl_unescape, lint_files
from tests.workspaces import Spec, files, specs

# each example builds workspaces on disk: a fresh folder per example, not a fixture
PROPERTY = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@contextmanager
def workspace(spec: Spec, order: random.Random | None = None) -> Iterator[Path]:
    """The spec's files in a fresh folder, written in `order`'s shuffle when given."""
    folder = Path(tempfile.mkdtemp(prefix="bakegen-prop-"))
    try:
        root = folder / "repo"
        root.mkdir()
        items = list(files(spec).items())
        if order is not None:
            order.shuffle(items)
        for rel, text in items:
            write_tree(root, {rel: text})
        yield root
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def shuffled_listings(seed: int) -> Iterator[None]:
    """Make `os.scandir` and `os.listdir` list entries in a random order."""
    rng = random.Random(seed)
    real_scandir, real_listdir = os.scandir, os.listdir

    class _Shuffled:
        def __init__(self, path: Any) -> None:
            with real_scandir(path) as listing:
                self.entries = list(listing)
            rng.shuffle(self.entries)

        def __enter__(self) -> Iterator[os.DirEntry[str]]:
            return iter(self.entries)

        def __exit__(self, *exc: object) -> None:
            return None

        def __iter__(self) -> Iterator[os.DirEntry[str]]:
            return iter(self.entries)

    def listdir(path: Any = ".") -> list[str]:
        names = real_listdir(path)
        rng.shuffle(names)
        return names

    os.scandir = _Shuffled  # type: ignore[assignment]
    os.listdir = listdir  # type: ignore[assignment]
    try:
        yield
    finally:
        os.scandir, os.listdir = real_scandir, real_listdir


def run_generate(root: Path) -> Generated | BakegenError:
    """`generate`, with a BakegenError returned as a value; anything else propagates."""
    try:
        return generate(root)
    except BakegenError as exc:
        return exc


@PROPERTY
@given(spec=specs())
def test_scan_succeeds_or_fails_with_a_bakegen_error(spec: Spec) -> None:
    with workspace(spec) as root:
        try:
            result = scan_repository(root, Config())
        except BakegenError:
            return
        for problem in result.problems:
            assert "\n" not in problem.render()


@PROPERTY
@given(spec=specs(), seed=st.integers(0, 2**32 - 1))
def test_generate_is_safe_and_independent_of_listing_order(spec: Spec, seed: int) -> None:
    with workspace(spec) as root:
        first = run_generate(root)
        if isinstance(first, BakegenError):
            note(f"rejected: {first}")
            event("rejected with a BakegenError")
            assert str(first).strip()
            return
        event("generated")
        problems = lint_files(first.files, root)
        assert problems == [], "\n".join(problems)
        _check_bake_round_trip(first)
    with workspace(spec, random.Random(seed)) as root, shuffled_listings(seed):
        second = run_generate(root)
    assert not isinstance(second, BakegenError), str(second)
    assert second.files == first.files


@PROPERTY
@given(spec=specs(hostile=False, cycles=False))
def test_a_plain_acyclic_workspace_always_generates(spec: Spec) -> None:
    with workspace(spec) as root:
        result = run_generate(root)
        assert not isinstance(result, BakegenError), str(result)
        assert lint_files(result.files, root) == []
        assert {s.package.name for s in result.plan.services} == {
            _canonical(spec, p.name) for p in spec.packages if p.service
        }


def _canonical(spec: Spec, name: str) -> str:
    if spec.ecosystem != "python":
        return name
    from bakegen.ecosystems.python.pep import normalize_name

    return normalize_name(name)


def _check_bake_round_trip(result: Generated) -> None:
    """Every service target reads back with its package's name, literally, in its title:
    through python-hcl2, and through bakegen's own reader (used by `matrix`, `affected`)."""
    text = result.files["docker-bake.hcl"]
    bake = load_bake(text)
    ours = parse_bakefiles([("docker-bake.hcl", text)])
    for svc in result.plan.services:
        target = bake["targets"][svc.target]
        title = target["labels"]['"org.opencontainers.image.title"']
        assert hcl_unescape(unquote(title)) == svc.package.name
        labels = ours.definition(svc.target)["labels"]
        assert labels["org.opencontainers.image.title"] == svc.package.name


def test_the_long_profile_is_registered() -> None:
    assert settings.get_profile("long").max_examples >= 10_000
    assert settings.get_profile("ci").max_examples <= 200


@pytest.mark.parametrize("name", ["a${X}", 'q"uote', "back\\slash", "sp ace", "ünï☃", "%{x}"])
def test_a_hostile_node_name_round_trips(name: str, tmp_path: Path) -> None:
    from tests.workspaces import Pkg

    spec = Spec("node", "npm", (Pkg(name, "svc", (), True),))
    write_tree(tmp_path, files(spec))
    result = generate(tmp_path)
    assert lint_files(result.files, tmp_path) == []
    _check_bake_round_trip(result)
