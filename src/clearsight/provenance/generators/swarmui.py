"""SwarmUI: JSON with `sui_image_params` (settings, model, LoRAs) and `sui_models` (their hashes).

SwarmUI writes model hashes as `0x`-prefixed SHA-256 of the tensor data after the safetensors
header (AutoV3 in full), which is how its images link to LoRA files.
"""

from __future__ import annotations

from typing import Any

from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, LoraRef, Strength
from clearsight.provenance.generators.common import json_object, model_name, number, parameter_texts, text_or_none

SETTINGS = ("seed", "steps", "cfgscale", "width", "height", "sampler", "scheduler", "swarm_version", "date")


def _hashes(models: Any) -> dict[tuple[str, str], str]:
    """(param, name) -> hash from `sui_models`."""
    out: dict[tuple[str, str], str] = {}
    for entry in models if isinstance(models, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("hash"), str):
            out[(str(entry.get("param", "")), model_name(entry["name"]).lower())] = entry["hash"]
    return out


class SwarmUIReader:
    name = "swarmui"

    def read(self, context: ImageContext) -> list[Evidence]:
        out: list[Evidence] = []
        for where, text in parameter_texts(context):
            meta = json_object(text)
            params = meta.get("sui_image_params") if meta is not None else None
            if not isinstance(params, dict):
                continue
            hashes = _hashes(meta.get("sui_models") if meta else None)
            model = text_or_none(params.get("model"))
            names = [str(name) for name in params.get("loras") or [] if isinstance(name, str)]
            weights = params.get("loraweights") or []
            loras = [
                LoraRef(name, hashes.get(("loras", model_name(name).lower())) or hashes.get(("loras", model_name(name).lower() + ".safetensors")),
                        number(weights[i]) if i < len(weights) else None)
                for i, name in enumerate(names)
            ]
            model_hash = None
            if model:
                model_hash = hashes.get(("model", model_name(model).lower())) or hashes.get(("model", model_name(model).lower() + ".safetensors"))
            claims: dict[str, Any] = {"found_in": where, "parameters": {key: params[key] for key in SETTINGS if key in params}}
            if text_or_none(params.get("prompt")):
                claims["prompt"] = params["prompt"]
            if text_or_none(params.get("negativeprompt")):
                claims["negative_prompt"] = params["negativeprompt"]
            out.append(Evidence("swarmui", Strength.STRONG, True, "SwarmUI", model, model_hash, loras, claims))
        return out
