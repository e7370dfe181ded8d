"""Settings in one place: the database location and the safety limits of a scan.

Every limit can be set by an environment variable (`CLEARSIGHT_<NAME>` in upper case), so that
an examiner can loosen one for a known-good evidence set without code changes. Each breach of a
limit becomes a per-item error, never a crash, so the defaults can be conservative.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from clearsight.errors import ClearsightError

DEFAULT_DB_FILE = "clearsight.db"
MiB = 1024 * 1024
DEFAULT_CACHE_DIR = Path("~/.cache/clearsight").expanduser()
NOVELAI_PUBLIC_KEY = "Y2JcQAOhLwzwSDUJPNgL04nS0Tbqm7cSRc4xk0vRMic="
"""The Ed25519 key NovelAI publishes (NovelAI/novelai-image-metadata) for verifying its images."""


@dataclass(frozen=True)
class Limits:
    """Bounds against decompression bombs and hostile inputs."""

    max_image_pixels: int = 178_956_970
    """Largest image (width x height) decoded; Pillow's own default bomb limit."""
    max_archive_depth: int = 5
    """How many archives deep a member may sit (a zip in a zip in a zip ...)."""
    max_archive_members: int = 100_000
    """Members read from one archive before the rest is refused."""
    max_member_bytes: int = 512 * MiB
    """Largest decompressed archive member; members are held in memory, never written out."""
    max_archive_bytes: int = 8 * 1024 * MiB
    """Total decompressed bytes read from one top-level archive, nested members included."""
    max_compression_ratio: int = 200
    """Decompressed/compressed ratio above which a zip member is treated as a bomb."""
    in_memory_bytes: int = 64 * MiB
    """Files up to this size are read once into memory and shared by all stages."""
    max_metadata_bytes: int = 4 * MiB
    """Largest single metadata field (a PNG text chunk, an EXIF comment, XMP) given to provenance readers."""
    max_model_header_bytes: int = 100 * MiB
    """Largest safetensors JSON header or GGUF metadata block read from a model file."""
    max_pickle_bytes: int = 16 * MiB
    """Pickle stream scanned per pickle (a raw pickle, or one `.pkl` member of a PyTorch zip);
    past it the scan stops and the file is flagged unsafe, since its unread rest could import anything."""
    max_video_pixels: int = 7680 * 4320
    """Largest video frame (width x height) decoded: 8K."""
    max_video_seconds: int = 6 * 3600
    """Video past this is not hashed (what came before is kept, with an error)."""
    max_video_frames: int = 6 * 3600 * 60
    """Frames decoded from one video (six hours at 60 frames a second): a stream of tiny frames
    whose timestamps never advance would otherwise decode until the time budget ends it, and
    lose the hashes made so far. Animated images are never walked frame by frame (only the
    first frame is decoded), so they need no such bound."""
    max_decode_bytes: int = 768 * MiB
    """Memory one image's pixels may take when decoded (Pillow holds RGB as 4 bytes a pixel, and
    its WebP decoder holds two copies while decoding); a larger image is refused before
    decoding: its hashes but no PDQ, its metadata but no pixel evidence."""
    max_worker_bytes: int = 4 * 1024 * MiB
    """Address space of each scan worker process (RLIMIT_AS): a file that needs more is that
    file's error and its worker is replaced, instead of the machine swapping or the OOM killer
    choosing a victim."""
    max_item_seconds: int = 60
    """Time each file may take, plus `item_seconds_per_mib` per MiB of it (a long video needs
    longer than a photo); past it the file is that file's error and its worker is replaced."""
    item_seconds_per_mib: int = 1

    def seconds_for(self, size: int) -> float:
        """The time budget of a file (or upload) of `size` bytes."""
        return self.max_item_seconds + self.item_seconds_per_mib * size / MiB


@dataclass(frozen=True)
class DetectorRun:
    """An enabled detector as a scan's workers run it (`detectors.manage.scan_runs` fills these
    in from the case database before the scan starts)."""

    name: str
    sha256: str
    model_path: Path
    """The model, written to the cache under its SHA-256 for the workers to open."""
    card: dict[str, Any]
    threshold: float
    """Scores at or above it count as AI-made: the latest calibration's, else the card's."""
    false_positive_rate: float | None
    """What the latest calibration measured at that threshold (None: not calibrated)."""
    verdicts: bool
    """Whether its score may make a verdict `ai` (admin allowed it and the calibration met their ceiling)."""


@dataclass(frozen=True)
class CameraRun:
    """A camera fingerprint as a scan's workers test images against it (`cameras.manage.scan_runs`)."""

    name: str
    sha256: str
    pattern_path: Path
    """The fingerprint, written to the cache under its SHA-256 as a NumPy array file."""


GENERATORS_SINCE = date(2022, 1, 1)
"""When realistic image generators became widely available (DALL-E 2 in April 2022, Stable
Diffusion in August 2022); items first seen before it predate them."""


@dataclass(frozen=True)
class Settings:
    """What a command needs to know besides its arguments."""

    db: str = DEFAULT_DB_FILE
    limits: Limits = Limits()
    cache_dir: Path = DEFAULT_CACHE_DIR
    """Where snapshots of large PDQ indexes are kept between commands ($CLEARSIGHT_CACHE_DIR)."""
    trust_mtime: bool = False
    """Reuse a recorded file when its path, size and mtime match, without checking its bytes
    (`--trust-mtime`; by default a re-scan hashes each file again and compares)."""
    pdq_dihedral: bool = False
    """Also compute the PDQ of each rotation and mirror image, to match flipped and rotated re-uploads."""
    vpdq_fps: float = 0.0
    """Video frames hashed per second of video (vPDQ); 0, the default, hashes every frame, as the
    reference does: sampled queries miss matches the reference makes (docs/video.md)."""
    c2pa_trust_anchors: Path | None = None
    """PEM bundle of C2PA signer roots to trust ($CLEARSIGHT_C2PA_TRUST_ANCHORS); a manifest chaining
    to one is `trusted`, which is what makes its claims proof."""
    api_rate: float = 1000.0
    """Requests per second each API token may make ($CLEARSIGHT_API_RATE); bursts of twice that pass."""
    max_json_bytes: int = MiB
    """Largest request body the web app and API take, JSON or form, file uploads apart ($CLEARSIGHT_MAX_JSON_BYTES)."""
    novelai_public_keys: tuple[str, ...] = (NOVELAI_PUBLIC_KEY,)
    """Base64 Ed25519 keys accepted for NovelAI's `signed_hash` ($CLEARSIGHT_NOVELAI_PUBLIC_KEYS, comma-separated, replaces)."""
    url_fetch_allow: tuple[str, ...] = ()
    """Hosts (names, with their subdomains, or CIDR ranges) the API may fetch `?url=` media from on a
    caller's behalf ($CLEARSIGHT_URL_FETCH_ALLOW, comma-separated); none, so no fetching, by default."""
    detectors: tuple[DetectorRun, ...] = ()
    """The detectors a scan runs (none unless the case database has enabled ones)."""
    cameras: tuple[CameraRun, ...] = ()
    """The camera fingerprints a scan tests images against (`scan --cameras`; none by default)."""
    camera_false_match_rate: float = 1e-6
    """The chance, per camera, that an image another camera took is linked to it; sets the PCE
    threshold ($CLEARSIGHT_CAMERA_FALSE_MATCH_RATE)."""
    quarantine_matches_per_hour: int = 1000
    """The API quarantines a bank entry matched more often than this in one hour, for an analyst to
    review (`clearsight bank quarantine`); 0 turns it off ($CLEARSIGHT_QUARANTINE_MATCHES_PER_HOUR).
    Scans never quarantine."""
    generators_since: date = GENERATORS_SINCE
    """Items first seen before this date get evidence that they predate realistic image
    generators ($CLEARSIGHT_GENERATORS_SINCE, an ISO 8601 date)."""


def _limits_from_env(env: dict[str, str]) -> Limits:
    limits = Limits()
    changes: dict[str, int] = {}
    for field in fields(Limits):
        raw = env.get(f"CLEARSIGHT_{field.name.upper()}")
        if raw is None:
            continue
        try:
            value = int(raw.replace("_", ""))
        except ValueError:
            raise ClearsightError(f"CLEARSIGHT_{field.name.upper()} must be a whole number, not {raw!r}") from None
        if value <= 0:
            raise ClearsightError(f"CLEARSIGHT_{field.name.upper()} must be positive")
        changes[field.name] = value
    return replace(limits, **changes)


def load_settings(db: str | None = None, env: dict[str, str] | None = None) -> Settings:
    """Settings from the command line (`db`) and the environment, the command line winning."""
    env = dict(os.environ) if env is None else env
    settings = Settings(db=db or env.get("CLEARSIGHT_DB") or DEFAULT_DB_FILE, limits=_limits_from_env(env))
    if env.get("CLEARSIGHT_CACHE_DIR"):
        settings = replace(settings, cache_dir=Path(env["CLEARSIGHT_CACHE_DIR"]))
    if env.get("CLEARSIGHT_C2PA_TRUST_ANCHORS"):
        settings = replace(settings, c2pa_trust_anchors=Path(env["CLEARSIGHT_C2PA_TRUST_ANCHORS"]))
    if env.get("CLEARSIGHT_API_RATE"):
        try:
            settings = replace(settings, api_rate=float(env["CLEARSIGHT_API_RATE"]))
        except ValueError:
            raise ClearsightError(f"CLEARSIGHT_API_RATE must be a number, not {env['CLEARSIGHT_API_RATE']!r}") from None
    if env.get("CLEARSIGHT_MAX_JSON_BYTES"):
        raw = env["CLEARSIGHT_MAX_JSON_BYTES"]
        if not raw.replace("_", "").isdigit() or int(raw.replace("_", "")) <= 0:
            raise ClearsightError(f"CLEARSIGHT_MAX_JSON_BYTES must be a positive whole number of bytes, not {raw!r}")
        settings = replace(settings, max_json_bytes=int(raw.replace("_", "")))
    if env.get("CLEARSIGHT_NOVELAI_PUBLIC_KEYS"):
        settings = replace(settings, novelai_public_keys=tuple(key.strip() for key in env["CLEARSIGHT_NOVELAI_PUBLIC_KEYS"].split(",") if key.strip()))
    if env.get("CLEARSIGHT_CAMERA_FALSE_MATCH_RATE"):
        raw = env["CLEARSIGHT_CAMERA_FALSE_MATCH_RATE"]
        try:
            rate = float(raw)
        except ValueError:
            rate = -1.0
        if not 0 < rate < 1:
            raise ClearsightError(f"CLEARSIGHT_CAMERA_FALSE_MATCH_RATE must be a number between 0 and 1, not {raw!r}")
        settings = replace(settings, camera_false_match_rate=rate)
    if env.get("CLEARSIGHT_QUARANTINE_MATCHES_PER_HOUR"):
        raw = env["CLEARSIGHT_QUARANTINE_MATCHES_PER_HOUR"]
        if not raw.strip().isdigit():
            raise ClearsightError(f"CLEARSIGHT_QUARANTINE_MATCHES_PER_HOUR must be a whole number (0: off), not {raw!r}")
        settings = replace(settings, quarantine_matches_per_hour=int(raw))
    if env.get("CLEARSIGHT_GENERATORS_SINCE"):
        try:
            settings = replace(settings, generators_since=date.fromisoformat(env["CLEARSIGHT_GENERATORS_SINCE"]))
        except ValueError:
            raise ClearsightError(f"CLEARSIGHT_GENERATORS_SINCE must be an ISO 8601 date, not {env['CLEARSIGHT_GENERATORS_SINCE']!r}") from None
    if env.get("CLEARSIGHT_URL_FETCH_ALLOW"):
        settings = replace(settings, url_fetch_allow=tuple(host.strip() for host in env["CLEARSIGHT_URL_FETCH_ALLOW"].split(",") if host.strip()))
    return settings


def database_url(db: str) -> str:
    """Turn `--db` (a file path or a SQLAlchemy URL) into a URL.

    PostgreSQL URLs without a driver get psycopg 3, the driver we ship.
    """
    if "://" not in db:
        return f"sqlite:///{Path(db).expanduser().resolve()}"
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return db
