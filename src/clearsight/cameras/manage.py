"""The cameras service behind `clearsight cameras` and `scan --cameras`: fingerprint a seized
device from its reference photos, and test images against every fingerprint of the case.

Photos are read as stored (never turned by their EXIF orientation: the fingerprint is a pattern of
sensor pixels), and a photo that cannot be used is that photo's error while the rest go on.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from clearsight.cameras.fingerprint import FingerprintBuilder
from clearsight.cameras.match import Fingerprint
from clearsight.config import CameraRun, Limits, Settings
from clearsight.errors import ClearsightError, ItemError
from clearsight.media.image import stored_rgb
from clearsight.store.cameras import CameraRow, CameraStore
from clearsight.store.key_files import write_new

MIN_PHOTOS = 1
ADVISED_PHOTOS = 20
"""Fewer reference photos give a noisier fingerprint and more misses (Chen et al. 2008 use 20 to 50)."""


@dataclass
class Built:
    """What `add` did: the camera stored, and the photos left out with why."""

    camera: CameraRow
    skipped: list[tuple[str, str]] = field(default_factory=list)


def files_under(paths: Iterable[Path]) -> Iterator[Path]:
    """Files given, and the files of folders given (sorted, recursively)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(child for child in path.rglob("*") if child.is_file())
        else:
            yield path


def pixels(path: Path, limits: Limits) -> np.ndarray:
    return np.asarray(stored_rgb(path, limits))


def add(store: CameraStore, name: str, paths: Iterable[Path], limits: Limits) -> Built:
    """Fingerprint camera `name` from the photos under `paths` and store it."""
    builder = FingerprintBuilder()
    photos: list[dict[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for path in files_under(paths):
        try:
            image = pixels(path, limits)
            builder.add(image)
        except (ItemError, ValueError) as exc:
            skipped.append((str(path), str(exc)))
            continue
        photos.append({"name": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()})
    if len(photos) < MIN_PHOTOS:
        raise ClearsightError(f"no usable reference photo for camera {name!r}" + (f" ({skipped[0][1]})" if skipped else ""))
    return Built(store.add(name, builder.fingerprint(), photos), skipped)


def fingerprints(store: CameraStore) -> list[Fingerprint]:
    return [Fingerprint(row.name, store.pattern(row.name)) for row in store.rows()]


def scan_runs(store: CameraStore, cache_dir: Path) -> tuple[CameraRun, ...]:
    """The case's cameras as a scan's workers test them: each fingerprint written once to the
    cache as a NumPy array file named by its SHA-256 (read back without pickle)."""
    runs = []
    for row in store.rows():
        path = cache_dir / "cameras" / f"{row.sha256}.npy"
        if not path.is_file():
            array = io.BytesIO()
            np.save(array, store.pattern(row.name).astype(np.float16), allow_pickle=False)
            write_new(path, array.getvalue())
        runs.append(CameraRun(name=row.name, sha256=row.sha256, pattern_path=path))
    return tuple(runs)


def with_cameras(settings: Settings, store: CameraStore) -> Settings:
    """`settings` with every camera of the case to test images against (`scan --cameras`)."""
    runs = scan_runs(store, settings.cache_dir)
    if not runs:
        raise ClearsightError("--cameras: the case has no camera fingerprint (clearsight cameras add NAME PHOTO_OR_DIR...)")
    return replace(settings, cameras=runs)
