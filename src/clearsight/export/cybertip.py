"""A report for NCMEC's CyberTipline in the XML of its Reporting API: `report.xml` (the body of
POST /submit: the incident, the reported URL, the reporter) and one `file-ITEM.xml` per
confirmed criminal item (the body of POST /fileinfo: where the file was, its hashes, its
industry classification, and the `generativeAi` annotation only for items graded as made with AI).

Every document is checked against `schemas/cybertip.xsd` before anything is written. No media is
exported: NCMEC gives a report its `reportId` at /submit and a file its `fileId` at /upload, so
the file documents carry 0 and the item's reference in their place, for the submitting tool to
replace (both are valid values of those elements' types).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from pathlib import Path

import xmlschema
from sqlalchemy import Engine

from clearsight.assess.jurisdictions import ncmec_industry
from clearsight.errors import ClearsightError
from clearsight.export.forwarded import ForwardedItem, ForwardedReport, forwarded_reports

SCHEMA = Path(__file__).with_name("schemas") / "cybertip.xsd"
INCIDENT_TYPE = "Child Pornography (possession, manufacture, and distribution)"
HASH_TYPES = {"md5": "MD5", "sha1": "SHA1", "sha256": "SHA256"}
PENDING_REPORT_ID = "0"


@dataclass(frozen=True)
class CybertipFiles:
    report: Path
    files: list[Path]


@cache
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


def _child(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, name)
    if text is not None:
        element.text = text
    return element


def report_xml(forwarded: ForwardedReport, reporter_email: str) -> ET.Element:
    report = ET.Element("report")
    summary = _child(report, "incidentSummary")
    _child(summary, "incidentType", INCIDENT_TYPE)
    at = forwarded.incident_at
    _child(summary, "incidentDateTime", (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat())
    web = _child(_child(report, "internetDetails"), "webPageIncident")
    _child(web, "url", forwarded.report["url"])
    _child(_child(_child(report, "reporter"), "reportingPerson"), "email", reporter_email)
    return report


def file_xml(forwarded: ForwardedReport, item: ForwardedItem) -> ET.Element:
    details = ET.Element("fileDetails")
    _child(details, "reportId", PENDING_REPORT_ID)
    _child(details, "fileId", f"clearsight-item-{item.id}")
    _child(details, "locationOfFile", forwarded.report["url"])
    _child(details, "fileViewedByEsp", "true")
    _child(details, "fileRelevance", "Reported")
    if item.ai_made:
        _child(_child(details, "fileAnnotations"), "generativeAi")
    industry = ncmec_industry(item.grade) if item.grade else None
    if industry:
        _child(details, "industryClassification", industry)
    for signal, hash_type in HASH_TYPES.items():
        if signal in item.hashes:
            _child(details, "originalFileHash", item.hashes[signal]).set("hashType", hash_type)
    return details


def _checked(element: ET.Element) -> bytes:
    """The document's bytes, refused with NCMEC's first objection when it is not valid."""
    error = next(_schema().iter_errors(element), None)
    if error is not None:
        raise ClearsightError(f"the CyberTipline {element.tag} document is not valid: {error.reason} at {error.path}")
    ET.indent(element)
    data: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def write_cybertip(engine: Engine, report_id: int, reporter_email: str, folder: Path) -> CybertipFiles:
    """Write the report's documents into `folder` (created); only its confirmed criminal items are reported."""
    [forwarded] = forwarded_reports(engine, [report_id])
    criminal = [item for item in forwarded.items if item.grade is not None and item.grade.outcome == "criminal"]
    if not criminal:
        raise ClearsightError(f"report {report_id} has no item with a confirmed criminal grade to report")
    documents = {"report.xml": _checked(report_xml(forwarded, reporter_email))}
    documents |= {f"file-{item.id}.xml": _checked(file_xml(forwarded, item)) for item in criminal}
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in documents.items():
        (folder / name).write_bytes(data)
    return CybertipFiles(folder / "report.xml", [folder / name for name in documents if name != "report.xml"])
