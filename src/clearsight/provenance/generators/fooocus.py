"""Fooocus: its own JSON parameters scheme (its a1111 scheme is read by the a1111 reader).

The JSON goes in the PNG `parameters` chunk or, for JPEG and WebP, EXIF UserComment with
`fooocus` in MakerNote. Older versions wrote display names (`Base Model`, `LoRA 1`), newer ones
snake_case keys with `loras` as `[name, weight, hash]` triples.
"""

from __future__ import annotations

from typing import Any

from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, LoraRef, Strength
from clearsight.provenance.generators.common import json_object, model_name, number, parameter_texts, text_or_none

SETTINGS = ("steps", "seed", "sampler", "scheduler", "guidance_scale", "sharpness", "performance", "resolution", "styles", "version")


def _get(meta: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in meta:
            return meta[key]
    return None


def _loras(meta: dict[str, Any]) -> list[LoraRef]:
    out: list[LoraRef] = []
    for entry in meta.get("loras") or []:
        if isinstance(entry, list) and entry and isinstance(entry[0], str):
            out.append(LoraRef(model_name(entry[0]), text_or_none(entry[2]) if len(entry) > 2 else None, number(entry[1]) if len(entry) > 1 else None))
    for key, value in meta.items():  # "LoRA 1": "name.safetensors : 0.5"
        if key.startswith("LoRA ") and isinstance(value, str):
            name, _, weight = value.rpartition(" : ")
            out.append(LoraRef(model_name(name or value), None, number(weight)))
    return out


def is_fooocus(meta: dict[str, Any], scheme: str | None) -> bool:
    version = str(_get(meta, "version", "Version") or "")
    return scheme == "fooocus" or "fooocus" in version.lower() or ("base_model" in meta and "full_prompt" in meta)


class FooocusReader:
    name = "fooocus"

    def read(self, context: ImageContext) -> list[Evidence]:
        scheme = context.text("fooocus_scheme") or context.exif("MakerNote")
        out: list[Evidence] = []
        for where, text in parameter_texts(context):
            meta = json_object(text)
            if meta is None or not is_fooocus(meta, scheme):
                continue
            claims: dict[str, Any] = {"found_in": where, "parameters": {key: meta[key] for key in SETTINGS if key in meta}}
            prompt = _get(meta, "prompt", "Prompt")
            negative = _get(meta, "negative_prompt", "Negative Prompt")
            if text_or_none(prompt):
                claims["prompt"] = prompt
            if text_or_none(negative):
                claims["negative_prompt"] = negative
            out.append(
                Evidence(
                    "fooocus",
                    Strength.STRONG,
                    True,
                    "Fooocus",
                    text_or_none(_get(meta, "base_model", "Base Model")),
                    text_or_none(meta.get("base_model_hash")),
                    _loras(meta),
                    claims,
                )
            )
        return out
