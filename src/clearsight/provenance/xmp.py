"""IPTC `Iptc4xmpExt:DigitalSourceType` (and the creator tool) from XMP, parsed with defusedxml.

XMP is unsigned: an AI source type is strong evidence (tools write it, people rarely forge it to
claim AI), a capture type only indicative. Entity declarations (XML bombs) are refused.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from clearsight.provenance import source_type
from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, Strength, unreadable

IPTC_EXT = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}"
XMP_BASIC = "{http://ns.adobe.com/xap/1.0/}"
DST = IPTC_EXT + "DigitalSourceType"
CREATOR_TOOL = XMP_BASIC + "CreatorTool"


def xmp_values(root: Element, name: str) -> list[str]:
    """A property written either as an attribute of rdf:Description or as an element (a plain
    value, or the items of an rdf:Alt/Bag/Seq, as IPTC's language alternatives are)."""
    found = [element.attrib[name] for element in root.iter() if name in element.attrib]
    for element in root.iter(name):
        texts = [element.text] + [item.text for item in element.iter() if item is not element]
        found += [text.strip() for text in texts if text and text.strip()]
    return found


def parse_xmp(packet: bytes) -> Element:
    """The XMP packet's tree; DefusedXmlException, ParseError or ValueError for one that cannot be parsed safely."""
    root: Element = fromstring(packet.strip(b"\0 \r\n\t"), forbid_dtd=True)
    return root


def xmp_root(context: ImageContext) -> Element | None:
    """The image's XMP tree for readers of other XMP properties: None when there is none or it
    cannot be parsed safely (this module's reader reports that once)."""
    if context.xmp is None:
        return None
    try:
        return parse_xmp(context.xmp)
    except (DefusedXmlException, ParseError, ValueError):
        return None


class XmpReader:
    name = "xmp"

    def read(self, context: ImageContext) -> list[Evidence]:
        if context.xmp is None:
            return []
        try:
            root = parse_xmp(context.xmp)
        except (DefusedXmlException, ParseError, ValueError) as exc:
            return [unreadable("xmp", f"the XMP packet cannot be parsed safely: {type(exc).__name__}: {exc}")]
        types = xmp_values(root, DST)
        tools = xmp_values(root, CREATOR_TOOL)
        if not types:
            return []
        dst = types[0]
        claim = source_type.ai_claim(dst)
        return [
            Evidence(
                source="iptc",
                strength=Strength.STRONG if claim else Strength.INDICATIVE,
                ai_generated=claim,
                tool=tools[0] if tools and claim else None,
                claims={"digital_source_type": source_type.code(dst), "creator_tool": tools[0] if tools else None},
            )
        ]
