"""Queries for scan runs: which files are already done, saving results, and reading them back.

Saving is the atomicity boundary: every item of a task (a file and all its archive members)
is written in the same transaction as its hashes, errors and run membership, so after a kill
the database holds whole files or nothing of them, and a resumed run redoes only what is missing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, RowMapping, Table, insert, literal, or_, select, update

from clearsight.item import ItemResult
from clearsight.pathnames import raw, shown
from clearsight.store.models import ItemErrorRecord, ItemHash, ItemVideo, MediaItem, ScanRun, ScanRunItem
from clearsight.store.provenance import load_records, save_provenance
from clearsight.store.sealing import Sealer

READ_CHUNK = 1000
VARIANT_SEPARATOR = "@"
"""Hashes of transformed copies (dihedral PDQs) are kept as `pdq@rotate90` and so on, so a
resumed or repeated scan can match them again without decoding the image."""

items_t: Table = MediaItem.__table__  # type: ignore[assignment]
hashes_t: Table = ItemHash.__table__  # type: ignore[assignment]
errors_t: Table = ItemErrorRecord.__table__  # type: ignore[assignment]
runs_t: Table = ScanRun.__table__  # type: ignore[assignment]
run_items_t: Table = ScanRunItem.__table__  # type: ignore[assignment]
videos_t: Table = ItemVideo.__table__  # type: ignore[assignment]


def roots_key(roots: Sequence[str]) -> str:
    """Identity of a scan: the sorted absolute roots, so `scan a b` resumes `scan b a`."""
    canonical = json.dumps(sorted({os.path.abspath(root) for root in roots}))
    return hashlib.sha256(canonical.encode()).hexdigest()


def version_key(parent_key: str, path: str, size: int, mtime_ns: int, member: int | None = None, content: str | None = None) -> str:
    """Identity of one file version (see `models`), over the path's exact bytes (`pathnames.raw`).

    An archive member's key also has its place among its archive's results (`member`): a zip may
    hold two members of the same name, a tar the same file appended twice, and both are items.
    A file whose bytes changed while its path, size and mtime did not has their SHA-256 in its
    key (`content`), so the new bytes are a new version beside the old."""
    parts = [parent_key.encode(), raw(path), str(size).encode(), str(mtime_ns).encode()]
    if member is not None:
        parts.append(f"#{member}".encode())
    if content is not None:
        parts.append(f"sha256:{content}".encode())
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class ScanStore:
    """The scan driver's view of the case database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sealer = Sealer(engine)

    def open_run(self, roots: Sequence[str]) -> tuple[int, bool]:
        """The unfinished run over these roots, to resume, else a new run; and whether it resumed."""
        key = roots_key(roots)
        with self.engine.begin() as conn:
            unfinished = conn.execute(
                select(runs_t.c.id).where(runs_t.c.roots_key == key, runs_t.c.finished_at.is_(None)).order_by(runs_t.c.id.desc())
            ).scalar()
            if unfinished is not None:
                return unfinished, True
            absolute = sorted({shown(os.path.abspath(root)) for root in roots})
            run_id = conn.execute(insert(runs_t).values(roots_key=key, roots=absolute, started_at=_now()).returning(runs_t.c.id)).scalar_one()
            return run_id, False

    def finish_run(self, run_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(runs_t).where(runs_t.c.id == run_id).values(finished_at=_now()))

    def finished_files(self) -> dict[str, int]:
        """Version key to item id of every top-level file already recorded by any run."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(items_t.c.version_key, items_t.c.id).where(items_t.c.parent_id.is_(None)))
            return {key: item_id for key, item_id in rows}

    def sha256_of(self, item_ids: Sequence[int]) -> dict[int, str]:
        """The recorded SHA-256 of each of these items that has one."""
        found: dict[int, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(item_ids), READ_CHUNK):
                chunk = list(item_ids[start : start + READ_CHUNK])
                rows = conn.execute(select(hashes_t.c.item_id, hashes_t.c.value).where(hashes_t.c.item_id.in_(chunk), hashes_t.c.signal_type == "sha256"))
                found |= {item_id: value for item_id, value in rows}
        return found

    def run_files(self, run_id: int) -> set[int]:
        """Ids of the top-level files already in this run."""
        with self.engine.connect() as conn:
            query = (
                select(items_t.c.id)
                .join(run_items_t, run_items_t.c.item_id == items_t.c.id)
                .where(run_items_t.c.run_id == run_id, items_t.c.parent_id.is_(None))
            )
            return set(conn.execute(query).scalars())

    def link(self, run_id: int, top_ids: Sequence[int]) -> None:
        """Add already-recorded files (and their archive members) to a run without redoing them."""
        with self.engine.begin() as conn:
            for start in range(0, len(top_ids), READ_CHUNK):
                chunk = top_ids[start : start + READ_CHUNK]
                members = select(literal(run_id), items_t.c.id).where(or_(items_t.c.id.in_(chunk), items_t.c.top_id.in_(chunk)))
                conn.execute(insert(run_items_t).from_select(["run_id", "item_id"], members))

    def save(self, run_id: int, groups: Sequence[Sequence[ItemResult]]) -> list[int]:
        """Record each group (a file and its members, parents first) in one transaction.

        Returns the top-level item id of each group.
        """
        with self.engine.begin() as conn:
            return _save_groups(conn, run_id, groups, self.sealer)

    def results(self, run_id: int, top_ids: Sequence[int] | None = None) -> Iterator[ItemResult]:
        """The recorded results of a run (or of some of its files), for the scan output."""
        with self.engine.connect() as conn:
            query = select(items_t).join(run_items_t, run_items_t.c.item_id == items_t.c.id).where(run_items_t.c.run_id == run_id)
            if top_ids is not None:
                query = query.where(or_(items_t.c.id.in_(top_ids), items_t.c.top_id.in_(top_ids)))
            rows = conn.execute(query.order_by(items_t.c.id)).mappings()
            while chunk := rows.fetchmany(READ_CHUNK):
                yield from _results_for(conn, chunk, self.sealer)


def _depths(group: Sequence[ItemResult]) -> list[int]:
    depths: list[int] = []
    for result in group:
        depths.append(0 if result.parent is None else depths[result.parent] + 1)
    return depths


def _save_groups(conn: Connection, run_id: int, groups: Sequence[Sequence[ItemResult]], sealer: Sealer) -> list[int]:
    """Insert level by level so each level's parent ids are known, in a few batched statements."""
    now = _now()
    depths = [_depths(group) for group in groups]
    ids: list[list[int]] = [[0] * len(group) for group in groups]
    keys: list[list[str]] = [[""] * len(group) for group in groups]
    level = 0
    while True:
        places = [(g, i) for g, group in enumerate(groups) for i in range(len(group)) if depths[g][i] == level]
        if not places:
            break
        rows = []
        for g, i in places:
            result = groups[g][i]
            parent = result.parent
            parent_key = keys[g][parent] if parent is not None else ""
            keys[g][i] = version_key(parent_key, result.path, result.size, result.mtime_ns, i if parent is not None else None, result.changed_content)
            rows.append(
                {
                    "version_key": keys[g][i],
                    "path": shown(result.path),
                    "parent_id": ids[g][parent] if parent is not None else None,
                    "top_id": ids[g][0] if level else None,
                    "size": result.size,
                    "mtime_ns": result.mtime_ns,
                    "media_type": result.media_type,
                    "mime": result.mime,
                    "first_seen": now,
                }
            )
        new_ids = conn.execute(insert(items_t).returning(items_t.c.id, sort_by_parameter_order=True), rows).scalars().all()
        for (g, i), item_id in zip(places, new_ids, strict=True):
            ids[g][i] = item_id
        level += 1
    flat = [(ids[g][i], result) for g, group in enumerate(groups) for i, result in enumerate(group)]
    _insert_many(conn, hashes_t, [
        {"item_id": item_id, "signal_type": name, "value": value, "quality": result.qualities.get(name)}
        for item_id, result in flat
        for name, value in result.hashes.items()
    ] + [
        {"item_id": item_id, "signal_type": name + VARIANT_SEPARATOR + transform, "value": value, "quality": None}
        for item_id, result in flat
        for name, variants in result.variants.items()
        for transform, value in variants.items()
        if transform != "original"
    ])
    _insert_many(conn, errors_t, [
        {"item_id": item_id, "stage": stage, "message": shown(message)} for item_id, result in flat for stage, message in result.errors
    ])
    _insert_many(conn, run_items_t, [{"run_id": run_id, "item_id": item_id} for item_id, _ in flat])
    _insert_many(conn, videos_t, [{"item_id": item_id, **result.vpdq} for item_id, result in flat if result.vpdq is not None])
    save_provenance(conn, flat, sealer)
    return [group_ids[0] for group_ids in ids]


def _insert_many(conn: Connection, table: Table, rows: Sequence[Mapping[str, object]]) -> None:
    if rows:
        conn.execute(insert(table), rows)


def _results_for(conn: Connection, rows: Iterable[RowMapping], sealer: Sealer) -> Iterator[ItemResult]:
    """Rebuild `ItemResult`s (hashes and errors included) for a chunk of item rows."""
    by_id = {
        row["id"]: ItemResult(path=row["path"], size=row["size"], mtime_ns=row["mtime_ns"], media_type=row["media_type"], mime=row["mime"])
        for row in rows
    }
    ids = list(by_id)
    for item_id, name, value, quality in conn.execute(
        select(hashes_t.c.item_id, hashes_t.c.signal_type, hashes_t.c.value, hashes_t.c.quality).where(hashes_t.c.item_id.in_(ids))
    ):
        if VARIANT_SEPARATOR in name:
            signal, transform = name.split(VARIANT_SEPARATOR, 1)
            by_id[item_id].variants.setdefault(signal, {})[transform] = value
            continue
        by_id[item_id].hashes[name] = value
        if quality is not None:
            by_id[item_id].qualities[name] = quality
    for item_id, stage, message in conn.execute(
        select(errors_t.c.item_id, errors_t.c.stage, errors_t.c.message).where(errors_t.c.item_id.in_(ids)).order_by(errors_t.c.id)
    ):
        by_id[item_id].errors.append((stage, message))
    for item_id, frames, fps, duration, frame_hashes in conn.execute(
        select(videos_t.c.item_id, videos_t.c.frames, videos_t.c.sampled_fps, videos_t.c.duration, videos_t.c.hashes).where(videos_t.c.item_id.in_(ids))
    ):
        by_id[item_id].vpdq = {"frames": frames, "sampled_fps": fps, "duration": duration, "hashes": frame_hashes}
    provenance, modelfiles = load_records(conn, ids, sealer)
    for item_id, record in provenance.items():
        by_id[item_id].provenance = record
    for item_id, record in modelfiles.items():
        by_id[item_id].modelfile = record
    yield from by_id.values()
