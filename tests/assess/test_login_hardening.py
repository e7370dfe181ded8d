"""Logging in resists guessing: repeated failures lock the name and the address for a doubling
delay, unknown names take as long as real ones, failed logins are nobody's activity, a password
reset logs the account out everywhere, and weak passwords and odd names are refused."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clearsight.assess.accounts import ANONYMOUS, Accounts
from clearsight.assess.credentials import check_name, check_password
from clearsight.assess.wellbeing import Wellbeing
from clearsight.config import Settings
from clearsight.errors import ClearsightError
from clearsight.store.db import open_engine
from clearsight.web.app import create_app
from clearsight.web.throttle import Backoff, LoginThrottle
from tests.cli_runner import clearsight
from tests.web_client import PASSWORD, csrf_of, log_in


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def site(db: str) -> tuple[TestClient, Clock]:
    Accounts(open_engine(db), actor="test").add("ann", "analyst", PASSWORD)
    app = create_app(Settings(db=db))
    clock = Clock()
    app.state.login_throttle = LoginThrottle(clock)
    return TestClient(app, follow_redirects=False), clock


def _attempt(client: TestClient, name: str, password: str) -> tuple[int, str | None]:
    form = client.get("/login")
    answer = client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(form.text)})
    return answer.status_code, answer.headers.get("retry-after")


def test_five_wrong_passwords_lock_the_name_for_a_doubling_delay_even_against_the_right_password(site: tuple[TestClient, Clock]) -> None:
    client, clock = site
    assert [_attempt(client, "ann", f"wrong guess {n}") for n in range(5)] == [(401, None)] * 5
    assert _attempt(client, "ann", PASSWORD) == (429, "1")
    clock.now += 1
    assert _attempt(client, "ann", "wrong guess 6") == (401, None)
    assert _attempt(client, "ann", PASSWORD) == (429, "2")  # the sixth failure locks for twice as long
    clock.now += 2
    assert _attempt(client, "ann", PASSWORD) == (303, None)
    assert [_attempt(client, "ann", "wrong again") for _ in range(4)] == [(401, None)] * 4  # a success starts the count afresh


def test_unknown_names_are_locked_as_real_ones_are(site: tuple[TestClient, Clock]) -> None:
    client, _ = site
    for _ in range(5):
        _attempt(client, "nobody", "some guess here")
    status, wait = _attempt(client, "nobody", "some guess here")
    assert status == 429 and wait == "1"


def test_one_address_guessing_at_many_names_is_locked_out_of_every_name() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock)
    for number in range(20):
        throttle.failed(f"name-{number}", "192.0.2.7")
    assert throttle.retry_after("ann", "192.0.2.7") == 1
    assert throttle.retry_after("ann", "198.51.100.9") == 0  # another address is not held back
    throttle.succeeded("name-3")
    assert throttle.retry_after("ann", "192.0.2.7") == 1  # logging in to one's own account does not clear the address


def test_the_delay_is_capped_and_forgotten_after_a_quiet_spell() -> None:
    clock = Clock()
    backoff = Backoff(free=5, base=1.0, cap=60.0, forget=600.0, clock=clock)
    for _ in range(30):
        backoff.failed("ann")
    assert backoff.retry_after("ann") == 60
    clock.now += 60 + 600
    backoff.failed("ann")
    assert backoff.retry_after("ann") == 0  # the count started again at one


def test_unknown_names_take_as_long_to_refuse_as_real_ones(db: str) -> None:
    accounts = Accounts(open_engine(db), actor="test")
    accounts.add("ann", "analyst", PASSWORD)
    accounts.authenticate("warm-up", "x")

    def median_seconds(name: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            assert accounts.authenticate(name, "not the password") is None
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    known, unknown = median_seconds("ann"), median_seconds("nobody-by-this-name")
    assert 0.5 < unknown / known < 2, (known, unknown)


def test_a_failed_login_is_audited_as_anonymous_and_does_not_end_the_named_analysts_exposure(db: str) -> None:
    engine = open_engine(db)
    accounts = Accounts(engine, actor="test")
    accounts.add("ann", "analyst", PASSWORD)
    accounts.audit.append("ann", "item.reveal", "7", {"stage": "blurred"})
    assert accounts.authenticate("ann", "someone else guessing", client="192.0.2.7") is None
    entry = accounts.audit.entries(limit=1)[0]
    assert (entry["actor"], entry["action"], entry["details"]) == (ANONYMOUS, "login.failed", {"name": "ann", "client": "192.0.2.7"})
    a_minute_later = Wellbeing(engine, accounts.audit, clock=lambda: datetime.now(UTC) + timedelta(seconds=60))
    assert a_minute_later.exposure("ann").seconds >= 59  # the reveal still counts until ann's own next action


def test_a_password_reset_or_disabling_ends_the_accounts_sessions(site: tuple[TestClient, Clock], db: str) -> None:
    client, _ = site
    log_in(client, "ann")
    assert client.get("/").status_code == 200
    accounts = Accounts(open_engine(db), actor="test")  # as `clearsight users reset` would, from another process
    accounts.reset_password("ann", "a brand new passphrase here")
    assert (client.get("/").status_code, client.get("/").headers["location"]) == (303, "/login")
    log_in(client, "ann", "a brand new passphrase here")
    accounts.set_disabled("ann", True)
    accounts.set_disabled("ann", False)
    assert client.get("/").status_code == 303  # enabling the account again revives no session


@pytest.mark.parametrize("password", ["short1!", "password123456", "Password2024!!", "qwertyuiop1234", "123456789012", "aaaaaaaaaaaabbbb",
                                      "Annabel-forever-and-ever", "x" * 1025])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ClearsightError):
        check_password(password, "annabel")


def test_a_long_uncommon_password_is_taken() -> None:
    check_password("pebble lantern orchard 42", "annabel")


@pytest.mark.parametrize("name", ["", "   ", " ann", "ann ", "an\x00n", "tab\there", "new\nline", "\u202enna", "x" * 65, "anonymous", "Auto", "cli:root",
                                  "token:hma"])
def test_empty_control_character_overlong_and_reserved_names_are_refused(name: str) -> None:
    with pytest.raises(ClearsightError):
        check_name(name)


def test_the_command_line_refuses_weak_passwords_and_bad_names(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    common = clearsight("users", "add", "dave", "--role", "analyst", "--password-stdin", "--db", db, stdin="password123456\n", check=False)
    assert common.returncode == 1 and "too common" in common.stderr
    control = clearsight("users", "add", "da\x1bve", "--role", "analyst", "--password-stdin", "--db", db, stdin=PASSWORD + "\n", check=False)
    assert control.returncode == 1 and "printable" in control.stderr
    assert clearsight("users", "list", "--db", db, "--format", "json").stdout.strip() == "[]"
