"""Re-scans check content, not only names and dates: path, size and mtime can all stay the same
while the bytes change (a tool that preserves times, `touch -d`, a filesystem restored from
backup), and an examiner must never report stale hashes for the file in front of them.

Before a re-scan reuses a recorded file, its bytes are hashed again (SHA-256, in the executor's
workers) and compared with what was recorded: the same, it is reused; different, it is processed
again as a new version. `--trust-mtime` skips the check, for speed where the evidence is on
write-once media.
"""

from __future__ import annotations

import hashlib

from clearsight.errors import ItemError
from clearsight.intake.walk import Entry
from clearsight.item import open_regular

CHUNK_BYTES = 1 << 20

Task = tuple[str, Entry]
"""(version key, walked file)."""


def file_sha256(path: str) -> str | None:
    """SHA-256 of a file's bytes now, read in chunks; None if it cannot be read (vanished,
    unreadable, no longer a regular file)."""
    digest = hashlib.sha256()
    try:
        with open_regular(path) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                digest.update(chunk)
    except (OSError, ItemError):
        return None
    return digest.hexdigest()


def content_digest(task: Task) -> tuple[str, str | None]:
    """(version key, SHA-256 of the file now); None for a file that cannot be read now, whose
    recorded result then stands: there is nothing newer to record."""
    return task[0], file_sha256(task[1].path)


def unreadable(task: Task, _why: str) -> tuple[str, str | None]:
    """A digest task whose worker died counts as unreadable."""
    return task[0], None
