"""MD5, SHA-1 and SHA-256: the exact hashes every hash list in the field is keyed on."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from clearsight.hashing.base import Digest, exact_distance


class HashlibSignal:
    """An exact digest from `hashlib`; a subclass names the algorithm (also the signal name)."""

    name: ClassVar[str]
    default_threshold: ClassVar[int] = 0

    @staticmethod
    def distance(a: str, b: str) -> int:
        return exact_distance(a, b)

    @classmethod
    def new_digest(cls) -> Digest:
        # Not a security use: these identify content, as the hash lists they are matched to do.
        return hashlib.new(cls.name, usedforsecurity=False)


class Md5Signal(HashlibSignal):
    name: ClassVar[str] = "md5"


class Sha1Signal(HashlibSignal):
    name: ClassVar[str] = "sha1"


class Sha256Signal(HashlibSignal):
    name: ClassVar[str] = "sha256"
