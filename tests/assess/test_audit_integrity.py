"""The audit trail cannot be rewritten silently: links are keyed with a secret outside the
database, an emptied trail beside grades is reported, and signed checkpoints kept elsewhere catch
what even the key holder could do."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from clearsight.assess.audit import GENESIS, AuditLog, entry_hash, head_t, log_t
from clearsight.assess.audit_key import key_file_for
from clearsight.assess.grading import Grading
from clearsight.assess.schema import Grade
from clearsight.store.db import open_engine
from clearsight.store.models import MediaItem
from tests.cli_runner import clearsight


def _log(db: str, entries: int = 5) -> AuditLog:
    audit = AuditLog(open_engine(db))
    for number in range(entries):
        audit.append("tester", "test.event", f"item-{number}", {"n": number})
    return audit


def _rechain_without_the_key(audit: AuditLog) -> None:
    """What someone who can write the database but not read the key would do to hide an edit:
    recompute every link and the head with the public recipe."""
    with audit.engine.begin() as conn:
        rows = conn.execute(select(log_t).order_by(log_t.c.id)).mappings().all()
        previous = GENESIS
        for row in rows:
            digest = entry_hash(previous, row["at"], row["actor"], row["action"], row["subject"], row["details"])
            conn.execute(update(log_t).where(log_t.c.id == row["id"]).values(prev_hash=previous, hash=digest))
            previous = digest
        conn.execute(update(head_t).values(hash=previous))


def test_the_key_lives_outside_the_database_readable_by_its_owner_only(tmp_path: Path) -> None:
    audit = _log(str(tmp_path / "case.db"), 1)
    key_file = key_file_for(audit.engine)
    assert key_file == tmp_path / "case.db.audit-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert json.loads(key_file.read_text())["key"] not in json.dumps([dict(row) for row in audit.entries()], default=str)


def test_an_edit_rechained_without_the_key_is_found(db: str) -> None:
    audit = _log(db)
    with audit.engine.begin() as conn:
        conn.execute(update(log_t).where(log_t.c.subject == "item-2").values(actor="someone else"))
    _rechain_without_the_key(audit)
    problems = audit.verify().problems
    assert len(problems) == 5 and all("it was edited, rechained or forged" in problem for problem in problems)


def test_a_forged_appended_entry_is_found(db: str) -> None:
    audit = _log(db)
    with audit.engine.begin() as conn:
        head = conn.execute(select(head_t)).mappings().one()
        at = audit.entries(1)[0]["at"]
        forged = entry_hash(head["hash"], at, "analyst", "review.confirm", "7", None)
        conn.execute(insert(log_t).values(at=at, actor="analyst", action="review.confirm", subject="7", details=None, prev_hash=head["hash"], hash=forged))
        conn.execute(update(head_t).values(hash=forged, entries=head["entries"] + 1))
    problems = audit.verify().problems
    assert problems == [f"entry {audit.entries(1)[0]['id']}: its contents do not match its hash (it was edited, rechained or forged)"]


def test_an_emptied_trail_beside_grades_is_reported(db: str) -> None:
    engine = open_engine(db)
    with engine.begin() as conn:
        conn.execute(insert(MediaItem.__table__).values(version_key="k", path="a.png", size=1, mtime_ns=0, media_type="image", first_seen=datetime(2026, 1, 1)))
        item_id = conn.execute(select(MediaItem.__table__.c.id)).scalar_one()
    audit = AuditLog(engine)
    Grading(engine, audit).grade(item_id, "ana", Grade(outcome="not_criminal"))
    with engine.begin() as conn:
        conn.execute(delete(log_t))
        conn.execute(delete(head_t))
    assert audit.verify().problems == ["the audit trail is empty but 1 grades exist: the trail was deleted"]


def test_a_trail_written_before_keys_keeps_verifying_and_is_keyed_from_then_on(tmp_path: Path) -> None:
    engine = open_engine(str(tmp_path / "old.db"))
    previous = GENESIS
    with engine.begin() as conn:  # three entries as an older Clearsight wrote them: plain SHA-256 links
        for number in range(3):
            at = datetime(2026, 1, 1 + number)
            digest = entry_hash(previous, at, "old", "old.event", str(number), None)
            conn.execute(insert(log_t).values(at=at, actor="old", action="old.event", subject=str(number), details=None, prev_hash=previous, hash=digest))
            previous = digest
        conn.execute(insert(head_t).values(id=1, hash=previous, entries=3))
    audit = AuditLog(engine)
    audit.append("new", "new.event")
    assert json.loads(key_file_for(engine).read_text())["keyed_from"] == 4
    assert audit.verify().ok
    _rechain_without_the_key(audit)
    assert len(audit.verify().problems) == 1  # the keyed fourth entry


def test_verifying_without_the_key_says_so_and_never_makes_one(tmp_path: Path) -> None:
    audit = _log(str(tmp_path / "case.db"), 2)
    key_file_for(audit.engine).unlink()
    fresh = AuditLog(audit.engine)
    assert any("no audit key at" in problem for problem in fresh.verify().problems)
    assert not key_file_for(audit.engine).exists()


def test_signed_checkpoints_catch_a_rewrite_by_the_key_holder_and_a_deleted_trail(tmp_path: Path) -> None:
    db, checkpoints, signing = str(tmp_path / "case.db"), tmp_path / "elsewhere" / "checkpoints.jsonl", tmp_path / "keys" / "audit-signing.pem"
    checkpoints.parent.mkdir()
    audit = _log(db, 3)
    clearsight("audit", "checkpoint", "--signing-key", str(signing), "--to", str(checkpoints), "--db", db)
    assert stat.S_IMODE(signing.stat().st_mode) == 0o600 and (checkpoints.parent / "checkpoints.jsonl.pub").exists()
    audit.append("tester", "test.event", "item-3")
    clearsight("audit", "checkpoint", "--signing-key", str(signing), "--to", str(checkpoints), "--db", db)
    verified = clearsight("audit", "verify", "--checkpoint", str(checkpoints), "--db", db, columns=300)
    assert "2 checkpoints checked; intact" in verified.stdout

    with audit.engine.begin() as conn:  # the key holder rewrites history and rechains it with the key
        conn.execute(update(log_t).where(log_t.c.subject == "item-1").values(actor="someone else"))
    key = bytes.fromhex(json.loads(key_file_for(audit.engine).read_text())["key"])
    with audit.engine.begin() as conn:
        previous = GENESIS
        for row in conn.execute(select(log_t).order_by(log_t.c.id)).mappings().all():
            digest = entry_hash(previous, row["at"], row["actor"], row["action"], row["subject"], row["details"], key)
            conn.execute(update(log_t).where(log_t.c.id == row["id"]).values(prev_hash=previous, hash=digest))
            previous = digest
        conn.execute(update(head_t).values(hash=previous))
    assert clearsight("audit", "verify", "--db", db).returncode == 0  # the chain alone cannot tell
    caught = clearsight("audit", "verify", "--checkpoint", str(checkpoints), "--db", db, "--format", "json", check=False)
    assert caught.returncode == 1
    assert sum("no longer has the signed hash" in problem for problem in json.loads(caught.stdout)["problems"]) == 2

    with audit.engine.begin() as conn:
        conn.execute(delete(log_t))
        conn.execute(delete(head_t))
    gone = json.loads(clearsight("audit", "verify", "--checkpoint", str(checkpoints), "--db", db, "--format", "json", check=False).stdout)
    assert sum("entries were deleted" in problem for problem in gone["problems"]) == 2


def test_an_altered_checkpoint_fails_its_signature_and_a_broken_chain_gets_none(tmp_path: Path) -> None:
    db, checkpoints, signing = str(tmp_path / "case.db"), tmp_path / "checkpoints.jsonl", tmp_path / "signing.pem"
    audit = _log(db, 2)
    clearsight("audit", "checkpoint", "--signing-key", str(signing), "--to", str(checkpoints), "--db", db)
    record = json.loads(checkpoints.read_text())
    checkpoints.write_text("Dec  2 06:00:00 host clearsight-audit-checkpoint: " + json.dumps(record | {"entries": 1}) + "\n")
    altered = json.loads(clearsight("audit", "verify", "--checkpoint", str(checkpoints), "--db", db, "--format", "json", check=False).stdout)
    assert altered["problems"] == ["checkpoint on line 1 (" + record["at"] + ", 1 entries): its signature is not valid under this public key (forged or altered)"]
    with audit.engine.begin() as conn:
        conn.execute(update(log_t).where(log_t.c.subject == "item-0").values(actor="x"))
    refused = clearsight("audit", "checkpoint", "--signing-key", str(signing), "--to", str(checkpoints), "--db", db, check=False)
    assert refused.returncode == 1 and "no checkpoint written" in refused.stderr
    assert os.path.getsize(checkpoints) > 0
