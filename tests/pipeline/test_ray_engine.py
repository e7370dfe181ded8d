"""The Ray engine runs the same stages as the local one: the same folder gives the same JSON Lines
(a local Ray instance with 2 CPUs, as `--engine ray` starts without an address); an address
nobody answers at fails at once."""

from __future__ import annotations

import time
from pathlib import Path

from tests.cli_runner import clearsight
from tests.loopback import free_port
from tests.pipeline.test_scan import evidence  # noqa: F401 - the shared evidence folder fixture


def test_the_ray_engine_and_the_local_engine_give_the_same_records(evidence: Path, tmp_path: Path) -> None:  # noqa: F811
    local = clearsight("scan", str(evidence), "--db", str(tmp_path / "local.db"), "--workers", "2", "--format", "jsonl").stdout
    ray = clearsight("scan", str(evidence), "--db", str(tmp_path / "ray.db"), "--engine", "ray", "--workers", "2", "--format", "jsonl").stdout
    assert sorted(ray.splitlines()) == sorted(local.splitlines()) and len(local.splitlines()) >= 8



def test_an_unreachable_ray_address_is_refused_at_once_with_the_reason(evidence: Path, tmp_path: Path) -> None:  # noqa: F811
    port = free_port()
    started = time.monotonic()
    refused = clearsight("scan", str(evidence), "--db", str(tmp_path / "ray.db"), "--engine", "ray", "--ray-address", f"127.0.0.1:{port}", check=False)
    assert refused.returncode != 0 and f"cannot reach Ray at 127.0.0.1:{port}" in refused.stderr
    assert time.monotonic() - started < 30
