"""Error types shared across the pipeline.

`ItemError` is the only exception a stage raises on purpose: it means "this one item cannot be
processed" and becomes a per-item error record, never a failed scan. `ClearsightError` is a
failure of the whole command and becomes a one-line message and a non-zero exit.
"""


class ClearsightError(Exception):
    """A whole command cannot go on (bad arguments, database unreachable)."""


class ItemError(Exception):
    """One item cannot be processed; the message is shown to the analyst as the item's error."""
