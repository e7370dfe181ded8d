"""InvokeAI: `invokeai_metadata` JSON (3.x onwards), the older `sd-metadata` (2.x; 1.x wrote a
`model_id` there) and the oldest `Dream` chunk (1.x: the dream command line, a quoted prompt
then its switches: `-s` steps, `-S` seed, `-W`/`-H` size, `-C` CFG scale, `-A` sampler).

Model entries changed shape across versions (`model_name` in 3.x; `name`, `key`, `hash` with a
`blake3:` prefix from 4.x), so each field is looked up under all its names.
"""

from __future__ import annotations

import shlex
from typing import Any

from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, LoraRef, Strength, unreadable
from clearsight.provenance.generators.common import json_object, number, text_or_none

SETTINGS = ("seed", "steps", "cfg_scale", "scheduler", "width", "height", "generation_mode", "app_version", "rand_device", "strength")


def _model(entry: Any) -> tuple[str | None, str | None]:
    if isinstance(entry, str):
        return text_or_none(entry), None
    if not isinstance(entry, dict):
        return None, None
    name = text_or_none(entry.get("name")) or text_or_none(entry.get("model_name")) or text_or_none(entry.get("key"))
    return name, text_or_none(entry.get("hash"))


def _loras(entries: Any) -> list[LoraRef]:
    out: list[LoraRef] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        name, digest = _model(entry.get("model") or entry.get("lora"))
        if name:
            out.append(LoraRef(name, digest, number(entry.get("weight"))))
    return out


def _from_invokeai(meta: dict[str, Any]) -> Evidence:
    model, model_hash = _model(meta.get("model"))
    claims: dict[str, Any] = {"found_in": "text:invokeai_metadata", "parameters": {key: meta[key] for key in SETTINGS if key in meta}}
    if text_or_none(meta.get("positive_prompt")):
        claims["prompt"] = meta["positive_prompt"]
    if text_or_none(meta.get("negative_prompt")):
        claims["negative_prompt"] = meta["negative_prompt"]
    return Evidence("invokeai", Strength.STRONG, True, "InvokeAI", model, model_hash, _loras(meta.get("loras")), claims)


def _from_sd_metadata(meta: dict[str, Any]) -> Evidence:
    image: dict[str, Any] = meta["image"] if isinstance(meta.get("image"), dict) else {}
    prompt = image.get("prompt")
    if isinstance(prompt, list):
        prompt = "\n".join(str(part.get("prompt", "")) for part in prompt if isinstance(part, dict))
    claims: dict[str, Any] = {"found_in": "text:sd-metadata", "parameters": {key: image[key] for key in SETTINGS if key in image}}
    if text_or_none(prompt):
        claims["prompt"] = prompt
    model = text_or_none(meta.get("model_weights")) or text_or_none(meta.get("model_id")) or text_or_none(meta.get("model"))
    return Evidence("invokeai", Strength.STRONG, True, "InvokeAI", model, text_or_none(meta.get("model_hash")), [], claims)


DREAM_SWITCHES = {"-s": "steps", "-S": "seed", "-W": "width", "-H": "height", "-C": "cfg_scale", "-A": "sampler", "-f": "strength"}


def _switch_value(value: str) -> int | float | str:
    if value.lstrip("-").isdigit():
        return int(value)
    found = number(value)
    return found if found is not None else value


def _from_dream(text: str) -> Evidence:
    try:
        words = shlex.split(text)
    except ValueError:
        return unreadable("invokeai", "the `Dream` chunk is not a dream command line")
    claims: dict[str, Any] = {"found_in": "text:Dream", "parameters": {}}
    prompt: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        if word in DREAM_SWITCHES and position + 1 < len(words):
            value = words[position + 1]
            claims["parameters"][DREAM_SWITCHES[word]] = _switch_value(value)
            position += 2
            continue
        if not word.startswith("-"):
            prompt.append(word)
        position += 1
    if prompt:
        claims["prompt"] = " ".join(prompt)
    return Evidence("invokeai", Strength.STRONG, True, "InvokeAI", None, None, [], claims)


class InvokeAIReader:
    name = "invokeai"

    def read(self, context: ImageContext) -> list[Evidence]:
        out: list[Evidence] = []
        for key, build in (("invokeai_metadata", _from_invokeai), ("sd-metadata", _from_sd_metadata)):
            text = context.text(key)
            if text is None:
                continue
            meta = json_object(text)
            out.append(build(meta) if meta is not None else unreadable("invokeai", f"the `{key}` chunk is not a JSON object"))
        dream = context.text("Dream")
        if dream is not None:
            out.append(_from_dream(dream))
        return out
