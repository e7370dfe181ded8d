"""The `Item` record that every pipeline stage reads and fills in.

An item is one file on disk or one member of an archive. Stages are plain functions
`stage(item, settings) -> None` that add what they learn; a stage that cannot do its job for this
item raises `ItemError`, which the driver records against the item while the other stages and
items carry on.
"""

from __future__ import annotations

import io
import os
import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from clearsight.errors import ItemError

if TYPE_CHECKING:
    from PIL import Image

ARCHIVE_SEPARATOR = "!/"
"""Archive members are named `outer.zip!/inner/path`, nested ones `a.zip!/b.tar!/c.jpg`."""

MEDIA_TYPES = ("image", "video", "audio", "model", "archive", "other")


@dataclass
class ItemResult:
    """What was learnt about one item: everything the store keeps and the scan output shows."""

    path: str
    size: int
    mtime_ns: int
    media_type: str = "other"
    mime: str | None = None
    hashes: dict[str, str] = field(default_factory=dict)
    """Signal type name (md5, sha1, sha256, pdq) to hex value."""
    qualities: dict[str, int] = field(default_factory=dict)
    """Quality per signal type where the signal has one (PDQ)."""
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(stage, message) pairs; an item with errors is still a finished item."""
    parent: int | None = None
    """Index of the containing archive's result in the same task's result list."""
    changed_content: str | None = None
    """For a file whose bytes changed under an unchanged path, size and mtime: their SHA-256,
    which joins its version key so the new bytes are recorded as a new version (driver)."""
    variants: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per signal, hashes of transformed copies (PDQ of each rotation and mirror image) by
    transform name; computed only when matching asks for them (`--dihedral`), and stored with
    the item so that a repeated scan can match them without decoding again."""

    provenance: dict[str, Any] | None = None
    """For images: the verdict on how it was made, with its evidence (`provenance.stage`)."""
    vpdq: dict[str, Any] | None = None
    """For videos: `frames`, `sampled_fps`, `duration`, and the frame hashes under `hashes` as
    `[frame, quality, pdq hex, seconds]` (the reference vPDQ layout); see `hashing.vpdq`."""
    modelfile: dict[str, Any] | None = None
    """For model files: format, kind, hashes, metadata and pickle safety (`modelfiles.inspect`)."""

    @property
    def error(self) -> str | None:
        return "; ".join(message for _, message in self.errors) or None


@dataclass
class Item:
    """An item being processed: its result plus the means to read its bytes."""

    result: ItemResult
    fs_path: str | None = None
    """Where the bytes are on disk, for files; None for archive members."""
    data: bytes | None = None
    """The bytes themselves, for archive members and small files read once."""
    depth: int = 0
    """How many archives this item is inside."""
    head: bytes = b""
    """The first bytes, for content sniffing."""
    archive_kind: str | None = None
    """For archives, the container format (zip, tar, gz, ...), set by the identify stage."""
    decoded: tuple[Image.Image, int] | None = None
    """The image's pixels and EXIF orientation once `media.image.decode_for_hashing` has decoded
    them: the later stages (watermarks, stealth metadata) read these instead of decoding the file
    again, so an image is decoded once however many stages look at its pixels."""

    def source(self) -> str | BinaryIO:
        """What a decoder that takes a path or a stream (PyAV) should open: the file on disk when
        its bytes are not in memory (so a large video is never read whole), else the bytes."""
        if self.data is None and self.fs_path is not None:
            return self.fs_path
        return self.open()

    def open(self) -> BinaryIO:
        """A fresh binary stream over the item's bytes."""
        if self.data is not None:
            return io.BytesIO(self.data)
        if self.fs_path is None:
            raise ValueError("item has neither bytes nor a file path")
        return open_regular(self.fs_path)  # the caller closes it


def open_regular(path: str) -> BinaryIO:
    """Open a file for reading only if it is still a regular file.

    Between the walk and the read a file can be replaced by a FIFO or a device, whose plain
    open() blocks forever or never ends: the open does not wait (O_NONBLOCK), and the handle's own
    type is checked before anything is read."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        kind = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(kind):
            raise ItemError("is no longer a regular file (replaced since the folder was listed); not read")
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
