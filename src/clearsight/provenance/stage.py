"""The provenance stage: run every reader on an image, combine the evidence, keep the record.

The record kept with the item holds everything, prompts included (they are evidence); what is
printed goes through `public`, which hides them unless an analyst asks for one item's prompts.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from clearsight.config import Settings
from clearsight.item import Item
from clearsight.provenance.charx import charx_evidence
from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, Verdict, decide, lora_record, unreadable
from clearsight.provenance.registry import READERS
from clearsight.provenance.video import video_evidence
from clearsight.sensitive import SENSITIVE_CLAIMS

log = logging.getLogger(__name__)


def collect(context: ImageContext) -> list[Evidence]:
    """Evidence from every reader; a reader that fails is reported as unreadable, never raised."""
    evidence: list[Evidence] = []
    for reader in READERS:
        try:
            evidence += reader.read(context)
        except Exception as exc:  # noqa: BLE001 - a hostile file must not stop the other readers
            log.warning("provenance reader %s failed: %s", reader.name, type(exc).__name__)
            evidence.append(unreadable(reader.name, f"internal error: {type(exc).__name__}: {exc}"))
    return evidence + context.problems


def verdict_record(verdict: Verdict) -> dict[str, Any]:
    """The `provenance` record of the scan output contract."""
    c2pa = next((e for e in verdict.evidence if e.source == "c2pa" and e.unreadable is None), None)
    return {
        "verdict": verdict.verdict,
        "strength": verdict.strength.label if verdict.strength is not None else None,
        "tool": verdict.first("tool"),
        "model": verdict.first("model"),
        "model_hash": verdict.first("model_hash"),
        "loras": [lora_record(lora) for lora in verdict.loras()],
        "c2pa": {key: c2pa.claims.get(key) for key in ("state", "digital_source_type", "signer")} if c2pa else None,
        "conflict": verdict.conflict,
        "evidence": [evidence.record() for evidence in verdict.evidence],
        "links": [],
    }


def public(record: dict[str, Any], show_prompts: bool = False) -> dict[str, Any]:
    """A stored record as it may be printed: sensitive claims moved out of sight unless asked for."""
    if show_prompts:
        return record
    out = copy.deepcopy(record)
    for evidence in out.get("evidence", []):
        claims = evidence.get("claims", {})
        hidden = sorted(set(evidence.get("hidden", [])) | {key for key in claims if key in SENSITIVE_CLAIMS})
        for key in hidden:
            claims.pop(key, None)
        if hidden:
            evidence["hidden"] = hidden
    return out


def explain(item: Item, settings: Settings) -> Verdict:
    """The verdict for one image, video or audio item."""
    if item.result.media_type in ("video", "audio"):
        return decide(video_evidence(item, settings))
    return decide(collect(ImageContext.of(item, settings)))


def read_provenance(item: Item, settings: Settings) -> None:
    """Pipeline stage: attach the provenance record to image, video and audio items, and to the
    zips that are chatbot characters (CHARX), whose card says what their pictures are."""
    if item.result.media_type in ("image", "video", "audio"):
        item.result.provenance = verdict_record(explain(item, settings))
    elif item.archive_kind == "zip" and (card := charx_evidence(item, settings)):
        item.result.provenance = verdict_record(decide(card))
