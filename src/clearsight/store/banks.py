"""Queries for hash banks: create and describe banks, import entries in bulk, export, look up.

Imports are written in batches, each its own transaction, and skip hashes the bank already
holds: an import that is killed halfway is finished by running it again, and re-importing a
newer version of a list adds only what is new. Exact matches are answered by the database's
(signal_type, value) index, so MD5/SHA lists of any size cost no memory; PDQ hashes are read
out in id order for the in-memory index (`banks.index`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from clearsight.errors import ClearsightError
from clearsight.store.bulk import chunks, reserve_ids, unnest_insert
from clearsight.store.models import Bank, BankEntry, BankHash, BankHashRemoval, BankVideoFrame
from clearsight.store.records import VIDEO_SIGNAL, BankRecord, RowError

banks_t: Table = Bank.__table__  # type: ignore[assignment]
entries_t: Table = BankEntry.__table__  # type: ignore[assignment]
hashes_t: Table = BankHash.__table__  # type: ignore[assignment]
removals_t: Table = BankHashRemoval.__table__  # type: ignore[assignment]
frames_t: Table = BankVideoFrame.__table__  # type: ignore[assignment]

IMPORT_BATCH = 20_000
"""Entries written per transaction during an import."""
LOOKUP_CHUNK = 500
"""Values per IN (...) list (SQLite allows 32,766 parameters; PostgreSQL's planner prefers fewer)."""
ANALYZE_AFTER = 100_000
"""Hashes an import must add for PostgreSQL's statistics of the bank tables to be renewed at its end."""
STREAM_ROWS = 100_000
"""Rows fetched at a time when loading an index."""
DEFAULT_PDQ_DISTANCE = 31
UNVETTED = "unvetted"
"""The classification of entries an untrusted API token added: shown on a match, never a grade."""


@dataclass
class BankInfo:
    id: int
    name: str
    source: str | None
    version: str | None
    classification: str | None
    pdq_distance: int
    allowlist: bool
    enabled: bool
    created_at: datetime
    updated_at: datetime
    entries: int = 0
    hashes: dict[str, int] = field(default_factory=dict)
    """Hash count per signal type."""
    trusted_tokens: list[str] | None = None
    """API tokens whose additions this bank takes as vetted (see `add_signals`)."""
    enabled_ratio: float = 1.0
    """The share of HMA lookups this bank answers; kept in step with `enabled` (0 exactly when disabled)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "version": self.version,
            "classification": self.classification,
            "pdq_distance": self.pdq_distance,
            "allowlist": self.allowlist,
            "enabled": self.enabled,
            "enabled_ratio": self.enabled_ratio,
            "entries": self.entries,
            "hashes": self.hashes,
            "trusted_tokens": self.trusted_tokens or [],
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass
class ImportSummary:
    entries: int = 0
    hashes: int = 0
    duplicates: int = 0
    """Hashes skipped because the bank already held them."""
    errors: list[RowError] = field(default_factory=list)


ENTRY_ENABLED = 1
"""`disable_until_ts` of an entry that matches (HMA's convention; 0 never matches, any other
value is the Unix time from which it matches again)."""


@dataclass(frozen=True)
class EntryInfo:
    """One bank entry as HMA's curation API shows it."""

    id: int
    bank: BankInfo
    note: str | None
    metadata: dict[str, Any] | None
    disable_until_ts: int
    signals: dict[str, str]


@dataclass(frozen=True)
class HashLabels:
    """What a match reports about the bank hash it hit."""

    hash_id: int
    bank_id: int
    signal_type: str
    value: str
    classification: str | None
    ref: str | None
    quality: int | None
    entry_id: int
    first_seen: date | None = None
    """When whoever listed the entry first saw it, if the list said."""
    exchange: dict[str, Any] | None = None
    """What the exchange that sent the entry said of it (`store.exchanges`), if one did."""


def _now() -> datetime:
    return datetime.now(UTC)


class BankStore:
    """The case database's hash banks."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, name: str, *, source: str | None = None, version: str | None = None, classification: str | None = None,
               pdq_distance: int = DEFAULT_PDQ_DISTANCE, allowlist: bool = False, enabled_ratio: float = 1.0) -> BankInfo:
        now = _now()
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(banks_t).values(name=name, source=source, version=version, classification=classification, pdq_distance=pdq_distance,
                                                    allowlist=allowlist, enabled=enabled_ratio > 0, enabled_ratio=enabled_ratio, created_at=now, updated_at=now))
        except IntegrityError:
            raise ClearsightError(f"a bank named {name!r} already exists") from None
        return self.get(name)

    def update(self, bank_name: str, /, **changes: Any) -> BankInfo:
        """Change a bank's settings (name, source, version, classification, pdq_distance, enabled,
        enabled_ratio, allowlist). `enabled` and `enabled_ratio` move together: a ratio of 0 is a
        disabled bank, and enabling or disabling sets the ratio to 1 or 0."""
        bank = self.get(bank_name)
        if "enabled_ratio" in changes:
            changes["enabled"] = changes["enabled_ratio"] > 0
        elif "enabled" in changes:
            changes["enabled_ratio"] = 1.0 if changes["enabled"] else 0.0
        try:
            with self.engine.begin() as conn:
                conn.execute(update(banks_t).where(banks_t.c.id == bank.id).values(**changes, updated_at=_now()))
        except IntegrityError:
            raise ClearsightError(f"a bank named {changes.get('name')!r} already exists") from None
        return self.get(changes.get("name", bank_name))

    def get(self, name: str) -> BankInfo:
        found = self.banks([name])
        if not found:
            raise ClearsightError(f"no bank named {name!r} (see `clearsight bank list`)")
        return found[0]

    def banks(self, names: Sequence[str] | None = None, with_counts: bool = True) -> list[BankInfo]:
        """Banks (all, or these names), with their entry and hash counts unless `with_counts` is False."""
        with self.engine.connect() as conn:
            query = select(banks_t).order_by(banks_t.c.name)
            if names is not None:
                query = query.where(banks_t.c.name.in_(names))
            banks = [BankInfo(**row) for row in conn.execute(query).mappings()]
            if not with_counts:
                return banks
            ids = [bank.id for bank in banks]
            counts = conn.execute(select(entries_t.c.bank_id, func.count()).where(entries_t.c.bank_id.in_(ids)).group_by(entries_t.c.bank_id))
            entry_counts: dict[int, int] = {bank_id: count for bank_id, count in counts}
            hash_counts = conn.execute(
                select(hashes_t.c.bank_id, hashes_t.c.signal_type, func.count()).where(hashes_t.c.bank_id.in_(ids)).group_by(hashes_t.c.bank_id, hashes_t.c.signal_type)
            )
            by_id = {bank.id: bank for bank in banks}
            for bank_id, signal, count in hash_counts:
                by_id[bank_id].hashes[signal] = count
            for bank in banks:
                bank.entries = entry_counts.get(bank.id, 0)
        return banks

    def delete(self, name: str) -> None:
        """Remove a bank and everything in it (running indexes drop it at their next refresh)."""
        bank = self.get(name)
        with self.engine.begin() as conn:
            log_removals(conn, hashes_t.c.bank_id == bank.id)
            conn.execute(delete(frames_t).where(frames_t.c.bank_id == bank.id))
            conn.execute(delete(hashes_t).where(hashes_t.c.bank_id == bank.id))
            conn.execute(delete(entries_t).where(entries_t.c.bank_id == bank.id))
            conn.execute(delete(banks_t).where(banks_t.c.id == bank.id))

    def import_records(self, name: str, records: Iterable[BankRecord | RowError], version: str | None = None) -> ImportSummary:
        """Add every record not already in the bank; bad rows are reported, never fatal."""
        bank = self.get(name)
        summary = ImportSummary()
        for batch in _batches(records, summary.errors):
            self._write_batch(bank, batch, summary)
        with self.engine.begin() as conn:
            conn.execute(update(banks_t).where(banks_t.c.id == bank.id).values(updated_at=_now(), **({"version": version} if version else {})))
        if summary.hashes >= ANALYZE_AFTER:
            self._renew_statistics()
        return summary

    def _renew_statistics(self) -> None:
        """PostgreSQL's planner statistics of the bank tables, renewed after a bulk load rather than
        whenever autovacuum gets to it: planned with an empty table's statistics, a matcher's
        catch-up read every hash of the signal to find the few added since its last (0.42 s a
        catch-up at a million rows, 0.04 ms once analysed). SQLite's plans do not depend on them."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.begin() as conn:
            for table in (hashes_t, entries_t):
                conn.execute(text(f"ANALYZE {table.name}"))

    def _write_batch(self, bank: BankInfo, batch: list[BankRecord], summary: ImportSummary) -> None:
        """Insert a batch's entries, then their hashes skipping those the bank holds; entries left
        with no new hash are dropped again. The unique index decides what is a duplicate, so the
        cost stays linear however stale the planner's statistics are. Rows go to the driver as
        plain tuples: SQLAlchemy's per-parameter processing took more time than the database."""
        with self.engine.begin() as conn:
            entry_rows = [(record.classification, record.ref, json.dumps(record.attributes) if record.attributes else None, record.first_seen) for record in batch]
            hash_rows = [(number, signal, value, record.quality if signal == "pdq" else None)
                         for number, record in enumerate(batch) for signal, value in record.hashes.items()]
            entry_ids, kept, inserted = insert_entries(conn, bank.id, entry_rows, hash_rows)
            frame_rows = [
                {"entry_id": entry_id, "bank_id": bank.id, "frame": int(frame[0]), "quality": int(frame[1]), "value": frame[2], "seconds": float(frame[3])}
                for record, entry_id in zip(batch, entry_ids, strict=True)
                if record.is_video and entry_id in kept
                for frame in record.frames
            ]
            if frame_rows:
                conn.execute(insert(frames_t), frame_rows)
        summary.entries += len(kept)
        summary.hashes += inserted
        summary.duplicates += len(hash_rows) - inserted

    def remove_hashes(self, name: str, values: Sequence[str], signals: Sequence[str]) -> int:
        """Remove these hash values, of any of these signal types, from a bank (entries left without
        hashes go too); how many. The types let the lookup use the (signal_type, value) index."""
        bank = self.get(name)
        removed = 0
        with self.engine.begin() as conn:
            for chunk in chunks(list(values), LOOKUP_CHUNK):
                rows = conn.execute(select(hashes_t.c.id, hashes_t.c.entry_id).where(hashes_t.c.signal_type.in_(signals), hashes_t.c.value.in_(chunk), hashes_t.c.bank_id == bank.id)).all()
                if not rows:
                    continue
                hash_ids = [row.id for row in rows]
                conn.execute(insert(removals_t), [{"hash_id": row.id, "entry_id": row.entry_id} for row in rows])
                conn.execute(delete(hashes_t).where(hashes_t.c.id.in_(hash_ids)))
                emptied = select(hashes_t.c.id).where(hashes_t.c.entry_id == entries_t.c.id).exists()
                conn.execute(delete(entries_t).where(entries_t.c.id.in_({row.entry_id for row in rows}), ~emptied))
                removed += len(rows)
        return removed

    def records(self, name: str) -> Iterator[BankRecord]:
        """The bank's entries in the order they were added, for export."""
        bank = self.get(name)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(entries_t.c.id, entries_t.c.classification, entries_t.c.ref, entries_t.c.attributes, entries_t.c.first_seen, hashes_t.c.signal_type,
                       hashes_t.c.value, hashes_t.c.quality)
                .join(hashes_t, hashes_t.c.entry_id == entries_t.c.id)
                .where(entries_t.c.bank_id == bank.id)
                .order_by(entries_t.c.id, hashes_t.c.id)
            )
            current: BankRecord | None = None
            current_id = 0
            for entry_id, classification, ref, attributes, first_seen, signal, value, quality in rows:
                if entry_id != current_id:
                    if current is not None:
                        yield self._with_frames(current, current_id)
                    current, current_id = BankRecord({}, classification, ref, None, attributes or {}, first_seen=first_seen), entry_id
                assert current is not None
                current.hashes[signal] = value
                if signal == "pdq":
                    current.quality = quality
            if current is not None:
                yield self._with_frames(current, current_id)

    def add_signals(self, name: str, hashes: dict[str, str], token: str, note: str | None = None, metadata: dict[str, Any] | None = None) -> int:
        """Add one entry with these hashes to a bank (an API client's single addition); its id, or
        the id of the entry that already holds the first of them.

        An API token is not an analyst: unless the bank trusts `token`, what it adds is labelled
        `unvetted` (so the bank's classification never grades an item automatically from it) and
        it may not add to an allowlist at all (an entry there would silence matches)."""
        bank = self.get(name)
        vetted = token in (bank.trusted_tokens or [])
        if bank.allowlist and not vetted:
            raise ClearsightError(f"bank {name!r} is an allowlist and does not trust token {token!r} "
                                  f"(an administrator can: clearsight bank set {name} --trust-token {token})")
        summary = self.import_records(name, [BankRecord(hashes, classification=None if vetted else UNVETTED)])
        signal, value = next(iter(hashes.items()))
        with self.engine.begin() as conn:
            entry_id = int(conn.execute(select(hashes_t.c.entry_id).where(hashes_t.c.bank_id == bank.id, hashes_t.c.signal_type == signal,
                                                                          hashes_t.c.value == value)).scalar_one())
            if summary.entries and (note is not None or metadata is not None):
                conn.execute(update(entries_t).where(entries_t.c.id == entry_id).values(note=note, content_metadata=metadata))
        return entry_id

    def entry(self, entry_id: int) -> EntryInfo | None:
        """One entry with its bank and hashes, None if there is none with this id."""
        with self.engine.connect() as conn:
            row = conn.execute(select(entries_t.c.bank_id, entries_t.c.note, entries_t.c.content_metadata, entries_t.c.disable_until_ts)
                               .where(entries_t.c.id == entry_id)).first()
            if row is None:
                return None
            bank = BankInfo(**conn.execute(select(banks_t).where(banks_t.c.id == row.bank_id)).mappings().one())
            signals = {row[0]: row[1] for row in conn.execute(select(hashes_t.c.signal_type, hashes_t.c.value).where(hashes_t.c.entry_id == entry_id).order_by(hashes_t.c.id))}
        return EntryInfo(entry_id, bank, row.note, row.content_metadata, row.disable_until_ts, signals)

    def update_entry(self, entry_id: int, **changes: Any) -> None:
        """Change an entry's `note` or `disable_until_ts` (matchers see it at their next refresh)."""
        with self.engine.begin() as conn:
            conn.execute(update(entries_t).where(entries_t.c.id == entry_id).values(**changes))
            conn.execute(update(banks_t).where(banks_t.c.id == entries_t.c.bank_id, entries_t.c.id == entry_id).values(updated_at=_now()))

    def remove_entry(self, name: str, entry_id: int) -> int:
        """Remove one entry of a bank with its hashes; 1 if it was there, else 0."""
        bank = self.get(name)
        with self.engine.begin() as conn:
            log_removals(conn, hashes_t.c.entry_id == entry_id)
            conn.execute(delete(frames_t).where(frames_t.c.entry_id == entry_id))
            conn.execute(delete(hashes_t).where(hashes_t.c.entry_id == entry_id))
            return conn.execute(delete(entries_t).where(entries_t.c.id == entry_id, entries_t.c.bank_id == bank.id)).rowcount

    def disabled_entries(self) -> set[int]:
        """Ids of the entries that do not match now (`disable_until_ts` 0, or a time still ahead)."""
        until = entries_t.c.disable_until_ts
        now = int(_now().timestamp())
        with self.engine.connect() as conn:
            return set(conn.execute(select(entries_t.c.id).where((until < ENTRY_ENABLED) | ((until > ENTRY_ENABLED) & (until > now)))).scalars())

    def quarantined_entries(self) -> set[int]:
        """Ids of the entries set aside after a match-rate spike, until an analyst releases them."""
        with self.engine.connect() as conn:
            return set(conn.execute(QUARANTINED_QUERY).scalars())

    def quarantine(self, counts: dict[int, int]) -> None:
        """Set these entries aside (with the matches in the hour that tripped it), unless they are already."""
        now = int(_now().timestamp())
        with self.engine.begin() as conn:
            for entry_id, matches in counts.items():
                conn.execute(update(entries_t).where(entries_t.c.id == entry_id, entries_t.c.quarantined_at.is_(None))
                             .values(quarantined_at=now, quarantine_matches=matches))

    def quarantine_list(self) -> list[dict[str, Any]]:
        """The quarantined entries, newest first, with their bank, labels and what tripped them."""
        query = (select(entries_t.c.id, banks_t.c.name, entries_t.c.ref, func.coalesce(entries_t.c.classification, banks_t.c.classification),
                        entries_t.c.quarantined_at, entries_t.c.quarantine_matches)
                 .join(banks_t, banks_t.c.id == entries_t.c.bank_id).where(entries_t.c.quarantined_at.is_not(None))
                 .order_by(entries_t.c.quarantined_at.desc(), entries_t.c.id))
        with self.engine.connect() as conn:
            return [{"entry_id": row[0], "bank": row[1], "ref": row[2], "classification": row[3], "quarantined_at": row[4], "matches_in_hour": row[5]}
                    for row in conn.execute(query)]

    def release(self, entry_id: int) -> bool:
        """Let a quarantined entry match again; False when it was not quarantined."""
        with self.engine.begin() as conn:
            return bool(conn.execute(update(entries_t).where(entries_t.c.id == entry_id, entries_t.c.quarantined_at.is_not(None))
                                     .values(quarantined_at=None, quarantine_matches=None)).rowcount)

    def hash_counts(self) -> dict[str, int]:
        """Hashes held in every bank, by signal type."""
        with self.engine.connect() as conn:
            return {signal: count for signal, count in conn.execute(select(hashes_t.c.signal_type, func.count()).group_by(hashes_t.c.signal_type))}

    def entries_page(self, name: str, after: int, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` entries of a bank with ids above `after`, each with its hashes (for paging clients)."""
        bank = self.get(name)
        with self.engine.connect() as conn:
            rows = conn.execute(select(entries_t.c.id, entries_t.c.classification, entries_t.c.ref)
                                .where(entries_t.c.bank_id == bank.id, entries_t.c.id > after).order_by(entries_t.c.id).limit(limit)).all()
            page = {row.id: {"id": row.id, "classification": row.classification or bank.classification, "ref": row.ref, "hashes": {}} for row in rows}
            for entry_id, signal, value in conn.execute(select(hashes_t.c.entry_id, hashes_t.c.signal_type, hashes_t.c.value)
                                                        .where(hashes_t.c.entry_id.in_(list(page)))):
                page[entry_id]["hashes"][signal] = value
        return list(page.values())

    def _with_frames(self, record: BankRecord, entry_id: int) -> BankRecord:
        if VIDEO_SIGNAL in record.hashes:
            record.frames = self.video_frames([entry_id]).get(entry_id, [])
        return record

    def video_frames(self, entry_ids: Sequence[int]) -> dict[int, list[list[Any]]]:
        """The frames of known videos by entry id, as `[frame, quality, pdq, seconds]` in frame order."""
        found: dict[int, list[list[Any]]] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(list(entry_ids), LOOKUP_CHUNK):
                query = (select(frames_t.c.entry_id, frames_t.c.frame, frames_t.c.quality, frames_t.c.value, frames_t.c.seconds)
                         .where(frames_t.c.entry_id.in_(chunk)).order_by(frames_t.c.id))
                for entry_id, *frame in conn.execute(query):
                    found.setdefault(entry_id, []).append(list(frame))
        return found

    def video_frames_after(self, after_id: int) -> list[tuple[int, int, int, str, float, int]]:
        """(id, bank id, entry id, value, seconds, quality) of known-video frames with ids above `after_id`."""
        query = (select(frames_t.c.id, frames_t.c.bank_id, frames_t.c.entry_id, frames_t.c.value, frames_t.c.seconds, frames_t.c.quality)
                 .where(frames_t.c.id > after_id).order_by(frames_t.c.id))
        with self.engine.connect() as conn:
            return [(row[0], row[1], row[2], row[3], row[4], row[5]) for row in conn.execute(query)]

    def entry_labels(self, entry_ids: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
        """(classification, ref) of bank entries by id, the bank's classification standing in."""
        found: dict[int, tuple[str | None, str | None]] = {}
        if not entry_ids:
            return found
        with self.engine.connect() as conn:
            for chunk in chunks(list(entry_ids), LOOKUP_CHUNK):
                query = (select(entries_t.c.id, func.coalesce(entries_t.c.classification, banks_t.c.classification), entries_t.c.ref)
                         .join(banks_t, banks_t.c.id == entries_t.c.bank_id).where(entries_t.c.id.in_(chunk)))
                found |= {entry_id: (classification, ref) for entry_id, classification, ref in conn.execute(query)}
        return found

    def exact(self, pairs: Sequence[tuple[str, str]], bank_ids: Sequence[int]) -> list[HashLabels]:
        """Bank hashes equal to any of these (signal type, value) pairs, in these banks."""
        if not pairs or not bank_ids:
            return []
        banks = set(bank_ids)
        found: list[HashLabels] = []
        with self.engine.connect() as conn:
            for chunk in chunks(list(pairs), LOOKUP_CHUNK):
                found += [labels for labels in (HashLabels(*row) for row in conn.execute(exact_query(chunk))) if labels.bank_id in banks]
        return found

    def labels(self, hash_ids: Sequence[int]) -> dict[int, HashLabels]:
        """Labels of bank hashes by id (what an index hit reports)."""
        found: dict[int, HashLabels] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(list(hash_ids), LOOKUP_CHUNK):
                for row in conn.execute(_labels_query().where(hashes_t.c.id.in_(chunk))):
                    found[row[0]] = HashLabels(*row)
        return found

    def hashes_after(self, signal: str, after_id: int) -> Iterator[tuple[Sequence[int], Sequence[int], Sequence[str]]]:
        """(ids, bank ids, values) of a signal's hashes with ids above `after_id`, in id order, in
        column chunks. Read through the driver's own cursor (a server-side one on PostgreSQL):
        building SQLAlchemy rows would double the time to load 10 million hashes."""
        with self.engine.connect() as conn:
            compiled = index_load_query(signal, after_id).compile(dialect=conn.dialect)
            params = [compiled.params[name] for name in compiled.positiontup or ()] if compiled.positional else compiled.params
            driver = conn.connection.driver_connection
            cursor = driver.cursor(name="clearsight_bank_hashes") if conn.dialect.name == "postgresql" else driver.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(str(compiled), params)
                while rows := cursor.fetchmany(STREAM_ROWS):
                    ids, banks, values = zip(*rows, strict=True)
                    yield ids, banks, values
            finally:
                cursor.close()

    def hash_value(self, hash_id: int) -> str | None:
        """The value of one bank hash; "" if it was removed (`bank remove`); None if it never existed here."""
        with self.engine.connect() as conn:
            value: str | None = conn.execute(select(hashes_t.c.value).where(hashes_t.c.id == hash_id)).scalar()
            if value is None and conn.execute(select(removals_t.c.seq).where(removals_t.c.hash_id == hash_id).limit(1)).first():
                return ""
            return value

    def removals_after(self, seq: int) -> tuple[int, list[int]]:
        """(newest removal seq, hash ids removed after `seq`)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(removals_t.c.seq, removals_t.c.hash_id).where(removals_t.c.seq > seq).order_by(removals_t.c.seq)).all()
        return (rows[-1].seq if rows else seq), [row.hash_id for row in rows]


EntryRow = tuple[str | None, str | None, str | None, date | None]
"""(classification, ref, attributes as JSON text, first seen) of an entry to insert."""
HashRow = tuple[int, str, str, int | None]
"""(number of its entry in the batch, signal type, value, quality) of a hash to insert."""


def _batches(records: Iterable[BankRecord | RowError], errors: list[RowError]) -> Iterator[list[BankRecord]]:
    """The records in lists of `IMPORT_BATCH`; the row errors among them go to `errors`."""
    batch: list[BankRecord] = []
    for record in records:
        if isinstance(record, RowError):
            errors.append(record)
            continue
        batch.append(record)
        if len(batch) >= IMPORT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_entries(conn: Connection, bank_id: int, entry_rows: list[EntryRow], hash_rows: list[HashRow]) -> tuple[list[int], set[int], int]:
    """Insert entries and their hashes, skipping hashes the bank holds already and dropping the
    entries left with none: (entry ids in row order, those kept, hashes inserted)."""
    writer = _postgresql_batch if conn.dialect.name == "postgresql" else _generic_batch
    entry_ids, kept, inserted = writer(conn, bank_id, entry_rows, hash_rows)
    for chunk in chunks([entry_id for entry_id in entry_ids if entry_id not in kept], LOOKUP_CHUNK):
        conn.execute(delete(entries_t).where(entries_t.c.id.in_(chunk)))
    return entry_ids, kept, inserted


def _generic_batch(conn: Connection, bank_id: int, entry_rows: list[EntryRow], hash_rows: list[HashRow]) -> tuple[list[int], set[int], int]:
    """(entry ids, those that got a hash, hashes inserted) with plain executemany INSERTs (SQLite).

    The entry ids are allocated here: the bank row is updated first, which takes SQLite's write
    lock, so no other writer can take the same ids before this transaction commits. (INSERT ...
    RETURNING in parameter order would run one statement per row.)
    """
    conn.execute(update(banks_t).where(banks_t.c.id == bank_id).values(updated_at=_now()))
    first = _highest_id(conn, entries_t.c.id, removals_t.c.entry_id) + 1
    entry_ids = list(range(first, first + len(entry_rows)))
    conn.exec_driver_sql("INSERT INTO bank_entries (id, bank_id, classification, ref, attributes, first_seen) VALUES (?, ?, ?, ?, ?, ?)",
                         [(entry_id, bank_id, *row) for entry_id, row in zip(entry_ids, entry_rows, strict=True)])
    first_hash = _highest_id(conn, hashes_t.c.id, removals_t.c.hash_id) + 1
    rows = [(first_hash + number, entry_ids[record], bank_id, signal, value, quality) for number, (record, signal, value, quality) in enumerate(hash_rows)]
    inserted = conn.exec_driver_sql("INSERT INTO bank_hashes (id, entry_id, bank_id, signal_type, value, quality) VALUES (?, ?, ?, ?, ?, ?) "
                                    "ON CONFLICT (signal_type, value, bank_id) DO NOTHING", rows).rowcount
    if inserted == len(rows):
        return entry_ids, set(entry_ids), inserted
    kept = select(hashes_t.c.entry_id).distinct().where(hashes_t.c.entry_id.between(entry_ids[0], entry_ids[-1]))
    return entry_ids, set(conn.execute(kept).scalars()), inserted


def _highest_id(conn: Connection, column: Any, removed: Any) -> int:
    """The highest id a table has ever handed out, removed rows included: SQLite gives a deleted
    highest rowid again, and a reused hash id would hide the new hash from running indexes (they
    read ids above their last) while the removal log takes it out of them."""
    return max(conn.execute(select(func.max(column))).scalar() or 0, conn.execute(select(func.max(removed))).scalar() or 0)


def log_removals(conn: Connection, which: Any) -> None:
    """Write the hashes about to be deleted to the removal log, so running indexes drop them."""
    conn.execute(insert(removals_t).from_select(["hash_id", "entry_id"], select(hashes_t.c.id, hashes_t.c.entry_id).where(which)))


def _postgresql_batch(conn: Connection, bank_id: int, entry_rows: list[EntryRow], hash_rows: list[HashRow]) -> tuple[list[int], set[int], int]:
    """The same with one array-parameter statement per table (`store.bulk`)."""
    entry_ids = reserve_ids(conn, "bank_entries", len(entry_rows))
    classifications, refs, attributes, first_seen = zip(*entry_rows, strict=True)
    unnest_insert(conn, "bank_entries", {"id": ("bigint", entry_ids), "classification": ("text", classifications), "ref": ("text", refs),
                                         "attributes": ("json", attributes), "first_seen": ("date", first_seen)}, {"bank_id": bank_id})
    records, signals, values, qualities = zip(*hash_rows, strict=True)
    inserted = unnest_insert(conn, "bank_hashes", {"entry_id": ("bigint", [entry_ids[record] for record in records]), "signal_type": ("text", signals),
                                                   "value": ("text", values), "quality": ("int", qualities)}, {"bank_id": bank_id},
                             "ON CONFLICT (signal_type, value, bank_id) DO NOTHING RETURNING entry_id")
    kept = list(inserted.scalars())
    return entry_ids, set(kept), len(kept)


class _NotIndexedOnSQLite(ColumnElement[Any]):
    """A column SQLite's planner may not search an index by (written `+column`, SQLite's way of
    saying so); other databases get the column as it is."""

    inherit_cache = False

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


@compiles(_NotIndexedOnSQLite)
def _as_column(element: _NotIndexedOnSQLite, compiler: Any, **options: Any) -> str:
    return str(compiler.process(element.column, **options))


@compiles(_NotIndexedOnSQLite, "sqlite")
def _unindexed(element: _NotIndexedOnSQLite, compiler: Any, **options: Any) -> str:
    return "+" + str(compiler.process(element.column, **options))


def index_load_query(signal: str, after_id: int) -> Any:
    """(id, bank id, value) of a signal's hashes with ids above `after_id`, in id order: read along
    the primary key, with no sort however many hashes there are (tests/store/test_query_plans.py).
    SQLite may not use the (signal_type, value) index here: it would walk every hash of the
    signal in it and sort them, 95 ms at a million rows for each catch-up that finds nothing new."""
    return (select(hashes_t.c.id, hashes_t.c.bank_id, hashes_t.c.value)
            .where(_NotIndexedOnSQLite(hashes_t.c.signal_type) == signal, hashes_t.c.id > after_id).order_by(hashes_t.c.id))


QUARANTINED_QUERY = select(entries_t.c.id).where(entries_t.c.quarantined_at.is_not(None))
"""The quarantined entries' ids, read through their partial index (migration 0016)."""


def exact_query(pairs: Sequence[tuple[str, str]]) -> Any:
    """The labels of bank hashes equal to these (signal type, value) pairs, in any bank.

    One `signal_type = s AND value IN (...)` per signal type, OR-ed, with the banks filtered by the
    caller: SQLite answers a row-value IN list, or these beside `bank_id IN (...)`, by walking
    every hash of the banks (947 ms an item at a million rows) instead of the (signal_type, value)
    index (tests/store/test_query_plans.py)."""
    by_signal: dict[str, list[str]] = {}
    for signal, value in pairs:
        by_signal.setdefault(signal, []).append(value)
    return _labels_query().where(or_(*(and_(hashes_t.c.signal_type == signal, hashes_t.c.value.in_(values)) for signal, values in by_signal.items())))


def _labels_query() -> Any:
    return (
        select(hashes_t.c.id, hashes_t.c.bank_id, hashes_t.c.signal_type, hashes_t.c.value,
               func.coalesce(entries_t.c.classification, banks_t.c.classification), entries_t.c.ref, hashes_t.c.quality, entries_t.c.id, entries_t.c.first_seen,
               entries_t.c.attributes["exchange"])
        .join(entries_t, entries_t.c.id == hashes_t.c.entry_id)
        .join(banks_t, banks_t.c.id == hashes_t.c.bank_id)
    )
