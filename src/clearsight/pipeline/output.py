"""The scan output contract: one record per item, as JSON Lines or CSV.

The keys are a stable interface that scripts rely on: later features add keys, never rename or
drop one. Errored items keep their row, with the hashes that could be computed.
"""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from clearsight.inert import json_text
from clearsight.item import ItemResult
from clearsight.modelfiles import inspect
from clearsight.pathnames import shown
from clearsight.provenance import stage

RECORD_KEYS = ("path", "media_type", "size", "md5", "sha1", "sha256", "pdq", "pdq_quality", "error",
               "provenance", "modelfile", "vpdq",
               "matches", "allowlist_matches", "suppressed_matches", "match_notes")
"""Top-level keys (and CSV columns) every record has; nested values are JSON text in CSV."""
MATCH_KEYS = RECORD_KEYS[RECORD_KEYS.index("matches") :]
"""Filled in by matching against the banks (see `banks.matcher.MatchReport.record`); empty lists otherwise."""


def record(result: ItemResult) -> dict[str, Any]:
    """The output record of one item; prompts and training captions are never printed here."""
    return {
        "path": shown(result.path),
        "media_type": result.media_type,
        "size": result.size,
        "md5": result.hashes.get("md5"),
        "sha1": result.hashes.get("sha1"),
        "sha256": result.hashes.get("sha256"),
        "pdq": result.hashes.get("pdq"),
        "pdq_quality": result.qualities.get("pdq"),
        "error": shown(result.error) if result.error is not None else None,
        "provenance": stage.public(result.provenance) if result.provenance is not None else None,
        "modelfile": inspect.public(result.modelfile) if result.modelfile is not None else None,
        "vpdq": {key: result.vpdq[key] for key in ("frames", "sampled_fps", "duration")} if result.vpdq is not None else None,
        **{key: [] for key in MATCH_KEYS},
    }


class RecordWriter:
    """Writes records as `jsonl` or `csv` to a text stream, flushing each so a tail -f sees them."""

    def __init__(self, stream: TextIO, fmt: str) -> None:
        self.stream = stream
        self.csv = csv.DictWriter(stream, fieldnames=RECORD_KEYS, extrasaction="ignore") if fmt == "csv" else None
        if self.csv is not None:
            self.csv.writeheader()

    def write(self, result: ItemResult, extra: dict[str, Any] | None = None) -> None:
        """Write one item's record, with `extra` keys added by later stages (match results)."""
        row = record(result) | (extra or {})
        if self.csv is not None:
            self.csv.writerow({key: json.dumps(value) if isinstance(value, (list, dict)) else value for key, value in row.items()})
        else:
            self.stream.write(json_text(row) + "\n")
        self.stream.flush()
