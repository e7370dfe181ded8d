"""Hash exchanges in the case database: their configuration, sealed credentials, checkpoints and
fetch status, and the bank entry that holds each item an exchange has sent.

A fetched page is applied in one transaction together with the checkpoint that follows it, so a
fetch killed at any moment resumes from the last page applied and re-applying a page changes
nothing (items are keyed by their id at the source). Each entry keeps the earliest date it was
seen: its source's, or the day the exchange first sent it. An item whose hashes and labels are
unchanged keeps its bank entry; a changed one gets a new entry, and a removed one goes (running
indexes drop the hashes through the removal log, as for every bank change).
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from clearsight.errors import ClearsightError
from clearsight.store.banks import DEFAULT_PDQ_DISTANCE, BankStore, EntryRow, HashRow, banks_t, entries_t, hashes_t, insert_entries, log_removals
from clearsight.store.bulk import chunks
from clearsight.store.models import Exchange, ExchangeApi, ExchangeEntry, MatchFeedback
from clearsight.store.sealing import Sealer

exchanges_t: Table = Exchange.__table__  # type: ignore[assignment]
apis_t: Table = ExchangeApi.__table__  # type: ignore[assignment]
exchange_entries_t: Table = ExchangeEntry.__table__  # type: ignore[assignment]
feedback_t: Table = MatchFeedback.__table__  # type: ignore[assignment]
VERDICTS = ("confirm", "dispute")
CHUNK = 500
DEFAULT_INTERVAL_SECONDS = 3600
LEASE_SECONDS = 600
"""How long a fetcher holds an exchange without renewing its lease (each page renews it)."""


@dataclass(frozen=True)
class SourceItem:
    """One item as an exchange describes it: its hashes (bank signal types) and labels."""

    hashes: dict[str, str]
    classification: str | None = None
    ref: str | None = None
    first_seen: date | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    """What the exchange said of it (its source id, opinions, tags), kept on the bank entry."""


@dataclass(frozen=True)
class ExchangeRow:
    id: int
    name: str
    api: str
    bank_id: int
    config: dict[str, Any]
    enabled: bool
    interval_seconds: int
    checkpoint: dict[str, Any] | None
    checkpoint_ts: int | None
    running_fetch_start_ts: int | None
    last_fetch_complete_ts: int | None
    last_fetch_succeeded: bool | None
    up_to_date: bool
    fetched_items: int
    last_error: str | None
    lease_until: int
    lease_holder: str | None

    def status(self) -> dict[str, Any]:
        """HMA's FetchStatus fields, then Clearsight's (the last error)."""
        return {"checkpoint_ts": self.checkpoint_ts, "running_fetch_start_ts": self.running_fetch_start_ts,
                "last_fetch_complete_ts": self.last_fetch_complete_ts, "last_fetch_succeeded": self.last_fetch_succeeded,
                "up_to_date": self.up_to_date, "fetched_items": self.fetched_items, "last_error": self.last_error}


def _now() -> int:
    return int(time.time())


class ExchangeStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sealer = Sealer(engine)

    # Configuration

    def create(self, name: str, api: str, config: dict[str, Any], enabled: bool = True, interval_seconds: int = DEFAULT_INTERVAL_SECONDS) -> ExchangeRow:
        """A new exchange feeding a new bank of the same name (as in HMA)."""
        bank = BankStore(self.engine).create(name, source=f"exchange {api}", pdq_distance=DEFAULT_PDQ_DISTANCE)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(exchanges_t).values(name=name, api=api, bank_id=bank.id, config=config, enabled=enabled, interval_seconds=interval_seconds,
                                                        up_to_date=False, fetched_items=0, lease_until=0))
        except IntegrityError:
            BankStore(self.engine).delete(name)
            raise ClearsightError(f"an exchange named {name!r} exists already") from None
        return self.get(name)

    def find(self, name: str) -> ExchangeRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(exchanges_t).where(exchanges_t.c.name == name)).first()
        return ExchangeRow(*row) if row is not None else None

    def get(self, name: str) -> ExchangeRow:
        found = self.find(name)
        if found is None:
            raise ClearsightError(f"no exchange named {name!r} (clearsight exchange list)")
        return found

    def rows(self) -> list[ExchangeRow]:
        with self.engine.connect() as conn:
            return [ExchangeRow(*row) for row in conn.execute(select(exchanges_t).order_by(exchanges_t.c.name))]

    def set_enabled(self, name: str, enabled: bool) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(update(exchanges_t).where(exchanges_t.c.name == name).values(enabled=enabled)).rowcount:
                raise ClearsightError(f"no exchange named {name!r} (clearsight exchange list)")

    def delete(self, name: str) -> bool:
        """Remove an exchange and the bank it fed; False when there was none."""
        row = self.find(name)
        if row is None:
            return False
        with self.engine.begin() as conn:
            conn.execute(delete(exchange_entries_t).where(exchange_entries_t.c.exchange_id == row.id))
            conn.execute(delete(exchanges_t).where(exchanges_t.c.id == row.id))
        bank = _bank_name(self.engine, row.bank_id)
        if bank is not None:
            BankStore(self.engine).delete(bank)
        return True

    # Credentials, per exchange type

    def credentials(self, api: str) -> Any | None:
        with self.engine.connect() as conn:
            token = conn.execute(select(apis_t.c.credentials).where(apis_t.c.name == api)).scalar()
        return self.sealer.open_value(token) if token else None

    def set_credentials(self, api: str, credentials: Any | None) -> None:
        token = self.sealer.seal_value(credentials) if credentials else None
        with self.engine.begin() as conn:
            if not conn.execute(update(apis_t).where(apis_t.c.name == api).values(credentials=token)).rowcount:
                conn.execute(insert(apis_t).values(name=api, credentials=token))

    # Fetching

    def take_lease(self, name: str, only_if_due: bool = False, seconds: int = LEASE_SECONDS) -> bool:
        """Take the exchange's fetch lock (one UPDATE, so two replicas cannot both win) and mark a
        fetch as running; False when another live fetcher holds it, or, with `only_if_due`, when
        its interval has not passed since the last fetch ended (a replica that saw it due just
        before another fetched it)."""
        now = _now()
        holder = self.get(name).lease_holder
        free = exchanges_t.c.lease_until <= now
        if holder is not None and _gone(holder):
            free = free | (exchanges_t.c.lease_holder == holder)
        if only_if_due:
            last = exchanges_t.c.last_fetch_complete_ts
            free = free & (last.is_(None) | (last <= now - exchanges_t.c.interval_seconds))
        with self.engine.begin() as conn:
            taken = conn.execute(update(exchanges_t).where(exchanges_t.c.name == name, free)
                                 .values(lease_until=now + seconds, lease_holder=_holder(), running_fetch_start_ts=now)).rowcount
        return bool(taken)

    def finish(self, name: str, error: str | None, up_to_date: bool) -> None:
        """End a fetch: its outcome, and the lock released."""
        with self.engine.begin() as conn:
            conn.execute(update(exchanges_t).where(exchanges_t.c.name == name).values(
                lease_until=0, lease_holder=None, running_fetch_start_ts=None, last_fetch_complete_ts=_now(), last_fetch_succeeded=error is None, last_error=error,
                **({"up_to_date": up_to_date} if error is None else {})))

    def apply(self, row: ExchangeRow, changes: dict[str, SourceItem | None], checkpoint: dict[str, Any] | None, checkpoint_ts: int | None,
              snapshot: bool = False) -> int:
        """Apply one page (None removes an item) with the checkpoint after it, in one transaction;
        with `snapshot`, the page is the whole source and items it does not list go. How many
        items changed."""
        with self.engine.begin() as conn:
            conn.execute(update(banks_t).where(banks_t.c.id == row.bank_id).values(updated_at=func.now()))  # SQLite's write lock first
            held = _held(conn, row.id, None if snapshot else list(changes))
            current = _current(conn, list(held.values()))
            gone = [key for key in held if (key not in changes if snapshot else False) or changes.get(key) is None]
            today = datetime.now(UTC).date()
            dated = {key: _dated(item, current[held[key]][3] if key in held and held[key] in current else None, today)
                     for key, item in changes.items() if item is not None}
            changed = [key for key, item in dated.items() if key not in held or current.get(held[key]) != _shape(item)]
            _drop(conn, [held[key] for key in [*gone, *changed] if key in held])
            _add(conn, row.id, row.bank_id, {key: dated[key] for key in changed})
            conn.execute(update(exchanges_t).where(exchanges_t.c.id == row.id).values(
                checkpoint=checkpoint, checkpoint_ts=checkpoint_ts, fetched_items=exchanges_t.c.fetched_items + len(changes),
                lease_until=_now() + LEASE_SECONDS))
        return len(gone) + len(changed)

    # Feedback on entries matches hit

    def source_of(self, entry_id: int) -> tuple[ExchangeRow, str, dict[str, str]] | None:
        """The exchange a bank entry came from, its key there and the entry's hashes; None for an entry no exchange sent."""
        with self.engine.connect() as conn:
            found = conn.execute(select(exchange_entries_t.c.exchange_id, exchange_entries_t.c.source_key).where(exchange_entries_t.c.entry_id == entry_id)).first()
            if found is None:
                return None
            row = conn.execute(select(exchanges_t).where(exchanges_t.c.id == found.exchange_id)).first()
            hashes = {signal: value for signal, value in conn.execute(select(hashes_t.c.signal_type, hashes_t.c.value).where(hashes_t.c.entry_id == entry_id))}
        return (ExchangeRow(*row), found.source_key, hashes) if row is not None else None

    def record_feedback(self, entry_id: int, verdict: str, actor: str, note: str | None) -> int:
        if verdict not in VERDICTS:
            raise ClearsightError(f"feedback is {' or '.join(VERDICTS)}, not {verdict!r}")
        with self.engine.begin() as conn:
            if conn.execute(select(entries_t.c.id).where(entries_t.c.id == entry_id)).first() is None:
                raise ClearsightError(f"no bank entry {entry_id}")
            found = conn.execute(insert(feedback_t).values(entry_id=entry_id, verdict=verdict, actor=actor, note=note, created_at=datetime.now(UTC),
                                                          sent=False).returning(feedback_t.c.id)).scalar_one()
        return int(found)

    def feedback_sent(self, feedback_id: int, sent: bool, result: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(feedback_t).where(feedback_t.c.id == feedback_id).values(sent=sent, send_result=result))

    def feedback(self, entry_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(select(feedback_t).where(feedback_t.c.entry_id == entry_id).order_by(feedback_t.c.id)).mappings()]

    def source_keys(self, name: str) -> dict[str, int]:
        """Every item the exchange holds, by source key, with its bank entry id."""
        row = self.get(name)
        with self.engine.connect() as conn:
            return _held(conn, row.id, None)


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(holder: str) -> bool:
    """Whether a lease holder is a process of this host that no longer runs."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _bank_name(engine: Engine, bank_id: int) -> str | None:
    with engine.connect() as conn:
        name: str | None = conn.execute(select(banks_t.c.name).where(banks_t.c.id == bank_id)).scalar()
    return name


def _dated(item: SourceItem, stored: date | None, today: date) -> SourceItem:
    """The item with the earliest first-seen date known: the source's, the one already stored, or
    (for an item new to the bank with no date of its own) the day the exchange first sent it."""
    first = min((when for when in (stored, item.first_seen) if when is not None), default=today)
    return item if first == item.first_seen else replace(item, first_seen=first)


def _shape(item: SourceItem) -> tuple[Any, ...]:
    """What decides whether an item changed: its hashes and labels."""
    return (tuple(sorted(item.hashes.items())), item.classification, item.ref, item.first_seen, item.attributes or None)


def _held(conn: Connection, exchange_id: int, keys: Sequence[str] | None) -> dict[str, int]:
    """Source key to entry id, for these keys (every key when None)."""
    query = select(exchange_entries_t.c.source_key, exchange_entries_t.c.entry_id).where(exchange_entries_t.c.exchange_id == exchange_id)
    if keys is None:
        return {key: entry_id for key, entry_id in conn.execute(query)}
    found: dict[str, int] = {}
    for chunk in chunks(keys, CHUNK):
        found |= {key: entry_id for key, entry_id in conn.execute(query.where(exchange_entries_t.c.source_key.in_(chunk)))}
    return found


def _current(conn: Connection, entry_ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """The shape (`_shape`) of each of these entries as stored."""
    labels: dict[int, tuple[Any, ...]] = {}
    hashes: dict[int, dict[str, str]] = {}
    for chunk in chunks(entry_ids, CHUNK):
        for entry_id, classification, ref, first_seen, attributes in conn.execute(
                select(entries_t.c.id, entries_t.c.classification, entries_t.c.ref, entries_t.c.first_seen, entries_t.c.attributes)
                .where(entries_t.c.id.in_(chunk))):
            labels[entry_id] = (classification, ref, first_seen, attributes or None)
        for entry_id, signal, value in conn.execute(select(hashes_t.c.entry_id, hashes_t.c.signal_type, hashes_t.c.value).where(hashes_t.c.entry_id.in_(chunk))):
            hashes.setdefault(entry_id, {})[signal] = value
    return {entry_id: (tuple(sorted(hashes.get(entry_id, {}).items())), *label) for entry_id, label in labels.items()}


def _drop(conn: Connection, entry_ids: list[int]) -> None:
    """Delete these bank entries with their hashes (through the removal log) and source keys."""
    for chunk in chunks(entry_ids, CHUNK):
        log_removals(conn, hashes_t.c.entry_id.in_(chunk))
        conn.execute(delete(hashes_t).where(hashes_t.c.entry_id.in_(chunk)))
        conn.execute(delete(exchange_entries_t).where(exchange_entries_t.c.entry_id.in_(chunk)))
        conn.execute(delete(entries_t).where(entries_t.c.id.in_(chunk)))


def _add(conn: Connection, exchange_id: int, bank_id: int, items: dict[str, SourceItem]) -> None:
    for batch in chunks(list(items), CHUNK):
        entry_rows: list[EntryRow] = [_entry_row(items[key]) for key in batch]
        hash_rows: list[HashRow] = [(number, signal, value, None) for number, key in enumerate(batch) for signal, value in items[key].hashes.items()]
        if not hash_rows:
            continue
        entry_ids, kept, _ = insert_entries(conn, bank_id, entry_rows, hash_rows)
        mapped = [{"exchange_id": exchange_id, "source_key": key, "entry_id": entry_id} for key, entry_id in zip(batch, entry_ids, strict=True) if entry_id in kept]
        if mapped:
            conn.execute(insert(exchange_entries_t), mapped)


def _entry_row(item: SourceItem) -> EntryRow:
    return (item.classification, item.ref, json.dumps(item.attributes) if item.attributes else None, item.first_seen)

