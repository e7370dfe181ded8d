"""IPTC digital source types, as used by both IPTC XMP and C2PA actions.

Values are URIs (`http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia`) or,
in older C2PA manifests, bare codes. Only the trained-model codes claim generative AI;
`algorithmicMedia` (made by a program without training data) and `algorithmicallyEnhanced`
(a capture touched up by software) are reported but claim neither AI nor capture.
"""

from __future__ import annotations

AI_GENERATED = frozenset({"trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia"})
CAPTURED = frozenset({"digitalCapture"})


def code(value: str) -> str:
    """The bare code of a digital source type URI."""
    return value.strip().rstrip("/").rsplit("/", 1)[-1]


def ai_claim(value: str) -> bool | None:
    """True for a generative-AI type, False for a capture, None for anything else."""
    short = code(value)
    if short in AI_GENERATED:
        return True
    if short in CAPTURED:
        return False
    return None
