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


def _values(root: Element, name: str) -> list[str]:
    """A property written either as an attribute of rdf:Description or as an element."""
    found = [element.attrib[name] for element in root.iter() if name in element.attrib]
    found += [element.text.strip() for element in root.iter(name) if element.text and element.text.strip()]
    return found


class XmpReader:
    name = "xmp"

    def read(self, context: ImageContext) -> list[Evidence]:
        if context.xmp is None:
            return []
        packet = context.xmp.strip(b"\0 \r\n\t")
        try:
            root = fromstring(packet, forbid_dtd=True)
        except (DefusedXmlException, ParseError, ValueError) as exc:
            return [unreadable("xmp", f"the XMP packet cannot be parsed safely: {type(exc).__name__}: {exc}")]
        types = _values(root, DST)
        tools = _values(root, CREATOR_TOOL)
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
