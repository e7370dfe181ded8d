"""Path names that are not valid UTF-8, kept exactly and shown safely.

Seized media carries names in every encoding (a Latin-1 `café.jpg` is the bytes `caf\\xe9.jpg`).
Python hands such names over as `str` with the undecodable bytes as lone surrogates
(`surrogateescape`), which cannot be written to a database, a UTF-8 file or JSON. So a name has
two forms: its exact bytes (`raw`), which identify the file version, and its shown form (`shown`),
which the database's `path` column, the scan output and every screen use: valid UTF-8 left as it
is, and each undecodable byte written as the four characters `\\xNN` (Python's `backslashreplace`).
A name that really contains `\\xe9` shows the same as one with the byte 0xE9; their version keys,
made from the raw bytes, still tell them apart.
"""

from __future__ import annotations


def raw(name: str) -> bytes:
    """The exact bytes of a name as read from the file system or an archive (UTF-8 otherwise)."""
    try:
        return name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that did not come from an undecodable byte
        return name.encode("utf-8", "surrogatepass")


def shown(name: str) -> str:
    """The name as valid UTF-8 text, each undecodable byte written as `\\xNN`."""
    if name.isascii():
        return name
    return raw(name).decode("utf-8", "backslashreplace")
