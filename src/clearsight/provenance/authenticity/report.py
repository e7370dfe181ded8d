"""The authenticity report an analyst hands to police or a court: each finding about whether the
file is a camera capture, its strength, the method behind it and its known limits, with the file's
hashes. It holds no imagery and no prompts: only the authenticity evidence and the verdict's
headline are rendered, never other claims of the provenance record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from clearsight import __version__
from clearsight.pdf import html_to_pdf
from clearsight.provenance.evidence import VERDICT_HEADLINES

_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=select_autoescape(["html"]))
AUTHENTICITY_SOURCES = ("c2pa", "camera", "first_seen", "encoder", "metadata_consistency")
"""The evidence the report covers: signed capture provenance and the capture findings."""
METHODS = {
    "c2pa": "C2PA manifest validated with c2pa-python against the configured trust anchors; a trusted digitalCapture claim is the only proof of capture.",
    "camera": "Sensor fingerprint (PRNU): wavelet-denoising residuals, the maximum-likelihood fingerprint of the seized camera's reference photos, "
              "and the peak-to-correlation energy over rotations and crop offsets (Lukáš, Fridrich and Goljan 2006; Goljan, Fridrich and Filler 2009; "
              "as in prnu-python of Politecnico di Milano's ISPL).",
    "first_seen": "The earliest date recorded by a hash list the file matched (exact digest or PDQ), compared with when realistic image generators "
                  "became available.",
    "encoder": "JPEG encoder signature: quantisation and Huffman tables, marker order and EXIF structure compared with known camera and software encoders.",
    "metadata_consistency": "Cross-checks of EXIF Make and Model, MakerNote, the embedded thumbnail (by PDQ) and the capture and modification times.",
}


def report_context(path: str, hashes: dict[str, str], size: int, record: dict[str, Any]) -> dict[str, Any]:
    """What the report shows, taken from a printable provenance record with `authenticity`."""
    findings = [{"source": entry["source"], "strength": entry["strength"], "finding": entry["claims"].get("finding") or _c2pa_finding(entry),
                 "supports_capture": bool(entry["claims"].get("supports_capture") or entry["claims"].get("ai_generated") is False),
                 "checks": entry["claims"].get("checks", []), "method": METHODS.get(entry["source"], ""),
                 "limits": entry["claims"].get("limits") or entry.get("unreadable")}
                for entry in record["evidence"] if entry["source"] in AUTHENTICITY_SOURCES]
    return {"path": path, "size": size, "hashes": sorted(hashes.items()), "verdict": VERDICT_HEADLINES[record["verdict"]], "strength": record.get("strength"),
            "authenticity": record["authenticity"], "findings": findings, "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "version": __version__}


def _c2pa_finding(entry: dict[str, Any]) -> str:
    claims = entry["claims"]
    return f"C2PA manifest, state {claims.get('state', 'unknown')}, digital source type {claims.get('digital_source_type') or 'not given'}"


def to_html(context: dict[str, Any]) -> str:
    return _TEMPLATES.get_template("authenticity.html").render(**context)


def write_report(out: Path, context: dict[str, Any]) -> None:
    """Write the report as PDF (`.pdf`) or HTML (any other name)."""
    html = to_html(context)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(html_to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
