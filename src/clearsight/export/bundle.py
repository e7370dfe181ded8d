"""A case bundle: everything known about a set of reports and their items, for a partner or a
court, in one zip: `case.json` (reports, items with hashes, provenance evidence, bank matches,
grades with their reviews, and the audit entries about them), `manifest.json` (the SHA-256 of
every other member), and the media files themselves only when asked for.

Prompts stay hidden in the bundle as on screen: the evidence lists them as hidden.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, or_, select

from clearsight.assess.audit import AuditLog, log_t
from clearsight.assess.grading import Grading
from clearsight.inert import json_text
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


def write_bundle(engine: Engine, path: Path, report_ids: list[int] | None = None, with_media: bool = False) -> dict[str, str]:
    """Write the zip; returns its manifest (member name to SHA-256)."""
    document = case_document(engine, report_ids)
    members: dict[str, bytes] = {"case.json": json_text(document, indent=1, default=str).encode()}
    if with_media:
        for item in document["items"]:
            source = Path(item["path"])
            if source.is_file():
                members[f"media/{item['id']}-{source.name}"] = source.read_bytes()
    manifest = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
        bundle.writestr("manifest.json", json.dumps({"format": BUNDLE_FORMAT, "sha256": manifest}, indent=1))
    return manifest
