"""NCMEC-style hash-sharing XML: `image` and `video` elements with `md5`, `sha1` and `pdq`
fingerprints and an industry classification (A1, A2, B1, B2).

The layout follows the hash-sharing API's responses (`<images><image><id/><classification/>
<fingerprints><md5/>...`), with the CyberTipline's file annotations where known
(`<fileAnnotations><generativeAi/></fileAnnotations>`); `industryClassification` is read as the
classification too. Read tolerantly: namespaces are ignored, fingerprints may sit in a
`fingerprints` element or directly in the item, and id and classification may be attributes.
Parsed with defusedxml, so entity expansion and external entities (XML bombs) are refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar, TextIO
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from clearsight.banks.formats.base import ExportContext, FormatError, ReadOptions
from clearsight.banks.records import earliest_date, normalize_hash, optional_text, parse_quality
from clearsight.store.records import BankRecord, RowError

NAMESPACE = "https://hashsharing.ncmec.org/npo/v2"
ITEM_KINDS = ("image", "video")
FINGERPRINTS = ("md5", "sha1", "pdq")
DATE_FIELDS = ("firstseen", "dateadded", "added", "created", "lastmodified", "lastupdated")
"""Dates an item element may give (lower-cased names) by which NCMEC or the member knew the item."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return optional_text(child.text)
    return optional_text(element.get(name))


def _record(element: Element, kind: str) -> BankRecord:
    fingerprints = next((child for child in element if _local(child.tag) == "fingerprints"), element)
    hashes = {}
    quality = None
    for child in fingerprints:
        signal = _local(child.tag)
        if signal in FINGERPRINTS and optional_text(child.text):
            hashes[signal] = normalize_hash(signal, child.text or "")
            if signal == "pdq":
                quality = parse_quality(child.get("quality"))
    if not hashes:
        raise ValueError(f"{kind} has no md5, sha1 or pdq fingerprint")
    classification = _child_text(element, "classification") or _child_text(element, "industryclassification")
    annotations = next((child for child in element if _local(child.tag) == "fileannotations"), None)
    kept: dict[str, object] = {"kind": kind}
    if annotations is not None:
        kept["annotations"] = [_local(child.tag) for child in annotations]
    return BankRecord(hashes, classification.upper() if classification else None, _child_text(element, "id"), quality, {"ncmec": kept},
                      first_seen=earliest_date(_child_text(element, name) for name in DATE_FIELDS))


class NcmecFormat:
    name: ClassVar[str] = "ncmec"

    @staticmethod
    def sniff(head: str) -> bool:
        return head.lstrip().startswith("<")

    @staticmethod
    def read(stream: TextIO, options: ReadOptions) -> Iterator[BankRecord | RowError]:
        text = stream.read()
        try:
            root = fromstring(text.encode("utf-8"), forbid_dtd=True)
        except (ParseError, DefusedXmlException, ValueError) as exc:
            raise FormatError(f"not readable XML: {exc}") from None
        items = [element for element in root.iter() if _local(element.tag) in ITEM_KINDS]
        for number, element in enumerate(items, start=1):
            try:
                yield _record(element, _local(element.tag))
            except ValueError as exc:
                yield RowError(number, str(exc))

    @staticmethod
    def write(records: Iterable[BankRecord], stream: TextIO, context: ExportContext) -> None:
        root = Element("hashList", {"xmlns": NAMESPACE, "source": context.source or context.bank, **({"version": context.version} if context.version else {})})
        groups = {kind: SubElement(root, kind + "s") for kind in ITEM_KINDS}
        for record in records:
            kind = record.attributes.get("ncmec", {}).get("kind", "image")
            item = SubElement(groups[kind if kind in ITEM_KINDS else "image"], kind)
            if record.ref:
                SubElement(item, "id").text = record.ref
            if record.classification:
                SubElement(item, "classification").text = record.classification
            annotations = record.attributes.get("ncmec", {}).get("annotations")
            if annotations:
                marks = SubElement(item, "fileAnnotations")
                for annotation in annotations:
                    SubElement(marks, annotation)
            fingerprints = SubElement(item, "fingerprints")
            for signal in FINGERPRINTS:
                if signal in record.hashes:
                    element = SubElement(fingerprints, signal, {"quality": str(record.quality)} if signal == "pdq" and record.quality is not None else {})
                    element.text = record.hashes[signal]
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n")
