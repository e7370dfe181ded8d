"""AUTOMATIC1111 and Forge "infotext" (also written by Fooocus's a1111 scheme and SD.Next).

The format is three parts: the prompt, a `Negative prompt:` line, and one line of
`Key: value, Key: "quoted, value"` settings starting with `Steps:`. Model and LoRA identity come
from `Model`, `Model hash`, `Lora hashes` and civitai's `Hashes: {json}`; LoRA weights come from
the `<lora:name:weight>` tags in the prompt. The parser is written here because no maintained
library parses infotext; it follows the grammar AUTOMATIC1111's own parser accepts.
"""

from __future__ import annotations

import json
import re
from typing import Any

from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, LoraRef, Strength
from clearsight.provenance.generators.common import number, parameter_texts
from clearsight.sensitive import is_sensitive_setting

_PARAM = re.compile(r'\s*(\w[\w \-/+]*):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)')
_LORA_TAG = re.compile(r"<(?:lora|lyco):([^:>]+)(?::([^:>]+))?[^>]*>", re.IGNORECASE)
_NEGATIVE = "Negative prompt:"
_HASHES = re.compile(r"(?:^|,\s*)Hashes:\s*(?=\{)")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        try:
            decoded = json.loads(value)
        except ValueError:
            return value[1:-1]
        return decoded if isinstance(decoded, str) else value
    return value


def _split_hashes_json(line: str) -> tuple[str, dict[str, Any]]:
    """Take civitai's `Hashes: {...}` out of the settings line (its commas would split it)."""
    match = _HASHES.search(line)
    if match is None:
        return line, {}
    try:
        value, end = json.JSONDecoder().raw_decode(line, match.end())
    except ValueError:
        return line, {}
    return line[: match.start()] + line[end:], value if isinstance(value, dict) else {}


def parse_settings(line: str) -> dict[str, str] | None:
    """The `Key: value` pairs of a settings line, or None if this is not one: every writer puts
    `Steps` and a sampler or seed there, which text from other programs ("Steps: 10000,
    Distance: 8 km") does not have."""
    pairs = {key.strip(): _unquote(value) for key, value in _PARAM.findall(line)}
    return pairs if "Steps" in pairs and ("Sampler" in pairs or "Seed" in pairs) else None


def parse_infotext(text: str) -> tuple[str, str, dict[str, str], dict[str, Any]] | None:
    """(prompt, negative prompt, settings, civitai hashes), or None when the text is not infotext."""
    lines = text.strip().split("\n")
    settings_line, civitai = _split_hashes_json(lines[-1])
    settings = parse_settings(settings_line)
    if settings is None:
        return None
    prompt: list[str] = []
    negative: list[str] = []
    target = prompt
    for line in lines[:-1]:
        if line.startswith(_NEGATIVE):
            target = negative
            line = line[len(_NEGATIVE) :].lstrip()
        target.append(line)
    return "\n".join(prompt).strip(), "\n".join(negative).strip(), settings, civitai


def _pairs(value: str) -> dict[str, str]:
    """`name: hash, name2: hash2` as in `Lora hashes` and `TI hashes`."""
    out: dict[str, str] = {}
    for part in value.split(","):
        name, sep, digest = part.rpartition(":")
        if sep and name.strip():
            out[name.strip()] = digest.strip()
    return out


def tool_of(settings: dict[str, str]) -> str:
    """Which web UI wrote the infotext, from its version string."""
    version = settings.get("Version", "")
    if "fooocus" in version.lower():
        return "Fooocus"
    if settings.get("App") == "SD.Next" or "sd.next" in version.lower():
        return "SD.Next"
    if re.match(r"f\d", version):
        return "Forge"
    return "AUTOMATIC1111"


def _loras(prompt: str, settings: dict[str, str], civitai: dict[str, Any]) -> list[LoraRef]:
    weights: dict[str, float | None] = {}
    for name, weight in _LORA_TAG.findall(prompt):
        weights.setdefault(name.strip(), number(weight.split(":")[0]) if weight else 1.0)
    hashes = _pairs(settings.get("Lora hashes", ""))
    for key, value in civitai.items():
        if key.startswith("lora:") and isinstance(value, str):
            hashes.setdefault(key[5:], value)
    names = list(dict.fromkeys([*weights, *hashes]))
    return [LoraRef(name=name, hash=hashes.get(name), weight=weights.get(name)) for name in names]


def infotext_evidence(text: str, where: str) -> Evidence | None:
    """Evidence from one infotext, or None if the text is not infotext."""
    parsed = None if text.lstrip().startswith("{") else parse_infotext(text)
    if parsed is None:
        return None
    prompt, negative, settings, civitai = parsed
    model_hash = settings.get("Model hash") or (civitai.get("model") if isinstance(civitai.get("model"), str) else None)
    hidden = {key: value for key, value in settings.items() if is_sensitive_setting(key)}
    claims: dict[str, Any] = {"found_in": where, "parameters": {key: value for key, value in settings.items() if key not in hidden}}
    if prompt:
        claims["prompt"] = prompt
    if negative:
        claims["negative_prompt"] = negative
    if hidden:
        claims["prompt"] = "\n".join(filter(None, [prompt, *hidden.values()]))
    embeddings = _pairs(settings.get("TI hashes", "")) | {k[6:]: v for k, v in civitai.items() if k.startswith("embed:") and isinstance(v, str)}
    if embeddings:
        claims["embeddings"] = [{"name": name, "hash": digest} for name, digest in embeddings.items()]
    return Evidence(
        source="a1111",
        strength=Strength.STRONG,
        ai_generated=True,
        tool=tool_of(settings),
        model=settings.get("Model"),
        model_hash=model_hash,
        loras=_loras(prompt, settings, civitai),
        claims=claims,
    )


class A1111Reader:
    """AUTOMATIC1111 / Forge parameters in PNG text, EXIF UserComment or stealth pixels."""

    name = "a1111"

    def read(self, context: ImageContext) -> list[Evidence]:
        found = [infotext_evidence(text, where) for where, text in parameter_texts(context)]
        return [evidence for evidence in found if evidence is not None]
