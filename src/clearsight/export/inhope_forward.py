"""An INHOPE-style forward: the reports a hotline passes to the hotline of the hosting country,
as JSON (`schemas/inhope_forward.schema.json`, checked before it is written): each report's
fields, its lifecycle (events, times, recipients; no notes) and its items' hashes with their
confirmed grades. No media, no free text.

INHOPE's ICCAM exchange format is not public; this document carries what ICCAM's report form
asks for (URL, hosting country, site type, the assessment) in a documented, validated shape.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from sqlalchemy import Engine

from clearsight.errors import ClearsightError
from clearsight.export.forwarded import ForwardedItem, ForwardedReport, forwarded_reports

FORMAT = "clearsight-inhope-forward/1"
SCHEMA = Path(__file__).with_name("schemas") / "inhope_forward.schema.json"
HASHES = ("md5", "sha1", "sha256", "pdq")


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator: jsonschema.protocols.Validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return validator


def _time(at: datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat().replace("+00:00", "Z")


def _item(item: ForwardedItem) -> dict[str, Any]:
    grade = None if item.grade is None else {"outcome": item.grade.outcome, "uk_category": item.grade.uk_category, "age_band": item.grade.age_band,
                                             "production": item.grade.production, "ai_made": item.ai_made}
    return {"reference": str(item.id), "media_type": item.media_type,
            "hashes": {signal: value for signal, value in item.hashes.items() if signal in HASHES}, "grade": grade}


def _report(forwarded: ForwardedReport) -> dict[str, Any]:
    report = forwarded.report
    return {"reference": forwarded.reference, "url": report["url"], "domain": report["domain"], "received_at": _time(report["received_at"]),
            "site_type": report["site_type"], "web_layer": report["web_layer"], "hosting_country": report["hosting_country"],
            "commercial": report["commercial"],
            "lifecycle": [{"event": action["action"], "at": _time(action["at"]), "to": action["recipient"], "url": action["url"]}
                          for action in report["actions"]],
            "items": [_item(item) for item in forwarded.items]}


def check(document: dict[str, Any]) -> None:
    """Refuse a document that does not follow the schema, naming the first place it does not."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(document))
    if error is not None:
        raise ClearsightError(f"the forward does not follow its schema at {'/'.join(map(str, error.absolute_path)) or 'the top'}: {error.message}")


def forward_document(engine: Engine, report_ids: list[int], hotline: str) -> dict[str, Any]:
    """The forward of these reports from `hotline` (the forwarding hotline's name), checked."""
    document = {"format": FORMAT, "generated_at": _time(datetime.now(UTC)), "forwarding_hotline": hotline,
                "reports": [_report(forwarded) for forwarded in forwarded_reports(engine, report_ids)]}
    check(document)
    return document
