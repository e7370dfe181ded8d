"""The AI properties of IPTC Photo Metadata 2025.1 in XMP: `AISystemUsed`, `AISystemVersionUsed`,
`AIPromptInformation` and `AIPromptWriterName` (namespace Iptc4xmpExt).

Naming the AI system that made an image is a declaration of AI generation: unsigned, so strong
evidence, never proof. The prompt, and the name of the person who wrote it, are hidden like every
prompt (`sensitive.SENSITIVE_CLAIMS`) and shown only when an analyst asks for that item.
"""

from __future__ import annotations

from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, Strength
from clearsight.provenance.xmp import IPTC_EXT, xmp_root, xmp_values

PROPERTIES = {"AISystemUsed": "ai_system", "AISystemVersionUsed": "ai_system_version", "AIPromptInformation": "prompt",
              "AIPromptWriterName": "prompt_writer"}


class IptcAiReader:
    name = "iptc_ai"

    def read(self, context: ImageContext) -> list[Evidence]:
        root = xmp_root(context)
        if root is None:
            return []
        claims = {claim: values[0] for name, claim in PROPERTIES.items() if (values := xmp_values(root, IPTC_EXT + name))}
        if not claims:
            return []
        system = claims.get("ai_system")
        tool = " ".join(part for part in (system, claims.get("ai_system_version")) if part) or None
        return [Evidence("iptc_ai", Strength.STRONG if system else Strength.INDICATIVE, True if system else None, tool, claims=claims)]
