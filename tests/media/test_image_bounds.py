"""An image's claimed size is checked before anything reads it, and its metadata is read without
decoding its pixels: a header that lies costs nothing, in a scan worker or in the API."""

from __future__ import annotations

import json
import resource
import struct
import subprocess
import sys
import zlib

from clearsight.config import Settings
from clearsight.media.png_chunks import trailing_metadata
from clearsight.pipeline.process import process_bytes
from tests.media_factory import _png_chunk, image_bytes, png_claiming

ONE_GIB = 1 << 30


def _within_one_gib() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ONE_GIB, ONE_GIB))


def processed_in_a_gib(data: bytes) -> dict[str, object]:
    """What `process_bytes` (the scan's and the API's stages) makes of `data`, and its peak memory,
    in a child process whose address space is capped at 1 GiB."""
    code = (
        "import json, sys\n"
        "from clearsight.config import Settings\n"
        "from clearsight.pipeline.process import process_bytes\n"
        "result = process_bytes('probe.png', sys.stdin.buffer.read(), Settings())[0]\n"
        "status = open('/proc/self/status').read()\n"  # VmHWM is this program's own peak; ru_maxrss includes the forking parent's
        "peak = int(status.split('VmHWM:')[1].split()[0]) * 1024\n"
        "print(json.dumps({'errors': [m for _, m in result.errors], 'provenance': result.provenance, 'peak_bytes': peak}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, check=False, timeout=60, preexec_fn=_within_one_gib)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_a_69_byte_png_claiming_500_gigapixels_is_refused_within_a_gib() -> None:
    bomb = png_claiming(5_000_000, 100_000)
    assert len(bomb) < 80
    outcome = processed_in_a_gib(bomb)
    assert any("claims 5000000x100000 pixels" in str(error) for error in outcome["errors"])  # type: ignore[union-attr]
    assert "cannot" not in json.dumps(outcome["provenance"])  # no reader tried a decode and failed
    assert int(outcome["peak_bytes"]) < 300 * 2**20  # type: ignore[call-overload]


def test_metadata_after_the_pixels_is_read_without_decoding_them() -> None:
    parameters = b"parameters\0Steps: 20, Sampler: Euler, Model: base_v1"
    exif = b"MM\0*\0\0\0\x08\0\0\0\0\0\0"  # an empty big-endian TIFF block
    clean = image_bytes("PNG")
    iend = clean.rindex(b"IEND") - 4
    late = clean[:iend] + _png_chunk(b"tEXt", parameters) + _png_chunk(b"eXIf", exif) + clean[iend:]
    found = trailing_metadata(late, 1 << 20)
    assert found.texts == {"parameters": "Steps: 20, Sampler: Euler, Model: base_v1"}
    assert found.exif == exif
    provenance = process_bytes("late.png", late, Settings())[0].provenance
    assert provenance is not None and provenance["tool"] == "AUTOMATIC1111"


def test_a_text_chunk_after_the_pixels_with_a_broken_checksum_is_still_read() -> None:
    clean = image_bytes("PNG")
    iend = clean.rindex(b"IEND") - 4
    chunk = bytearray(_png_chunk(b"tEXt", b"Software\0benign-tool 1.0"))
    chunk[-1] ^= 0xFF
    assert trailing_metadata(clean[:iend] + bytes(chunk) + clean[iend:], 1 << 20).texts == {"Software": "benign-tool 1.0"}


def test_compressed_text_that_inflates_past_the_limit_is_reported_not_inflated() -> None:
    clean = image_bytes("PNG")
    iend = clean.rindex(b"IEND") - 4
    flood = _png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"a" * 4_000_000))
    found = trailing_metadata(clean[:iend] + flood + clean[iend:], 1 << 20)
    assert found.texts == {}
    assert found.problems == ["a zTXt chunk cannot be read: inflates past 1,048,576 bytes"]


def test_a_truncated_chunk_list_ends_the_walk_quietly() -> None:
    clean = image_bytes("PNG")
    assert trailing_metadata(clean[:-20] + struct.pack(">I", 1 << 30) + b"tEXt", 1 << 20).texts == {}


def _with_chunk_before_pixels(png: bytes, chunk: bytes) -> bytes:
    after_header = png.index(b"IHDR") + 4 + 13 + 4
    return png[:after_header] + chunk + png[after_header:]


def _pdq_of(data: bytes) -> object:
    result = process_bytes("probe.png", data, Settings())[0]
    return result.hashes.get("pdq")


def test_one_wrong_checksum_on_a_comment_chunk_does_not_hide_an_image_from_matching() -> None:
    clean = image_bytes("PNG", seed=5)
    good_chunk = _png_chunk(b"tEXt", b"Comment\0hello")
    damaged = _with_chunk_before_pixels(clean, good_chunk[:-4] + b"\0\0\0\0")
    assert _pdq_of(damaged) is not None
    assert _pdq_of(damaged) == _pdq_of(clean)


def test_a_compressed_comment_that_inflates_past_pillows_limit_does_not_hide_an_image() -> None:
    clean = image_bytes("PNG", seed=6)
    huge = _png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"a" * (16 * 1024 * 1024)))
    padded = _with_chunk_before_pixels(clean, huge)
    assert _pdq_of(padded) is not None
    assert _pdq_of(padded) == _pdq_of(clean)
