"""Sensitive fields are sealed at rest with a key outside the database: a copy of the database
holds no prompt or caption in the clear, the app still reads them for an analyst who reveals one,
and `keys rotate` moves every value to a new key."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from sqlalchemy import select

from clearsight.store.db import open_engine
from clearsight.store.items import ItemStore
from clearsight.store.models import ItemProvenance, MediaItem, ModelFileRecord
from clearsight.store.sealing import UNOPENED, Sealer
from tests.cli_runner import clearsight
from tests.modelfile_factory import lora
from tests.provenance_factory import png

SECRET = "a lighthouse on a cliff at dusk"


def _case(tmp_path: Path, db: str) -> int:
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "made.png").write_bytes(png({"parameters": f"{SECRET}\nNegative prompt: fog\nSteps: 20, Sampler: Euler, Seed: 1, Model: base"}))
    (folder / "shapes.safetensors").write_bytes(lora())
    clearsight("scan", str(folder), "--db", db)
    with open_engine(db).connect() as conn:
        return int(conn.execute(select(MediaItem.__table__.c.id).where(MediaItem.__table__.c.path.endswith("made.png"))).scalar_one())


def _stored(db: str) -> str:
    """Everything the database holds in its provenance and model-file records, as text."""
    with open_engine(db).connect() as conn:
        rows = [*conn.execute(select(ItemProvenance.__table__.c.record)).scalars(), *conn.execute(select(ModelFileRecord.__table__.c.record)).scalars()]
    return json.dumps(rows)


def _prompt(db: str, item_id: int) -> object:
    detail = ItemStore(open_engine(db)).item(item_id)
    assert detail is not None and detail.provenance is not None
    return detail.provenance["evidence"][0]["claims"]["prompt"]


def test_prompts_and_captions_are_sealed_in_the_database_and_open_for_the_app(db: str, tmp_path: Path) -> None:
    item_id = _case(tmp_path, db)
    stored = _stored(db)
    assert SECRET not in stored and "circle" not in stored  # the prompt, and a training caption of the LoRA
    assert '"sealed": ' in stored and '"Steps": "20"' in stored  # settings stay plain
    assert _prompt(db, item_id) == SECRET
    key_file = Sealer(open_engine(db)).path
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_without_the_key_a_sealed_value_says_so(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    item_id = _case(tmp_path, db)
    Sealer(open_engine(db)).path.rename(tmp_path / "elsewhere.key")
    assert _prompt(db, item_id) == UNOPENED


def test_keys_rotate_reseals_every_value_under_a_new_key(db: str, tmp_path: Path) -> None:
    item_id = _case(tmp_path, db)
    sealer = Sealer(open_engine(db))
    old_key, before = sealer.path.read_text(), _stored(db)
    rotated = clearsight("keys", "rotate", "--db", db)
    assert "Re-sealed 2 records" in rotated.stderr
    assert sealer.path.read_text() != old_key and len(json.loads(sealer.path.read_text())["keys"]) == 1
    after = _stored(db)
    assert after != before and SECRET not in after
    assert _prompt(db, item_id) == SECRET
    sealer.path.write_text(old_key)  # the old key opens nothing any more
    assert _prompt(db, item_id) == UNOPENED
