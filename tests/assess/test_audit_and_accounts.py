"""The audit chain detects any edited or deleted entry; accounts keep argon2 hashes and tokens
only their digest; account, token and bank changes are audited."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from sqlalchemy import delete, select, update

from clearsight.assess.accounts import Accounts, token_digest
from clearsight.assess.audit import AuditLog, head_t, log_t
from clearsight.store.db import open_engine
from clearsight.store.models import ApiToken, User
from tests.cli_runner import clearsight

PASSWORD = "correct horse battery staple"


def _log(db: str, entries: int = 5) -> AuditLog:
    audit = AuditLog(open_engine(db))
    for number in range(entries):
        audit.append("tester", "test.event", f"item-{number}", {"n": number, "note": "ünïcode"})
    return audit


def test_an_untouched_chain_verifies(db: str) -> None:
    result = _log(db).verify()
    assert (result.ok, result.entries) == (True, 5)


def test_an_edited_entry_is_found(db: str) -> None:
    audit = _log(db)
    with audit.engine.begin() as conn:
        conn.execute(update(log_t).where(log_t.c.id == 3).values(subject="item-99"))
    result = audit.verify()
    assert not result.ok and any(problem.startswith("entry 3: its contents") for problem in result.problems)


def test_a_deleted_entry_is_found(db: str) -> None:
    audit = _log(db)
    with audit.engine.begin() as conn:
        conn.execute(delete(log_t).where(log_t.c.id == 2))
    assert any(problem.startswith("entry 3: does not follow") for problem in audit.verify().problems)


def test_deleting_the_newest_entries_is_found(db: str) -> None:
    audit = _log(db)
    with audit.engine.begin() as conn:
        conn.execute(delete(log_t).where(log_t.c.id >= 4))
    assert any("newest entries were deleted" in problem for problem in audit.verify().problems)
    with audit.engine.begin() as conn:
        conn.execute(delete(head_t))
        conn.execute(delete(log_t))
    assert audit.verify().ok  # an empty log is a valid (empty) chain


def test_concurrent_appends_keep_one_chain(tmp_path: Path) -> None:
    audit = AuditLog(open_engine(str(tmp_path / "case.db")))
    threads = [threading.Thread(target=lambda: [audit.append("t", "x", None, None) for _ in range(10)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = audit.verify()
    assert (result.ok, result.entries) == (True, 40)


def test_passwords_are_argon2_hashes_and_logins_are_audited(db: str) -> None:
    accounts = Accounts(open_engine(db), actor="tester")
    accounts.add("alice", "analyst", PASSWORD)
    with accounts.engine.connect() as conn:
        stored = conn.execute(select(User.__table__.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2") and PASSWORD not in stored
    assert accounts.authenticate("alice", PASSWORD) is not None
    assert accounts.authenticate("alice", "wrong password entirely") is None
    accounts.set_disabled("alice", True)
    assert accounts.authenticate("alice", PASSWORD) is None
    actions = [entry["action"] for entry in reversed(accounts.audit.entries())]
    assert actions == ["user.add", "login", "login.failed", "user.disable", "login.failed"]


def test_tokens_are_shown_once_and_stored_as_digests(db: str) -> None:
    accounts = Accounts(open_engine(db), actor="tester")
    token = accounts.add_token("hma", ["partner"])
    with accounts.engine.connect() as conn:
        assert conn.execute(select(ApiToken.__table__.c.token_hash)).scalar_one() == token_digest(token)
    assert accounts.token(token) == ("hma", ["partner"])
    accounts.revoke_token("hma")
    assert accounts.token(token) is None


def test_the_command_line_never_takes_a_password_argument_and_audits_bank_changes(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    added = clearsight("users", "add", "bob", "--role", "reviewer", "--password-stdin", "--db", db, stdin=PASSWORD + "\n")
    assert "Added reviewer bob" in added.stderr
    refused = clearsight("users", "add", "carol", "--role", "analyst", "--db", db, check=False)
    assert refused.returncode == 1 and "--password-stdin" in refused.stderr
    short = clearsight("users", "add", "dave", "--role", "analyst", "--password-stdin", "--db", db, stdin="short\n", check=False)
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    token = clearsight("tokens", "add", "platform", "--bank", "known", "--db", db).stdout.strip()
    assert len(token) >= 40 and token not in clearsight("tokens", "list", "--db", db).stdout
    clearsight("bank", "create", "known", "--db", db)
    clearsight("bank", "add", "known", "0" * 32, "--db", db)
    clearsight("bank", "export", "known", str(tmp_path / "out.csv"), "--db", db)
    actions = [entry["action"] for entry in json.loads(clearsight("audit", "show", "--db", db).stdout)]
    assert actions[:4] == ["bank.export", "bank.import", "bank.create", "token.add"]
    assert "intact" in clearsight("audit", "verify", "--db", db).stdout
    engine = open_engine(db)
    with engine.begin() as conn:
        conn.execute(update(log_t).where(log_t.c.action == "bank.create").values(actor="someone else"))
    failed = clearsight("audit", "verify", "--db", db, "--format", "json", check=False)
    assert failed.returncode == 1 and json.loads(failed.stdout)["ok"] is False
