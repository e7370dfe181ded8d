"""MD5, SHA-1 and SHA-256: the exact hashes every hash list in the field is keyed on."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from clearsight.hashing.base import Digest, exact_distance


class Md5Signal:
    name: ClassVar[str] = "md5"
    default_threshold: ClassVar[int] = 0
    distance = staticmethod(exact_distance)

    @staticmethod
    def new_digest() -> Digest:
        return hashlib.md5(usedforsecurity=False)


class Sha1Signal:
    name: ClassVar[str] = "sha1"
    default_threshold: ClassVar[int] = 0
    distance = staticmethod(exact_distance)

    @staticmethod
    def new_digest() -> Digest:
        return hashlib.sha1(usedforsecurity=False)


class Sha256Signal:
    name: ClassVar[str] = "sha256"
    default_threshold: ClassVar[int] = 0
    distance = staticmethod(exact_distance)

    @staticmethod
    def new_digest() -> Digest:
        return hashlib.sha256()
