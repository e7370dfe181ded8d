"""Every signal type Clearsight computes. Adding one is a module plus a line here."""

from __future__ import annotations

from clearsight.hashing.base import DigestSignal, PerceptualSignal, SignalType
from clearsight.hashing.crypto import Md5Signal, Sha1Signal, Sha256Signal
from clearsight.hashing.pdq import PdqSignal

DIGEST_SIGNALS: tuple[type[DigestSignal], ...] = (Md5Signal, Sha1Signal, Sha256Signal)
PERCEPTUAL_SIGNALS: tuple[type[PerceptualSignal], ...] = (PdqSignal,)

SIGNALS: dict[str, type[SignalType]] = {s.name: s for s in (*DIGEST_SIGNALS, *PERCEPTUAL_SIGNALS)}
