"""The hash stage: every digest signal in one pass over the bytes, then perceptual signals."""

from __future__ import annotations

from clearsight.config import Settings
from clearsight.hashing.registry import DIGEST_SIGNALS, PERCEPTUAL_SIGNALS
from clearsight.item import Item

CHUNK_BYTES = 1024 * 1024


def hash_digests(item: Item, settings: Settings) -> None:
    """Compute MD5, SHA-1, SHA-256 (and any other digest signal) reading the bytes once."""
    digests = {signal.name: signal.new_digest() for signal in DIGEST_SIGNALS}
    if item.data is not None:
        for digest in digests.values():
            digest.update(item.data)
    else:
        with item.open() as stream:
            while chunk := stream.read(CHUNK_BYTES):
                for digest in digests.values():
                    digest.update(chunk)
    item.result.hashes.update({name: digest.hexdigest() for name, digest in digests.items()})


def hash_perceptual(item: Item, settings: Settings) -> None:
    """Compute the perceptual signals that apply to the item's media type."""
    for signal in PERCEPTUAL_SIGNALS:
        if item.result.media_type in signal.media_types:
            value, quality = signal.compute(item, settings)
            item.result.hashes[signal.name] = value
            if quality is not None:
                item.result.qualities[signal.name] = quality
