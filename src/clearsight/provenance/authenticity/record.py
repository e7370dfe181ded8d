"""The `authenticity` part of a provenance record: what supports the picture being a camera
capture, the seized cameras it links to, when it was first seen, and its JPEG encoder.

The answer to "it's just AI" is a set of findings, each with its strength and its limits; none of
them is a verdict (only a signed C2PA capture makes one `camera`). First-seen evidence depends on
the banks it matched, so it is added where the matches are known (a scan's output, `explain`,
the item page), as model-file links are, rather than stored with the item's evidence.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from clearsight.provenance.evidence import Evidence, Strength

SOURCE = "first_seen"
RANKS = {strength.label: int(strength) for strength in Strength}
LIMITS = ("a date is what the list's owner recorded; it shows that the picture existed then, not who made it or how; a match by perceptual hash "
          "(PDQ) is a near-duplicate, so an edit made later of an old picture matches it too")


def _date(value: date | str) -> date:
    """A match's first-seen date: a date from the case database, ISO text from a scan's record."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def first_seen(matches: list[dict[str, Any]], seen_here: date | None, since: date) -> tuple[dict[str, Any] | None, Evidence | None]:
    """The earliest date anyone saw the item (the matched bank entries' own dates, else the date
    this case first saw it), and strong evidence when that is before `since` (realistic image
    generators)."""
    dated = min(((_date(match["first_seen"]), match) for match in matches if match.get("first_seen")), key=lambda found: found[0], default=None)
    if dated:
        when, match = dated
        found: dict[str, Any] = {"date": when.isoformat(), "source": "bank", "bank": match["bank"], "ref": match.get("ref"),
                                 "signal": match["signal"], "distance": match["distance"]}
    elif seen_here is not None:
        when, found = seen_here, {"date": seen_here.isoformat(), "source": "case"}
    else:
        return None, None
    found |= {"predates_generators": when < since, "generators_since": since.isoformat()}
    if when >= since:
        return found, None
    where = f"bank {match['bank']}" + (f" (entry {match['ref']})" if match.get("ref") else "") if dated else "this case"
    evidence = Evidence(source=SOURCE, strength=Strength.STRONG, claims={
        "first_seen": when.isoformat(), "predates_generators": True, "supports_capture": True,
        "finding": f"first seen on {when.isoformat()} by {where}, before realistic image generators existed ({since.isoformat()})",
        "limits": LIMITS})
    return found, evidence


def authenticity(record: dict[str, Any], matches: list[dict[str, Any]], seen_here: date | None, since: date) -> dict[str, Any]:
    """The record's `authenticity` key, with first-seen evidence joined to its evidence list."""
    seen, evidence = first_seen(matches, seen_here, since)
    if evidence is not None:
        record["evidence"] = sorted([evidence.record(), *record["evidence"]], key=lambda entry: -RANKS[entry["strength"]])
    findings = [entry for entry in record["evidence"] if entry.get("claims", {}).get("supports_capture") and entry.get("unreadable") is None]
    encoder = next((entry["claims"]["encoder"] for entry in record["evidence"] if entry["source"] == "encoder" and "encoder" in entry["claims"]), None)
    return {
        "supports_capture": [{"source": entry["source"], "strength": entry["strength"], "finding": entry["claims"].get("finding")} for entry in findings],
        "camera_links": [{key: entry["claims"][key] for key in ("camera", "pce", "decision")} for entry in record["evidence"] if entry["source"] == "camera"],
        "first_seen": seen,
        "encoder": encoder,
    }


def with_authenticity(record: dict[str, Any], matches: list[dict[str, Any]], seen_here: date | None, since: date) -> dict[str, Any]:
    """A printable provenance record with its `authenticity` key (the record is changed in place)."""
    record["authenticity"] = authenticity(record, matches, seen_here, since)
    return record
