"""Project VIC VICS JSON, versions 1.x (`odata.metadata`) and 2.0 (`@odata.context`).

Both wrap Media records in OData: either `value` holds Cases that hold `Media`, or `value` holds
Media directly. A Media record has `MD5`, `SHA1`, an integer `Category` and, in 2.0,
`AlternativeHashes` (PDQ among them). Real exports give booleans and numbers as strings
("true", "1"), hashes in upper case, and start with a UTF-8 BOM; all of that is accepted.
Categories are kept as `vics:<n>` so they are not confused with other schemes' labels.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, TextIO

from clearsight.banks.formats.base import ExportContext, FormatError, ReadOptions, loads
from clearsight.banks.records import earliest_date, normalize_hash, optional_text, parse_quality, whole_number
from clearsight.store.records import BankRecord, RowError

CONTEXT_2_0 = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media"
CATEGORY_PREFIX = "vics:"
KEPT_FIELDS = ("MediaID", "MediaSize", "Series", "Tags", "IsPrecategorized", "IsDistributed", "VictimIdentified", "DateUpdated", "RelativeFilePath")
"""Media fields carried through to an export unchanged."""
DATE_FIELDS = ("DateFirstSeen", "DateAdded", "DateUpdated")
"""Dates by which the list's owner knew the item (an update of a record means it existed then)."""


def _field(record: dict[str, Any], name: str) -> Any:
    """A field by name, case-insensitively (exports disagree on `Md5` / `MD5`)."""
    if name in record:
        return record[name]
    lowered = name.lower()
    return next((value for key, value in record.items() if key.lower() == lowered), None)


def _alternative_hashes(media: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(hash name lower-cased, value, quality) of each AlternativeHashes element."""
    for alternative in _field(media, "AlternativeHashes") or []:
        if isinstance(alternative, dict):
            name = optional_text(_field(alternative, "HashName") or _field(alternative, "Name") or _field(alternative, "Type"))
            value = optional_text(_field(alternative, "HashValue") or _field(alternative, "Value"))
            if name and value:
                yield name.lower(), value, _field(alternative, "Quality")


def _record(media: dict[str, Any]) -> BankRecord:
    hashes: dict[str, str] = {}
    quality = None
    for signal in ("md5", "sha1", "sha256"):
        value = optional_text(_field(media, signal))
        if value:
            hashes[signal] = normalize_hash(signal, value)
    for name, value, alt_quality in _alternative_hashes(media):
        signal = name.replace("-", "")
        if signal in ("pdq", "sha256", "sha1", "md5"):
            hashes[signal] = normalize_hash(signal, value)
            if signal == "pdq":
                quality = parse_quality(alt_quality)
    if not hashes:
        raise ValueError("Media record has no MD5, SHA1 or PDQ")
    category = optional_text(_field(media, "Category"))
    if category is not None:
        category = CATEGORY_PREFIX + str(whole_number(category))
    kept = {name: _field(media, name) for name in KEPT_FIELDS if _field(media, name) is not None}
    ref = optional_text(_field(media, "MediaID"))
    return BankRecord(hashes, category, ref, quality, {"vics": kept} if kept else {}, first_seen=earliest_date(_field(media, name) for name in DATE_FIELDS))


def _media_records(document: Any) -> Iterator[Any]:
    values = _field(document, "value") if isinstance(document, dict) else None
    if not isinstance(values, list):
        raise FormatError("VICS JSON has no 'value' list")
    for value in values:
        media = _field(value, "Media") if isinstance(value, dict) else None
        if isinstance(media, list):
            yield from media
        else:
            yield value


def _media_id(record: BankRecord, number: int) -> int:
    """MediaID for an entry imported from elsewhere: its ref when that is a number."""
    return int(record.ref) if record.ref and record.ref.isdigit() else number


class VicsFormat:
    name: ClassVar[str] = "vics"

    @staticmethod
    def sniff(head: str) -> bool:
        return head.lstrip().startswith("{") and ("odata.metadata" in head or "@odata.context" in head or '"Media"' in head)

    @staticmethod
    def read(stream: TextIO, options: ReadOptions) -> Iterator[BankRecord | RowError]:
        text = stream.read()
        try:
            document = loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(f"not JSON: {exc}") from None
        for number, media in enumerate(_media_records(document), start=1):
            if not isinstance(media, dict):
                yield RowError(number, "Media record is not a JSON object")
                continue
            try:
                yield _record(media)
            except (ValueError, TypeError) as exc:
                yield RowError(number, str(exc))

    @staticmethod
    def write(records: Iterable[BankRecord], stream: TextIO, context: ExportContext) -> None:
        media = []
        for number, record in enumerate(records, start=1):
            kept = dict(record.attributes.get("vics", {}))
            entry: dict[str, Any] = {"@odata.id": f"Media({number})", "MediaID": kept.pop("MediaID", _media_id(record, number))}
            if record.classification and record.classification.startswith(CATEGORY_PREFIX):
                entry["Category"] = int(record.classification[len(CATEGORY_PREFIX) :])
            for signal in ("md5", "sha1"):
                if signal in record.hashes:
                    entry[signal.upper()] = record.hashes[signal].upper()
            alternatives = [
                {"HashName": signal.upper(), "HashValue": record.hashes[signal], **({"Quality": record.quality} if signal == "pdq" and record.quality is not None else {})}
                for signal in ("pdq", "sha256")
                if signal in record.hashes
            ]
            if alternatives:
                entry["AlternativeHashes"] = alternatives
            entry.update(kept)
            media.append(entry)
        json.dump({"@odata.context": CONTEXT_2_0, "value": media}, stream, indent=1)
        stream.write("\n")
