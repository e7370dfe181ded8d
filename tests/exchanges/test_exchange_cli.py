"""`clearsight exchange` as an operator runs it, and a fetch killed part way (SIGKILL) that a
restart finishes with exactly the source's entries."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator

import pytest

from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.exchanges import ExchangeStore
from tests.cli_runner import COMMAND, clearsight
from tests.exchanges.fake_servers import FUNCTION_KEY, SUBSCRIPTION_KEY, FakeServer, StopNCIIState

PDQS = [f"{n:02x}" * 32 for n in range(1, 21)]


@pytest.fixture
def stopncii() -> Iterator[tuple[StopNCIIState, FakeServer]]:
    state = StopNCIIState(page_size=2)
    server = FakeServer(state)
    yield state, server
    server.close()


def _configure(db: str, server: FakeServer) -> None:
    credentials = json.dumps({"fetch_function_key": FUNCTION_KEY, "subscription_key": SUBSCRIPTION_KEY, "base_url_override": server.base + "/v1"})
    set_ = clearsight("exchange", "credentials", "stop_ncii", "--db", db, stdin=credentials)
    assert FUNCTION_KEY not in set_.stdout + set_.stderr and SUBSCRIPTION_KEY not in set_.stdout + set_.stderr
    clearsight("exchange", "add", "NCII", "--api", "stop_ncii", "--db", db)


def _hashes(db: str) -> set[str]:
    return {value for record in BankStore(open_engine(db)).records("NCII") for value in record.hashes.values()}


def test_add_fetch_list_show_disable_and_delete(db: str, stopncii: tuple[StopNCIIState, FakeServer]) -> None:
    state, server = stopncii
    for value in PDQS[:5]:
        state.put(value)
    _configure(db, server)
    fetched = clearsight("exchange", "fetch", "NCII", "--db", db)
    assert "3 pages, 5 items" in fetched.stdout + fetched.stderr
    [listed] = json.loads(clearsight("exchange", "list", "--db", db, "--format", "json").stdout)
    assert (listed["name"], listed["api"], listed["enabled"], listed["status"]["fetched_items"]) == ("NCII", "stop_ncii", True, 5)
    shown = clearsight("exchange", "show", "NCII", "--db", db).stdout
    assert FUNCTION_KEY not in shown and SUBSCRIPTION_KEY not in shown and json.loads(shown)["status"]["last_fetch_succeeded"] is True
    clearsight("exchange", "disable", "NCII", "--db", db)
    assert json.loads(clearsight("exchange", "show", "NCII", "--db", db).stdout)["enabled"] is False
    clearsight("exchange", "delete", "NCII", "--db", db)
    assert json.loads(clearsight("exchange", "list", "--db", db, "--format", "json").stdout) == []
    assert "no bank" in clearsight("bank", "show", "NCII", "--db", db, check=False).stderr


def test_a_failed_fetch_exits_1_with_the_reason_and_keeps_the_bank(db: str, stopncii: tuple[StopNCIIState, FakeServer]) -> None:
    state, server = stopncii
    state.put(PDQS[0])
    _configure(db, server)
    clearsight("exchange", "fetch", "NCII", "--db", db)
    state.put(PDQS[1])
    state.failure = "401"
    failed = clearsight("exchange", "fetch", "NCII", "--db", db, check=False)
    assert failed.returncode == 1 and "401" in failed.stdout + failed.stderr and "as they were" in failed.stderr
    assert _hashes(db) == {PDQS[0]}


def test_a_fetch_killed_part_way_resumes_and_ends_with_exactly_the_source(db: str, stopncii: tuple[StopNCIIState, FakeServer]) -> None:
    state, server = stopncii
    for value in PDQS[:12]:
        state.put(value)
    state.page_seconds = 0.4
    _configure(db, server)
    fetcher = subprocess.Popen([*COMMAND, "exchange", "fetch", "NCII", "--db", db], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = ExchangeStore(open_engine(db))
    deadline = time.monotonic() + 60
    while store.get("NCII").fetched_items < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    fetcher.kill()
    fetcher.wait()
    assert 0 < len(_hashes(db)) < 12, "killed part way"
    for value in PDQS[12:]:
        state.put(value)
    state.put(PDQS[0], status="Withdrawn")
    state.page_seconds = 0.0
    clearsight("exchange", "fetch", "NCII", "--db", db)
    assert _hashes(db) == set(PDQS) - {PDQS[0]}
    assert store.get("NCII").status()["last_fetch_succeeded"] is True
