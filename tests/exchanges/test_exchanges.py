"""Exchanges fill banks from their sources and keep them current: a first fetch fills the bank,
an update adds, changes and removes entries, and a bad page (malformed JSON, a 5xx, a 401, a
page that never ends) leaves the bank as it was with the reason in the status. The sources are
loopback fakes speaking the real wire formats (fake_servers.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from clearsight.banks.matcher import Matcher
from clearsight.config import Settings
from clearsight.exchanges import manage
from clearsight.exchanges.fetch import fetch
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.exchanges import ExchangeStore
from tests.exchanges.fake_servers import FUNCTION_KEY, SUBSCRIPTION_KEY, FakeServer, StopNCIIState

PDQS = [f"{n:02x}" * 32 for n in range(1, 9)]
MD5 = "0cc175b9c0f1b6a831c399e269772661"


@pytest.fixture
def stopncii() -> Iterator[tuple[StopNCIIState, FakeServer]]:
    state = StopNCIIState()
    server = FakeServer(state)
    yield state, server
    server.close()


def _store(db: str) -> ExchangeStore:
    return ExchangeStore(open_engine(db))


def _bank(db: str, name: str) -> dict[str, str]:
    """The bank's hashes (value: signal) as matching sees them."""
    return {value: signal for record in BankStore(open_engine(db)).records(name) for signal, value in record.hashes.items()}


def _stopncii_exchange(db: str, server: FakeServer, name: str = "NCII") -> ExchangeStore:
    store = _store(db)
    manage.set_credentials(store, "stop_ncii", {"fetch_function_key": FUNCTION_KEY, "subscription_key": SUBSCRIPTION_KEY, "base_url_override": server.base + "/v1"})
    manage.create(store, name, "stop_ncii", {})
    return store


def test_a_first_fetch_fills_the_bank_page_by_page_and_an_update_adds_changes_and_removes(db: str, stopncii: tuple[StopNCIIState, FakeServer]) -> None:
    state, server = stopncii
    for value in PDQS[:7]:
        state.put(value)
    store = _stopncii_exchange(db, server)
    first = fetch(store, "NCII", Settings(db=db))
    assert (first.error, first.pages, first.items) == (None, 3, 7)
    assert set(_bank(db, "NCII")) == set(PDQS[:7])
    state.put(PDQS[7])
    state.put(PDQS[0], tags=("verified",))
    state.put(PDQS[1], status="Withdrawn")
    update = fetch(store, "NCII", Settings(db=db))
    assert update.error is None and update.items == 3
    assert set(_bank(db, "NCII")) == set(PDQS) - {PDQS[1]}
    status = store.get("NCII").status()
    assert status["last_fetch_succeeded"] is True and status["up_to_date"] is True and status["checkpoint_ts"] == state.clock + 1


def test_matches_carry_what_the_exchange_said_of_the_entry(db: str, stopncii: tuple[StopNCIIState, FakeServer]) -> None:
    state, server = stopncii
    state.put(PDQS[0], tags=("verified",))
    store = _stopncii_exchange(db, server)
    fetch(store, "NCII", Settings(db=db))
    [match] = Matcher(BankStore(open_engine(db))).match({"pdq": PDQS[0]}, {"pdq": 100}).matches
    exchange = match.record()["exchange"]
    assert exchange["api"] == "stop_ncii" and exchange["source_id"] == f"pdq:{PDQS[0]}"
    assert match.record()["first_seen"] == date.today().isoformat(), "first seen: the day the exchange first sent it"
    assert exchange["opinions"][0]["tags"] == ["verified"]


@pytest.mark.parametrize("failure", ["malformed", "503", "401", "hang"])
def test_a_bad_page_leaves_the_bank_as_it_was_with_the_reason(db: str, stopncii: tuple[StopNCIIState, FakeServer], failure: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    state, server = stopncii
    for value in PDQS[:3]:
        state.put(value)
    store = _stopncii_exchange(db, server)
    assert fetch(store, "NCII", Settings(db=db)).error is None
    for value in PDQS[3:]:
        state.put(value)
    state.failure, state.fail_after, state.pages_served = failure, 0, 0
    if failure == "hang":
        monkeypatch.setattr("clearsight.exchanges.fetch.PAGE_SECONDS", 2.0)
    result = fetch(store, "NCII", Settings(db=db))
    assert result.error is not None
    assert set(_bank(db, "NCII")) == set(PDQS[:3])
    status = store.get("NCII").status()
    assert status["last_fetch_succeeded"] is False and status["last_error"] == result.error and status["running_fetch_start_ts"] is None
    state.failure = None
    assert fetch(store, "NCII", Settings(db=db)).error is None
    assert set(_bank(db, "NCII")) == set(PDQS)


def test_two_fetchers_never_fetch_one_exchange_at_once(db: str, stopncii: tuple[StopNCIIState, FakeServer]) -> None:
    state, server = stopncii
    for value in PDQS:
        state.put(value)
    state.page_seconds = 0.3
    _stopncii_exchange(db, server)
    results = []
    threads = [threading.Thread(target=lambda: results.append(fetch(_store(db), "NCII", Settings(db=db)))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result.fetched for result in results) == [False, True]
    assert set(_bank(db, "NCII")) == set(PDQS)


def test_the_file_exchange_applies_a_list_as_a_diff_from_a_path_or_an_allowed_url(db: str, tmp_path: Path) -> None:
    listing = tmp_path / "list.csv"
    listing.write_text(f"md5,ref,first_seen\n{MD5},a,2015-01-01\n{MD5[::-1]},b,\n")
    store = _store(db)
    manage.create(store, "LIST", "file", {"location": str(listing)})
    assert fetch(store, "LIST", Settings(db=db)).changed == 2
    listing.write_text(f"md5,ref,first_seen\n{MD5},a,2014-01-01\n{'4a8a08f09d37b73795649038408b5f33'},c,\n")
    assert fetch(store, "LIST", Settings(db=db)).changed == 3
    records = {record.ref: record for record in BankStore(open_engine(db)).records("LIST")}
    assert set(records) == {"a", "c"} and str(records["a"].first_seen) == "2014-01-01"
    assert fetch(store, "LIST", Settings(db=db)).changed == 0, "an unchanged list changes nothing"
    server = FakeServer()
    try:
        url = server.serve_file("/lists/known.csv", f"md5,ref\n{MD5},from-url\n".encode())
        manage.create(store, "REMOTE", "file", {"location": url})
        refused = fetch(store, "REMOTE", Settings(db=db))
        assert refused.error is not None and "CLEARSIGHT_URL_FETCH_ALLOW" in refused.error
        fetched = fetch(store, "REMOTE", Settings(db=db, url_fetch_allow=("127.0.0.1/32",)))
        assert fetched.error is None and [record.ref for record in BankStore(open_engine(db)).records("REMOTE")] == ["from-url"]
    finally:
        server.close()


def test_a_file_that_cannot_be_read_keeps_the_bank(db: str, tmp_path: Path) -> None:
    listing = tmp_path / "list.json"
    listing.write_text('{"odata.metadata": "x", "value": [{"MD5": "' + MD5 + '"}]}')
    store = _store(db)
    manage.create(store, "VICS", "file", {"location": str(listing)})
    assert fetch(store, "VICS", Settings(db=db)).error is None
    listing.write_text('{"odata.metadata": "x", "value": [')
    result = fetch(store, "VICS", Settings(db=db))
    assert result.error is not None and "JSON" in result.error
    assert set(_bank(db, "VICS")) == {MD5}


def test_settings_are_checked_against_the_exchange_types_own_dataclass(db: str) -> None:
    store = _store(db)
    with pytest.raises(Exception, match="settings for a fb_threatexchange exchange"):
        manage.create(store, "TX", "fb_threatexchange", {"privacy_group": "not a number"})
    with pytest.raises(Exception, match="no exchange type"):
        manage.create(store, "X", "nonesuch", {})
