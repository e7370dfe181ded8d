"""Chatbot character cards: the PNG text chunks `chara` (Character Card V2, as SillyTavern,
TavernAI and chub.ai write it) and `ccv3` (Character Card V3, as RisuAI writes it), each the
base64 of a JSON card, that AI chatbot services exchange as the character's avatar picture; and
CHARX files (Character Card V3's zip: `card.json` at the root, the character's pictures under
`assets/`), whose card is evidence on the archive while its pictures are scanned as members.

A card says the image is a chatbot character's, and which app wrote the card; it does not say how
the picture was made, so it claims neither AI nor capture. Every free text of the card (the
character's name, description, personality, scenario, messages, system prompt, creator and
tags) is hidden like a prompt and revealed only when an analyst asks for that item.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, Strength, unreadable
from clearsight.provenance.generators.common import json_object, text_or_none

CHUNKS = ("chara", "ccv3")
TEXTS = {"name": "card_name", "creator": "card_creator", "description": "card_description", "personality": "card_personality",
         "scenario": "card_scenario", "first_mes": "card_first_message", "mes_example": "card_example_messages",
         "system_prompt": "card_system_prompt", "creator_notes": "card_creator_notes"}
"""Card fields (V2 and V3 names) and their hidden claim names (`sensitive.CHARACTER_CARD_TEXTS`)."""


def _card(raw: str) -> dict[str, Any] | None:
    try:
        decoded = base64.b64decode(raw.strip(), validate=False).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return json_object(decoded)


def card_claims(chunk: str, card: dict[str, Any]) -> dict[str, Any]:
    """What a card says, with `chunk` naming where it was found (`chara`, `ccv3` or `charx`)."""
    nested = card.get("data")
    data: dict[str, Any] = nested if isinstance(nested, dict) else card
    claims: dict[str, Any] = {"chunk": chunk, "spec": text_or_none(card.get("spec")), "spec_version": text_or_none(str(card.get("spec_version") or ""))}
    extensions = data.get("extensions")
    if isinstance(extensions, dict):
        claims["apps"] = sorted(str(key)[:64] for key in extensions)[:20]
    claims |= {claim: data[field] for field, claim in TEXTS.items() if text_or_none(data.get(field))}
    tags = data.get("tags")
    if isinstance(tags, list) and tags:
        claims["card_tags"] = [str(tag) for tag in tags[:100]]
    book = data.get("character_book")
    if isinstance(book, dict) and isinstance(book.get("entries"), list):
        claims["lorebook_entries"] = len(book["entries"])
    return claims


class CharacterCardReader:
    name = "character_card"

    def read(self, context: ImageContext) -> list[Evidence]:
        out: list[Evidence] = []
        for chunk in CHUNKS:
            raw = context.text(chunk)
            if raw is None:
                continue
            card = _card(raw)
            if card is None:
                out.append(unreadable("character_card", f"the `{chunk}` chunk is not a base64 JSON character card"))
                continue
            out.append(Evidence("character_card", Strength.INDICATIVE, None, None, claims=card_claims(chunk, card)))
        return out
