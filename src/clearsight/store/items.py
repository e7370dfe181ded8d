"""Reading scanned items for the web app: the queue (newest first, filterable) and one item's details."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Table, func, select

from clearsight.store.models import ItemErrorRecord, ItemHash, ItemProvenance, ItemVideo, MediaItem

items_t: Table = MediaItem.__table__  # type: ignore[assignment]
hashes_t: Table = ItemHash.__table__  # type: ignore[assignment]
errors_t: Table = ItemErrorRecord.__table__  # type: ignore[assignment]
provenance_t: Table = ItemProvenance.__table__  # type: ignore[assignment]
videos_t: Table = ItemVideo.__table__  # type: ignore[assignment]
PAGE = 100


@dataclass
class ItemDetail:
    id: int
    path: str
    parent_id: int | None
    media_type: str
    mime: str | None
    size: int
    hashes: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    provenance: dict[str, Any] | None = None
    vpdq: dict[str, Any] | None = None


class ItemStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def queue(self, media_type: str | None = None, verdict: str | None = None, page: int = 0) -> tuple[list[dict[str, Any]], int]:
        """(a page of items as rows for the queue, total matching); media files only, newest first."""
        query = (select(items_t.c.id, items_t.c.path, items_t.c.media_type, items_t.c.size, provenance_t.c.verdict)
                 .select_from(items_t.outerjoin(provenance_t, provenance_t.c.item_id == items_t.c.id))
                 .where(items_t.c.media_type.in_(("image", "video"))))
        if media_type:
            query = query.where(items_t.c.media_type == media_type)
        if verdict:
            query = query.where(provenance_t.c.verdict == verdict)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            rows = [dict(row) for row in conn.execute(query.order_by(items_t.c.id.desc()).limit(PAGE).offset(page * PAGE)).mappings()]
        return rows, total

    def item(self, item_id: int) -> ItemDetail | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(items_t).where(items_t.c.id == item_id)).mappings().first()
            if row is None:
                return None
            detail = ItemDetail(row["id"], row["path"], row["parent_id"], row["media_type"], row["mime"], row["size"])
            detail.hashes = {name: value for name, value in conn.execute(select(hashes_t.c.signal_type, hashes_t.c.value).where(hashes_t.c.item_id == item_id))
                             if "@" not in name}
            detail.errors = list(conn.execute(select(errors_t.c.message).where(errors_t.c.item_id == item_id)).scalars())
            detail.provenance = conn.execute(select(provenance_t.c.record).where(provenance_t.c.item_id == item_id)).scalar()
            video = conn.execute(select(videos_t.c.frames, videos_t.c.sampled_fps, videos_t.c.duration).where(videos_t.c.item_id == item_id)).first()
            if video is not None:
                detail.vpdq = {"frames": video.frames, "sampled_fps": video.sampled_fps, "duration": video.duration}
        return detail
