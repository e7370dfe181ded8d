"""Meta's ThreatExchange through python-threatexchange's own client, against a loopback fake of
its `threat_updates` Graph API: a first fetch fills the bank over several pages, an update adds,
changes and removes (`should_delete`) entries, and a refused token keeps the bank."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from threatexchange.exchanges.clients.fb_threatexchange.api import ThreatExchangeAPI

from clearsight.config import Settings
from clearsight.exchanges import manage
from clearsight.exchanges.fetch import fetch
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.exchanges import ExchangeStore
from tests.exchanges.fake_threatexchange import PRIVACY_GROUP, TOKEN, FakeThreatExchange, ThreatExchangeState

PDQS = [f"{n:02x}" * 32 for n in range(1, 8)]


@pytest.fixture
def threatexchange(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreatExchangeState]:
    """The fake, with the library's client pointed at it (its base is Graph API's URL)."""
    state = ThreatExchangeState()
    server = FakeThreatExchange(state)
    monkeypatch.setattr(ThreatExchangeAPI, "_TE_BASE_URL", server.base)
    yield state
    server.close()


def _exchange(db: str, token: str = TOKEN) -> ExchangeStore:
    store = ExchangeStore(open_engine(db))
    manage.set_credentials(store, "fb_threatexchange", {"api_token": token})
    manage.create(store, "TX", "fb_threatexchange", {"privacy_group": PRIVACY_GROUP})
    return store


def _bank(db: str) -> set[str]:
    return {value for record in BankStore(open_engine(db)).records("TX") for value in record.hashes.values()}


def test_a_first_fetch_fills_the_bank_and_an_update_adds_changes_and_removes(db: str, threatexchange: ThreatExchangeState) -> None:
    for pdq in PDQS[:5]:
        threatexchange.put(pdq)
    store = _exchange(db)
    first = fetch(store, "TX", Settings(db=db))
    assert first.error is None and first.pages == 3
    assert _bank(db) == set(PDQS[:5])
    threatexchange.put(PDQS[5])
    threatexchange.put(PDQS[0], tags=("reviewed",))
    threatexchange.put(PDQS[1], delete=True)
    assert fetch(store, "TX", Settings(db=db)).error is None
    assert _bank(db) == {PDQS[0], PDQS[2], PDQS[3], PDQS[4], PDQS[5]}
    [entry] = [record for record in BankStore(open_engine(db)).records("TX") if PDQS[0] in record.hashes.values()]
    assert entry.attributes["exchange"]["opinions"][0]["tags"] == ["reviewed"]


def test_a_refused_token_keeps_the_bank_with_the_reason(db: str, threatexchange: ThreatExchangeState) -> None:
    threatexchange.put(PDQS[0])
    store = _exchange(db, token="1234567890|wrong")
    result = fetch(store, "TX", Settings(db=db))
    assert result.error is not None and "400" in result.error
    assert "wrong" not in result.error and "access_token" not in result.error, "the token never reaches the status, the log or the screen"
    assert _bank(db) == set() and store.get("TX").status()["last_error"] == result.error
