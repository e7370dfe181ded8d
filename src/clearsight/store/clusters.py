"""Near-duplicate clusters in the case database: which items are clustered, the representatives,
and the members of a cluster. The clustering itself is `assess.clusters`'."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, Table, insert, select

from clearsight.store.grades import items_t
from clearsight.store.models import ItemCluster, ItemHash

clusters_t: Table = ItemCluster.__table__  # type: ignore[assignment]
hashes_t: Table = ItemHash.__table__  # type: ignore[assignment]
BATCH = 5_000


class ClusterStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def representatives(self) -> tuple[list[int], list[str]]:
        """(item ids, PDQ hex) of every cluster's representative."""
        query = (select(clusters_t.c.item_id, hashes_t.c.value).join(hashes_t, (hashes_t.c.item_id == clusters_t.c.item_id) & (hashes_t.c.signal_type == "pdq"))
                 .where(clusters_t.c.cluster_id == clusters_t.c.item_id).order_by(clusters_t.c.item_id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [row[0] for row in rows], [row[1] for row in rows]

    def unclustered(self, after: int, limit: int = BATCH) -> list[tuple[int, str]]:
        """(item id, PDQ hex) of images above id `after` with a PDQ and no cluster yet, in id order."""
        # `signal_type || ''`: read along the primary key from `after`, not through the index of
        # every PDQ value (which SQLite otherwise picks, and which grows with the case).
        query = (select(hashes_t.c.item_id, hashes_t.c.value).join(items_t, items_t.c.id == hashes_t.c.item_id)
                 .where(hashes_t.c.signal_type.concat("") == "pdq", hashes_t.c.item_id > after, items_t.c.media_type == "image",
                        ~select(clusters_t.c.item_id).where(clusters_t.c.item_id == hashes_t.c.item_id).exists())
                 .order_by(hashes_t.c.item_id).limit(limit))
        with self.engine.connect() as conn:
            return [(item_id, value) for item_id, value in conn.execute(query)]

    def save(self, rows: Sequence[tuple[int, int, int]]) -> None:
        """Record (item id, cluster id, distance) assignments."""
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(clusters_t), [{"item_id": item_id, "cluster_id": cluster, "distance": distance} for item_id, cluster, distance in rows])

    def members(self, cluster_id: int) -> list[int]:
        """The items of a cluster, its representative first."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(clusters_t.c.item_id).where(clusters_t.c.cluster_id == cluster_id)
                                     .order_by((clusters_t.c.item_id != cluster_id), clusters_t.c.item_id)).scalars())

    def cluster_of(self, item_id: int) -> int | None:
        with self.engine.connect() as conn:
            found: int | None = conn.execute(select(clusters_t.c.cluster_id).where(clusters_t.c.item_id == item_id)).scalar()
        return found
