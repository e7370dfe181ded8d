"""Evidence and Verdict: what a file says about how it was made, and what that adds up to.

Each reader returns `Evidence`: one source (`c2pa`, `a1111`, `watermark`...), how strong it is,
and the claims it makes. The `Verdict` combines them conservatively, because both errors hurt an
investigation: a false `ai` lets real abuse be dismissed as synthetic (offenders claim exactly
that), and a false `camera` hides synthetic material. So `camera` needs verified capture
provenance (a trusted C2PA `digitalCapture` claim), conflicting strong evidence gives `unknown`,
and the absence of signals never means "not AI".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

VERDICT_HEADLINES = {
    "ai": "AI-generated",
    "camera": "camera capture (verified provenance)",
    "unknown": "unknown: no verdict can be drawn (absence of AI signals is not evidence of a photograph)",
}
"""Each verdict in words, as `explain` and the authenticity report print it."""


class Strength(IntEnum):
    """How far a piece of evidence can be relied on; higher is stronger."""

    INDICATIVE = 1
    """A weak hint: a tampered signature, a tool name in a free-text field."""
    STRONG = 2
    """Tool metadata or a decoded watermark: reliable, but anyone could have written it."""
    PROOF = 3
    """Cryptographically verified against a trusted key."""

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class LoraRef:
    """A LoRA (or other add-on network) named by generation metadata."""

    name: str
    hash: str | None = None
    weight: float | None = None


@dataclass
class Evidence:
    """What one source in a file claims, and how strongly.

    `ai_generated` is True for a claim of synthetic origin, False for a claim of capture, None
    when the source says nothing either way (or could not be read: then `unreadable` says why).
    """

    source: str
    strength: Strength
    ai_generated: bool | None = None
    tool: str | None = None
    model: str | None = None
    model_hash: str | None = None
    loras: list[LoraRef] = field(default_factory=list)
    claims: dict[str, Any] = field(default_factory=dict)
    """Everything else the source says: settings, signer, prompts (see `clearsight.sensitive`)."""
    unreadable: str | None = None

    def record(self) -> dict[str, Any]:
        """The stored form, sensitive claims included (`stage.public` hides them for printing)."""
        claims: dict[str, Any] = {
            key: value
            for key, value in {"ai_generated": self.ai_generated, "tool": self.tool, "model": self.model, "model_hash": self.model_hash}.items()
            if value is not None
        }
        if self.loras:
            claims["loras"] = [lora_record(lora) for lora in self.loras]
        claims |= self.claims
        out: dict[str, Any] = {"source": self.source, "strength": self.strength.label, "claims": claims}
        if self.unreadable is not None:
            out["unreadable"] = self.unreadable
        return out


def unreadable(source: str, reason: str) -> Evidence:
    """Evidence that a source is present but could not be read; it supports no verdict."""
    return Evidence(source=source, strength=Strength.INDICATIVE, unreadable=reason)


def lora_record(lora: LoraRef) -> dict[str, Any]:
    return {"name": lora.name, "hash": lora.hash, "weight": lora.weight}


@dataclass
class Verdict:
    """The combined answer for one item, with its evidence strongest first."""

    verdict: str
    """`ai`, `camera` or `unknown`."""
    strength: Strength | None
    evidence: list[Evidence]
    conflict: bool = False
    """Strong evidence pointed both ways; the verdict is `unknown` and an analyst must look."""

    def first(self, attribute: str) -> Any:
        """The value the strongest AI evidence gives for `tool`, `model` or `model_hash`."""
        for evidence in self.evidence:
            value = getattr(evidence, attribute)
            if value and evidence.ai_generated is not False:
                return value
        return None

    def loras(self) -> list[LoraRef]:
        """Every LoRA named, once per name, hashes and weights taken from the strongest source."""
        seen: dict[str, LoraRef] = {}
        for evidence in self.evidence:
            for lora in evidence.loras:
                known = seen.get(lora.name.lower())
                if known is None:
                    seen[lora.name.lower()] = lora
                else:
                    seen[lora.name.lower()] = LoraRef(known.name, known.hash or lora.hash, known.weight if known.weight is not None else lora.weight)
        return list(seen.values())


def decide(evidence: list[Evidence]) -> Verdict:
    """Combine evidence into a verdict (the rules are in the module docstring)."""
    ordered = sorted(evidence, key=lambda e: (-e.strength, e.unreadable is not None, e.source))
    ai = [e.strength for e in ordered if e.ai_generated is True and e.unreadable is None]
    capture = [e.strength for e in ordered if e.ai_generated is False and e.unreadable is None]
    best_ai = max(ai, default=None)
    verified_capture = Strength.PROOF in capture
    if best_ai is not None and verified_capture and best_ai >= Strength.STRONG:
        return Verdict("unknown", None, ordered, conflict=True)
    if best_ai is not None and not verified_capture:
        return Verdict("ai", best_ai, ordered)
    if verified_capture:
        return Verdict("camera", Strength.PROOF, ordered)
    return Verdict("unknown", None, ordered)
