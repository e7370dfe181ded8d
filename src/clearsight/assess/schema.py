"""The grading schema: the fields of one analyst's assessment of one item and their allowed values.

The values follow ARCHITECTURE.md's Assessment (UK legal basis and category as the IWF grades,
with the age bands and production kinds hotlines publish). A grade is checked here, once, so
that the web form, imports and automatic grades cannot store a value the statistics would not
know. `duplicate_of` is not an outcome but a field: a copied grade keeps its outcome and
category and records the item it was copied from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from clearsight.errors import ClearsightError

OUTCOMES = ("criminal", "not_criminal", "unable_to_assess")
LEGAL_BASES = ("indecent_photo", "pseudo_photo", "prohibited_image", "csa_image_generator", "none")
UK_CATEGORIES = ("A", "B", "C", "none")
AGE_BANDS = ("0-2", "3-6", "7-10", "11-13", "14-15", "16-17", "unknown")
SEXES = ("girls", "boys", "both", "unidentified")
PRODUCTIONS = ("real", "ai_realistic", "ai_non_realistic", "ai_altered_real", "drawn_cgi", "unknown")
FLAGS = ("self_generated", "grid", "livestream")
AI_PRODUCTIONS = ("ai_realistic", "ai_non_realistic", "ai_altered_real")
REALISTIC_AI = ("ai_realistic", "ai_altered_real")
"""AI-made items treated as photographs (pseudo-photographs); ai_non_realistic ones are prohibited images."""
SEVERITY = ("A", "B", "C")
"""UK categories, most severe first."""
CHOICES: dict[str, tuple[str, ...]] = {
    "outcome": OUTCOMES, "uk_legal_basis": LEGAL_BASES, "uk_category": UK_CATEGORIES, "age_band": AGE_BANDS,
    "sex": SEXES, "production": PRODUCTIONS,
}
MAX_CHILDREN = 1000
MAX_SERIES = 200


@dataclass(frozen=True)
class Grade:
    """What an analyst decided about one item."""

    outcome: str
    uk_legal_basis: str = "none"
    uk_category: str = "none"
    age_band: str = "unknown"
    sex: str = "unidentified"
    child_count: int | None = None
    production: str = "unknown"
    flags: tuple[str, ...] = field(default_factory=tuple)
    series: str | None = None

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["flags"] = list(self.flags)
        return values


def _whole_number(raw: Any) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ClearsightError(f"child count must be a whole number, not {str(raw)[:20]!r}") from None
    if not 0 <= value <= MAX_CHILDREN:
        raise ClearsightError(f"child count must be between 0 and {MAX_CHILDREN}")
    return value


def parse_grade(values: Mapping[str, Any], flags: list[str] | tuple[str, ...] = ()) -> Grade:
    """A checked Grade from form or JSON values; ClearsightError naming the first bad field.

    A criminal grade needs a legal basis; categories A-C apply only to indecent and pseudo
    photographs (the other bases have no category in UK law); a grade that is not criminal
    carries no basis or category, whatever the form still held."""
    chosen: dict[str, str] = {}
    for name, allowed in CHOICES.items():
        default = allowed[-1] if name != "outcome" else ""
        value = str(values.get(name) or default).strip()
        if value not in allowed:
            raise ClearsightError(f"{name.replace('_', ' ')} must be one of {', '.join(allowed)}")
        chosen[name] = value
    unknown_flags = sorted(set(flags) - set(FLAGS))
    if unknown_flags:
        raise ClearsightError(f"unknown flags: {', '.join(unknown_flags)} (known: {', '.join(FLAGS)})")
    series = str(values.get("series") or "").strip()[:MAX_SERIES] or None
    if chosen["outcome"] != "criminal":
        chosen["uk_legal_basis"], chosen["uk_category"] = "none", "none"
    elif chosen["uk_legal_basis"] == "none":
        raise ClearsightError("a criminal grade needs its legal basis")
    elif chosen["uk_legal_basis"] in ("indecent_photo", "pseudo_photo") and chosen["uk_category"] == "none":
        raise ClearsightError("an indecent or pseudo-photograph needs category A, B or C")
    elif chosen["uk_legal_basis"] not in ("indecent_photo", "pseudo_photo"):
        chosen["uk_category"] = "none"
    return Grade(child_count=_whole_number(values.get("child_count")), flags=tuple(sorted(set(flags))), series=series, **chosen)
