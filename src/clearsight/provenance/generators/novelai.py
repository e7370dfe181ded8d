"""NovelAI: `Software: NovelAI`, `Source` (the model), `Comment` (settings JSON), `Description`
(the prompt), in PNG text, WebP EXIF, and a copy in the alpha LSBs (`stealth_pngcomp`).

NovelAI signs each image: `signed_hash` in the Comment is an Ed25519 signature over the RGB
pixel bytes (row-major) followed by the Comment JSON without `signed_hash`, serialised as
Python's `json.dumps` does by default, which is how NovelAI's published verifier rebuilds it.
A signature that verifies against NovelAI's public key is proof the image came from NovelAI.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

import numpy as np
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from clearsight.provenance import stealth
from clearsight.provenance.context import UINT8, ImageContext
from clearsight.provenance.evidence import Evidence, Strength, unreadable
from clearsight.provenance.generators.common import json_object, text_or_none

SETTINGS = ("steps", "height", "width", "scale", "seed", "sampler", "noise_schedule", "sm", "sm_dyn", "cfg_rescale", "n_samples", "request_type", "version")


def _fields(context: ImageContext) -> list[tuple[str, dict[str, Any]]]:
    """(where, {Software, Source, Comment, Description}) for each copy of the metadata in the file."""
    copies: list[tuple[str, dict[str, Any]]] = []
    if context.text("Comment") is not None and "novelai" in (context.text("Software") or "").lower():
        copies.append(("text", {key: context.text(key) for key in ("Software", "Source", "Comment", "Description")}))
    comment = context.exif("UserComment")
    if comment and ("signed_hash" in comment or "request_type" in comment) and ("novelai" in (context.exif("Software") or "").lower() or context.format == "WEBP"):
        copies.append(("exif", {"Software": "NovelAI", "Source": context.exif("Software"), "Comment": comment, "Description": context.exif("ImageDescription")}))
    for payload in stealth.payloads(context):
        meta = json_object(payload.text or "")
        if meta is not None and "Comment" in meta and "novelai" in str(meta.get("Software", "")).lower():
            copies.append((f"stealth:{payload.signature}", meta))
    return copies


def verify(pixels: UINT8 | None, comment: dict[str, Any], keys: tuple[str, ...]) -> bool | None:
    """True if `signed_hash` verifies with one of the keys, False if it does not, None if absent."""
    signed = comment.get("signed_hash")
    if not isinstance(signed, str) or pixels is None:
        return None
    try:
        signature = base64.b64decode(signed, validate=False)
    except (binascii.Error, ValueError):
        return False
    unsigned = {key: value for key, value in comment.items() if key != "signed_hash"}
    message = np.ascontiguousarray(pixels[:, :, :3]).tobytes() + json.dumps(unsigned).encode("utf-8")
    for key in keys:
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(signature, message)
            return True
        except (InvalidSignature, ValueError, binascii.Error):
            continue
    return False


MODEL_HASH = re.compile(r"(.*\S)\s+([0-9A-Fa-f]{8})")
"""NovelAI's `Source` names the model and ends with its 8-digit hash: "Stable Diffusion 1D44365E"."""


def _model_and_hash(source: str | None) -> tuple[str | None, str | None]:
    found = MODEL_HASH.fullmatch(source) if source else None
    return (found.group(1), found.group(2)) if found else (source, None)


class NovelAIReader:
    name = "novelai"

    def read(self, context: ImageContext) -> list[Evidence]:
        out: list[Evidence] = []
        for where, meta in _fields(context):
            raw = meta.get("Comment")
            comment = raw if isinstance(raw, dict) else json_object(raw or "") if isinstance(raw, str) else None
            if comment is None:
                out.append(unreadable("novelai", f"the NovelAI Comment ({where}) is not a JSON object"))
                continue
            verified = verify(context.pixels, comment, context.settings.novelai_public_keys)
            claims: dict[str, Any] = {"found_in": where, "parameters": {key: comment[key] for key in SETTINGS if key in comment}}
            claims["signature"] = {None: "absent", True: "verified", False: "does not verify"}[verified]
            prompt = text_or_none(comment.get("prompt")) or text_or_none(meta.get("Description"))
            if prompt:
                claims["prompt"] = prompt
            if text_or_none(comment.get("uc")):
                claims["negative_prompt"] = comment["uc"]
            strength = Strength.PROOF if verified else Strength.STRONG
            model, model_hash = _model_and_hash(text_or_none(meta.get("Source")))
            out.append(Evidence("novelai", strength, True, "NovelAI", model, model_hash, [], claims))
        return out
