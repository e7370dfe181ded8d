"""NCMEC's hash sharing through python-threatexchange's own client and fetch logic, against a
loopback fake of its XML API: the first fetch fills the bank, an update adds, changes and removes
(`deletedImage`) entries, many small pages arrive whole, and a refused login keeps the bank."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from threatexchange.exchanges.clients.ncmec import hash_api
from threatexchange.exchanges.impl.ncmec_api import NCMECSignalExchangeAPI

from clearsight.config import Settings
from clearsight.exchanges import feedback, manage
from clearsight.exchanges.fetch import fetch
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.exchanges import ExchangeStore
from tests.exchanges.fake_ncmec import PASSWORD, USER, FakeNcmec, NcmecState

PDQS = [f"{n:02x}" * 32 for n in range(1, 9)]
VIDEO_MD5 = "0cc175b9c0f1b6a831c399e269772661"


@pytest.fixture
def ncmec(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[NcmecState, FakeNcmec]]:
    """The fake, with the library's client pointed at it (its environments are NCMEC's URLs)."""
    state = NcmecState()
    server = FakeNcmec(state)
    real = NCMECSignalExchangeAPI.get_client

    def client(self: NCMECSignalExchangeAPI, environment: hash_api.NCMECEnvironment) -> hash_api.NCMECHashAPI:
        found = real(self, environment)
        found._base_url = server.base
        return found

    monkeypatch.setattr(NCMECSignalExchangeAPI, "get_client", client)
    yield state, server
    server.close()


def _exchange(db: str, password: str = PASSWORD) -> ExchangeStore:
    store = ExchangeStore(open_engine(db))
    manage.set_credentials(store, "ncmec", {"user": USER, "password": password})
    manage.create(store, "NCMEC", "ncmec", {"environment": "https://hashsharing.ncmec.org/npo"})
    return store


def _bank(db: str) -> dict[str, tuple[str, str | None]]:
    return {value: (signal, record.ref) for record in BankStore(open_engine(db)).records("NCMEC") for signal, value in record.hashes.items()}


def test_a_first_fetch_fills_the_bank_and_an_update_adds_changes_and_removes(db: str, ncmec: tuple[NcmecState, FakeNcmec]) -> None:
    state, _ = ncmec
    for number, pdq in enumerate(PDQS[:5]):
        state.put(f"e{number}", {"pdq": pdq, "md5": f"{number:032x}"})
    store = _exchange(db)
    assert fetch(store, "NCMEC", Settings(db=db)).error is None
    assert set(_bank(db)) == set(PDQS[:5]), "image MD5s are not a signal python-threatexchange converts; PDQs are"
    assert _bank(db)[PDQS[0]] == ("pdq", "42-e0")
    time.sleep(1.1)
    state.put("e5", {"pdq": PDQS[5]})
    state.put("e1", {"pdq": PDQS[6]})
    state.put("e2", {}, deleted=True)
    time.sleep(1.1)
    result = fetch(store, "NCMEC", Settings(db=db))
    assert result.error is None
    assert set(_bank(db)) == {PDQS[0], PDQS[3], PDQS[4], PDQS[5], PDQS[6]}


def test_many_small_pages_arrive_whole(db: str, ncmec: tuple[NcmecState, FakeNcmec]) -> None:
    state, _ = ncmec
    state.page_size = 2
    for number, pdq in enumerate(PDQS):
        state.put(f"e{number}", {"pdq": pdq})
    store = _exchange(db)
    result = fetch(store, "NCMEC", Settings(db=db))
    assert result.error is None and result.pages >= 4
    assert set(_bank(db)) == set(PDQS)


def test_a_refused_login_keeps_the_bank_with_the_reason(db: str, ncmec: tuple[NcmecState, FakeNcmec]) -> None:
    state, _ = ncmec
    state.put("e0", {"pdq": PDQS[0]})
    store = _exchange(db, password="wrong")
    result = fetch(store, "NCMEC", Settings(db=db))
    assert result.error is not None and "401" in result.error
    assert _bank(db) == {} and store.get("NCMEC").status()["last_fetch_succeeded"] is False


def test_confirm_and_dispute_are_recorded_and_sent_to_ncmec_as_votes(db: str, ncmec: tuple[NcmecState, FakeNcmec]) -> None:
    state, _ = ncmec
    state.put("e0", {"pdq": PDQS[0]})
    store = _exchange(db)
    fetch(store, "NCMEC", Settings(db=db))
    [entry_id] = store.source_keys("NCMEC").values()
    confirmed = feedback.give(store, entry_id, "confirm", "analyst-1", "seen in case 12")
    disputed = feedback.give(store, entry_id, "dispute", "analyst-2")
    assert confirmed["sent"] and disputed["sent"], (confirmed, disputed)
    assert [(member, entry, kind) for member, entry, kind, _ in state.feedback] == [("42", "e0", "PDQ"), ("42", "e0", "PDQ")]
    assert "<affirmative" in state.feedback[0][3] and "<negative" in state.feedback[1][3] and "0f9e6f3c" in state.feedback[1][3]
    assert [(row["verdict"], row["actor"], row["sent"]) for row in store.feedback(entry_id)] == [("confirm", "analyst-1", True), ("dispute", "analyst-2", True)]


def test_feedback_on_an_entry_from_no_exchange_is_recorded_only(db: str) -> None:
    banks = BankStore(open_engine(db))
    banks.create("LOCAL")
    banks.add_signals("LOCAL", {"pdq": PDQS[0]}, token="t")
    store = ExchangeStore(open_engine(db))
    [entry_id] = [row.entry_id for row in banks.exact([("pdq", PDQS[0])], [banks.get("LOCAL").id])]
    given = feedback.give(store, entry_id, "dispute", "analyst-1")
    assert given["sent"] is False and "no exchange" in given["result"]
    assert [row["verdict"] for row in store.feedback(entry_id)] == ["dispute"]
