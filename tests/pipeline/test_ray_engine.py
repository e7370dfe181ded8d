"""The Ray engine runs the same stages as the local one: the same folder gives the same JSON Lines
(a local Ray instance with 2 CPUs, as `--engine ray` starts without an address)."""

from __future__ import annotations

from pathlib import Path

from tests.cli_runner import clearsight
from tests.pipeline.test_scan import evidence  # noqa: F401 - the shared evidence folder fixture


def test_the_ray_engine_and_the_local_engine_give_the_same_records(evidence: Path, tmp_path: Path) -> None:  # noqa: F811
    local = clearsight("scan", str(evidence), "--db", str(tmp_path / "local.db"), "--workers", "2", "--format", "jsonl").stdout
    ray = clearsight("scan", str(evidence), "--db", str(tmp_path / "ray.db"), "--engine", "ray", "--workers", "2", "--format", "jsonl").stdout
    assert sorted(ray.splitlines()) == sorted(local.splitlines()) and len(local.splitlines()) >= 8

