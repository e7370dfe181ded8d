"""Clusters are built incrementally as items arrive, on SQLite and PostgreSQL: ten near-duplicates
form one cluster named by the first of them to arrive, an unrelated picture stays alone, and a
later re-encode joins the existing cluster without anything being clustered twice."""

from __future__ import annotations

import io
from pathlib import Path

from clearsight.assess.clusters import Clusters
from clearsight.store.db import open_engine
from clearsight.store.items import ItemStore, QueueFilter
from tests.in_process_scan import scan_here
from tests.media_factory import image_bytes
from tests.web.test_clusters import _picture, _variants


def test_near_duplicates_form_one_cluster_and_later_arrivals_join_it(db: str, tmp_path: Path) -> None:
    _variants(tmp_path / "case")
    (tmp_path / "case" / "other.png").write_bytes(image_bytes("PNG", seed=3))
    scan_here(tmp_path / "case", db)
    engine = open_engine(db)
    clusters = Clusters(engine)
    assert clusters.refresh() == 11 and clusters.refresh() == 0
    ids = {Path(row["path"]).name: row["id"] for row in ItemStore(engine).queue(QueueFilter(queue="all"), "x")[0]}
    representative = min(item_id for name, item_id in ids.items() if name != "other.png")
    assert clusters.store.members(representative) == sorted(item_id for name, item_id in ids.items() if name != "other.png")
    assert clusters.store.members(ids["other.png"]) == [ids["other.png"]]
    later = tmp_path / "later"
    later.mkdir()
    buffer = io.BytesIO()
    _picture().save(buffer, "JPEG", quality=60)
    (later / "reposted.jpg").write_bytes(buffer.getvalue())
    scan_here(later, db)
    assert Clusters(engine).refresh() == 1  # a new process: the representatives are read back from the database
    newest = max(row["id"] for row in ItemStore(engine).queue(QueueFilter(queue="all"), "x")[0])
    assert clusters.store.cluster_of(newest) == representative
