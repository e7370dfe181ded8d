"""A case bundle: everything known about a set of reports and their items, for a partner or a
court, in one zip: `case.json` (reports, items with hashes, provenance evidence, bank matches,
grades with their reviews, and the audit entries about them), `manifest.json` (the SHA-256 of
every other member), and the media files themselves only when asked for, each checked to be the
bytes that were scanned.

Prompts stay hidden in the bundle as on screen: the evidence lists them as hidden.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, or_, select

from clearsight.assess.audit import AuditLog, log_t
from clearsight.assess.grading import Grading
from clearsight.errors import ClearsightError
from clearsight.inert import json_text
from clearsight.item import open_regular
from clearsight.pipeline.verify import CHUNK_BYTES, file_sha256
from clearsight.provenance.stage import public
from clearsight.store.items import ItemStore, matches_t
from clearsight.store.reports import ReportStore, reports_t

BUNDLE_FORMAT = "clearsight-case-bundle/1"


def _report_ids(engine: Engine, wanted: list[int] | None) -> list[int]:
    with engine.connect() as conn:
        ids = list(conn.execute(select(reports_t.c.id).order_by(reports_t.c.id)).scalars())
    return [report_id for report_id in ids if wanted is None or report_id in wanted]


def case_document(engine: Engine, report_ids: list[int] | None = None) -> dict[str, Any]:
    """The bundle's `case.json` for these reports (every report when None)."""
    reports_store, items_store, grading = ReportStore(engine), ItemStore(engine), Grading(engine, AuditLog(engine))
    reports = [reports_store.get(report_id) for report_id in _report_ids(engine, report_ids)]
    item_ids = sorted({item_id for report in reports for item_id in report["items"]})
    items = []
    with engine.connect() as conn:
        matches = [dict(row) for row in conn.execute(select(matches_t).where(matches_t.c.item_id.in_(item_ids))).mappings()]
        subjects = [str(item_id) for item_id in item_ids] + [str(report["id"]) for report in reports]
        audit = [dict(row) for row in conn.execute(select(log_t).where(or_(log_t.c.subject.in_(subjects))).order_by(log_t.c.id)).mappings()]
    for item_id in item_ids:
        detail = items_store.item(item_id)
        if detail is None:
            continue
        items.append({"id": detail.id, "path": detail.path, "media_type": detail.media_type, "mime": detail.mime, "size": detail.size,
                      "hashes": detail.hashes, "errors": detail.errors, "vpdq": detail.vpdq,
                      "provenance": public(detail.provenance) if detail.provenance else None,
                      "matches": [match for match in matches if match["item_id"] == item_id], "grades": grading.history(item_id)})
    return {"format": BUNDLE_FORMAT, "reports": reports, "items": items, "audit": audit}


@dataclass(frozen=True)
class Bundle:
    manifest: dict[str, str]
    """Member name to SHA-256."""
    media_changed: list[dict[str, Any]]
    """Items whose files were left out because their bytes are no longer those scanned."""


def write_bundle(engine: Engine, path: Path, report_ids: list[int] | None = None, with_media: bool = False) -> Bundle:
    """Write the zip.

    With media, each file is hashed before it is packed and packed only if its bytes are still
    those that were scanned: a changed file is left out and listed in `case.json` under
    `media_changed`, so a bundle never carries bytes its hashes and grades do not describe."""
    document = case_document(engine, report_ids)
    manifest: dict[str, str] = {}
    changed: list[dict[str, Any]] = []
    try:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
            if with_media:
                changed = document["media_changed"] = _pack_media(bundle, document["items"], manifest)
            case = json_text(document, indent=1, default=str).encode()
            bundle.writestr("case.json", case)
            manifest = {"case.json": hashlib.sha256(case).hexdigest(), **manifest}
            bundle.writestr("manifest.json", json.dumps({"format": BUNDLE_FORMAT, "sha256": manifest}, indent=1))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Bundle(manifest, changed)


def _pack_media(bundle: zipfile.ZipFile, items: list[dict[str, Any]], manifest: dict[str, str]) -> list[dict[str, Any]]:
    """Stream each item's file into the bundle if it still has its recorded SHA-256; the changed ones."""
    changed = []
    for item in items:
        source, recorded = Path(item["path"]), item["hashes"].get("sha256")
        if not source.is_file() or recorded is None:
            continue
        now = file_sha256(str(source))
        if now != recorded:
            changed.append({"id": item["id"], "path": item["path"], "recorded_sha256": recorded, "sha256_now": now})
            continue
        name, digest = f"media/{item['id']}-{source.name}", hashlib.sha256()
        with open_regular(str(source)) as stream, bundle.open(name, "w", force_zip64=True) as member:
            while chunk := stream.read(CHUNK_BYTES):
                digest.update(chunk)
                member.write(chunk)
        if digest.hexdigest() != recorded:
            raise ClearsightError(f"{item['path']} changed while it was being packed; export again")
        manifest[name] = recorded
    return changed
