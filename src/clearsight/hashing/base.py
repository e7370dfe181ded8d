"""The interfaces a signal type implements, after python-threatexchange's `SignalType`.

Two kinds exist because they are computed differently: digest signals (MD5, SHA-1, SHA-256)
are fed the item's bytes in one shared streaming pass, so a 4 GB video is read once for all of
them; perceptual signals (PDQ) decode the media themselves.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from clearsight.config import Settings
from clearsight.item import Item


class Digest(Protocol):
    """The part of a `hashlib` object that the streaming pass uses."""

    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


class SignalType(Protocol):
    """Common to every signal type: its name and how two values compare."""

    name: ClassVar[str]
    default_threshold: ClassVar[int]
    """Largest distance still counted as a match by default (0 for exact hashes)."""

    @staticmethod
    def distance(a: str, b: str) -> int:
        """Distance between two values of this signal (0 means identical)."""
        ...


class DigestSignal(SignalType, Protocol):
    """An exact content hash, computed over every item's bytes."""

    @classmethod
    def new_digest(cls) -> Digest: ...


class PerceptualSignal(SignalType, Protocol):
    """A hash computed from decoded media of the types it lists."""

    media_types: ClassVar[frozenset[str]]

    @staticmethod
    def compute(item: Item, settings: Settings) -> tuple[str, int | None]:
        """(hex value, quality or None); raises `ItemError` when the media cannot be decoded."""
        ...


def exact_distance(a: str, b: str) -> int:
    """0 when two hex digests are the same (case-insensitively), else 1."""
    return 0 if a.lower() == b.lower() else 1


def hamming_distance(a: str, b: str) -> int:
    """Number of differing bits between two equal-length hex strings."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
