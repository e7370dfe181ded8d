"""Error types shared across the pipeline.

`ItemError` is the only exception a stage raises on purpose: it means "this one item cannot be
processed" and becomes a per-item error record, never a failed scan. `ClearsightError` is a
failure of the whole command and becomes a one-line message and a non-zero exit.
"""

import re


class ClearsightError(Exception):
    """A whole command cannot go on (bad arguments, database unreachable)."""


class ItemError(Exception):
    """One item cannot be processed; the message is shown to the analyst as the item's error."""


_OBJECT_REPR = re.compile(r"\s*<[^<>]* (?:object )?at 0x[0-9a-fA-F]+>")


def reason(exc: BaseException) -> str:
    """An exception's message for an item's error, without object addresses (`<_io.BytesIO object
    at 0x...>`), so the same file gives the same message on every run and every engine."""
    return _OBJECT_REPR.sub("", str(exc)).strip() or type(exc).__name__
