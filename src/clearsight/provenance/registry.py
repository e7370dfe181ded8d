"""The provenance readers, in the order their evidence is listed when strengths tie.
A new reader is one module plus one line here."""

from __future__ import annotations

from clearsight.provenance.aigc_label import AigcLabelReader
from clearsight.provenance.authenticity.consistency import MetadataConsistencyReader
from clearsight.provenance.authenticity.encoder import EncoderReader
from clearsight.provenance.c2pa import C2paReader
from clearsight.provenance.camera_link import CameraLinkReader
from clearsight.provenance.character_card import CharacterCardReader
from clearsight.provenance.detector import DetectorReader
from clearsight.provenance.generators.a1111 import A1111Reader
from clearsight.provenance.generators.comfyui import ComfyUIReader
from clearsight.provenance.generators.flux import FluxReader
from clearsight.provenance.generators.fooocus import FooocusReader
from clearsight.provenance.generators.invokeai import InvokeAIReader
from clearsight.provenance.generators.novelai import NovelAIReader
from clearsight.provenance.generators.swarmui import SwarmUIReader
from clearsight.provenance.iptc_ai import IptcAiReader
from clearsight.provenance.reader import ProvenanceReader
from clearsight.provenance.stealth import StealthReader
from clearsight.provenance.watermark import WatermarkReader
from clearsight.provenance.xmp import XmpReader

GENERATOR_READERS: tuple[ProvenanceReader, ...] = (
    A1111Reader(),
    ComfyUIReader(),
    InvokeAIReader(),
    NovelAIReader(),
    FooocusReader(),
    SwarmUIReader(),
    FluxReader(),
    AigcLabelReader(),
)
"""Readers of generation metadata, which video and audio containers can carry in their tags too."""
PIXEL_READERS: tuple[ProvenanceReader, ...] = (WatermarkReader(),)
"""Readers of the pixels that work on decoded video frames (stealth LSBs do not survive video codecs)."""
READERS: tuple[ProvenanceReader, ...] = (C2paReader(), XmpReader(), IptcAiReader(), *GENERATOR_READERS, CharacterCardReader(), StealthReader(),
                                         *PIXEL_READERS, DetectorReader(), EncoderReader(), MetadataConsistencyReader(), CameraLinkReader())
"""Every reader an image goes through; the last three gather authenticity evidence (evidence of
capture, which never makes a verdict by itself)."""
