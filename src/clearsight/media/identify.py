"""The identify stage: what kind of media an item is, from its bytes, never its name.

Offenders rename files to hide them, so the extension is ignored. Media and archive formats are
recognised by `filetype`; model files by `modelfiles`.
"""

from __future__ import annotations

import filetype
from filetype.types import AUDIO, IMAGE, VIDEO

from clearsight.config import Settings
from clearsight.errors import ItemError
from clearsight.item import Item
from clearsight.media import modelfiles

HEAD_BYTES = 8192
"""How much of the start of a file the sniffers look at (what `filetype` needs)."""

ARCHIVE_EXTENSIONS = {"zip", "tar", "gz", "bz2", "xz", "7z", "rar", "zst"}
_IMAGE_MIMES = {kind.mime for kind in IMAGE}
_VIDEO_MIMES = {kind.mime for kind in VIDEO}
_AUDIO_MIMES = {kind.mime for kind in AUDIO}


def identify(item: Item, settings: Settings) -> None:
    """Set `media_type` and `mime` on the item's result."""
    result = item.result
    head = item.head
    if not head:
        raise ItemError("empty file (0 bytes)")
    model_mime = modelfiles.sniff_model(head, whole=len(head) >= result.size)
    if model_mime:
        result.media_type, result.mime = "model", model_mime
        return
    kind = filetype.guess(head)
    if kind is None:
        if head[4:8] == b"ftyp":  # ISO BMFF of a brand filetype does not list (DASH and CMAF segments: `dash`, `cmfc`, `iso6`...)
            result.media_type, result.mime = "video", "video/mp4"
        else:
            result.media_type = "other"
        return
    result.mime = kind.mime
    if kind.mime in _IMAGE_MIMES:
        result.media_type = "image"
    elif kind.mime in _VIDEO_MIMES:
        result.media_type = "video"
    elif kind.mime in _AUDIO_MIMES:
        result.media_type = "audio"
    elif kind.extension == "zip":
        with item.open() as stream:
            pickle_zip = modelfiles.pickle_zip_kind(stream)
        if pickle_zip:
            result.media_type, result.mime = "model", pickle_zip
            return
        result.media_type, item.archive_kind = "archive", "zip"
    elif kind.extension in ARCHIVE_EXTENSIONS:
        result.media_type, item.archive_kind = "archive", kind.extension
    else:
        result.media_type = "other"
