"""CHARX files: Character Card V3's zip (kwaroran/character-card-spec-v3), a chatbot character
as AI chatbot services export it, with the card in `card.json` at the root and the character's
pictures under `assets/`.

The pictures are scanned as the archive's members like any zip's; the card is evidence on the
archive itself, so each picture's `parent` says it belongs to a chatbot character. Only
`card.json` is read here, and no more of it than a metadata field may hold.
"""

from __future__ import annotations

import zipfile

from clearsight.config import Settings
from clearsight.errors import reason
from clearsight.item import Item
from clearsight.provenance.character_card import card_claims
from clearsight.provenance.evidence import Evidence, Strength, unreadable
from clearsight.provenance.generators.common import json_object

CARD_MEMBER = "card.json"
SPEC_PREFIX = "chara_card"
"""Cards name their spec: `chara_card_v3` (and `chara_card_v2` in older exports)."""


def charx_evidence(item: Item, settings: Settings) -> list[Evidence]:
    """The card of a zip that is a CHARX file; nothing for any other zip (and for a zip that
    cannot be opened: the archive stage reports why)."""
    limit = settings.limits.max_metadata_bytes
    with item.open() as stream:
        try:
            archive = zipfile.ZipFile(stream)
        except Exception:  # noqa: BLE001 - BadZipFile, OSError, ...: the archive stage says why
            return []
        with archive:
            info = next((info for info in archive.infolist() if info.filename == CARD_MEMBER), None)
            if info is None:
                return []
            if info.file_size > limit:
                return [unreadable("character_card", f"the CHARX `{CARD_MEMBER}` is {info.file_size} bytes, over the metadata limit of {limit}")]
            try:
                with archive.open(info) as member:
                    raw = member.read(limit + 1)
            except Exception as exc:  # noqa: BLE001 - encrypted, damaged or unsupported member
                return [unreadable("character_card", f"the CHARX `{CARD_MEMBER}` cannot be read: {reason(exc)}")]
    if len(raw) > limit:
        return [unreadable("character_card", f"the CHARX `{CARD_MEMBER}` expands past the metadata limit of {limit} bytes")]
    card = json_object(raw.decode("utf-8", errors="replace"))
    if card is None or not str(card.get("spec", "")).startswith(SPEC_PREFIX):
        if item.result.path.lower().endswith(".charx"):
            return [unreadable("character_card", f"the CHARX `{CARD_MEMBER}` is not a JSON character card")]
        return []  # some other program's card.json in an ordinary zip
    return [Evidence("character_card", Strength.INDICATIVE, None, None, claims=card_claims("charx", card))]
