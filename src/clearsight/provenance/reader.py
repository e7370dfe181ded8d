"""The interface every provenance reader implements: one small module per source of evidence."""

from __future__ import annotations

from typing import Protocol

from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence


class ProvenanceReader(Protocol):
    """Reads one kind of provenance from an image. Returns no evidence when its source is absent;
    a source that is present but broken yields `unreadable` evidence, never an exception."""

    name: str

    def read(self, context: ImageContext) -> list[Evidence]: ...
