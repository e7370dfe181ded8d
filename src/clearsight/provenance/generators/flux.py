"""The FLUX reference command line (black-forest-labs/flux) marks its JPEGs in EXIF:
Software `AI generated;txt2img;flux` (or img2img...), Make `Black Forest Labs`, Model the model
name, and ImageDescription the prompt when sampling metadata is on."""

from __future__ import annotations

from typing import Any

from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, Strength
from clearsight.provenance.generators.common import text_or_none

MARKER = "AI generated;"
MAKER = "Black Forest Labs"


class FluxReader:
    name = "flux"

    def read(self, context: ImageContext) -> list[Evidence]:
        software = context.exif("Software") or ""
        make = context.exif("Make") or ""
        if not (software.startswith(MARKER) or make == MAKER):
            return []
        claims: dict[str, Any] = {"found_in": "exif", "software": software or None, "make": make or None}
        description = text_or_none(context.exif("ImageDescription"))
        if description:
            claims["prompt"] = description
        mode = software.split(";")[1] if software.count(";") >= 2 else None
        if mode:
            claims["mode"] = mode
        return [Evidence("flux", Strength.STRONG, True, "FLUX reference CLI", text_or_none(context.exif("Model")), None, [], claims)]
