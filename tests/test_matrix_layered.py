from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bakegen.cli import cli
from tests.builders import SAMPLE, copy_sample


def layered(root: Path, *extra: str) -> dict:
    result = CliRunner().invoke(cli, ["matrix", str(root), "--layered", "--format", "json", *extra])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_layered_matrix_lists_bases_with_content_tags_then_services() -> None:
    data = layered(SAMPLE)
    bases = {b["target"]: b["tag"] for b in data["bases"]["include"]}
    assert set(bases) == {
        f"{eco}-{kind}-base"
        for eco in ("cargo", "node", "python")
        for kind in ("deps", "production")
    }
    for target, tag in bases.items():
        assert tag.startswith(f"ghcr.io/acme/{target}:") and len(tag.rsplit(":", 1)[1]) == 20
    assert {e["target"] for e in data["services"]["include"]} == {
        "acme-api",
        "acme-web",
        "acme-worker",
        "router-svc",
    }


def test_base_tag_follows_the_lockfile(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path)
    before = {b["target"]: b["tag"] for b in layered(repo)["bases"]["include"]}
    lock = repo / "yarn.lock"
    lock.write_text(lock.read_text() + "\n")
    assert CliRunner().invoke(cli, ["generate", str(repo)]).exit_code == 0
    after = {b["target"]: b["tag"] for b in layered(repo)["bases"]["include"]}
    changed = {t for t in before if before[t] != after[t]}
    assert changed == {"node-deps-base", "node-production-base"}


def test_layered_github_outputs(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    result = CliRunner().invoke(cli, ["matrix", str(SAMPLE), "--layered", "--github-output"])
    assert result.exit_code == 0, result.stderr
    keys = [line.split("=", 1)[0] for line in out.read_text().splitlines()]
    assert keys == ["bases", "has_bases", "matrix", "targets", "has_targets"]
