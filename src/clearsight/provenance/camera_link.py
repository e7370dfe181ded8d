"""Sensor-fingerprint links as provenance evidence: the image carries the PRNU of a seized camera
of the case (`scan --cameras`, `clearsight cameras match`).

A link is strong evidence that this camera's sensor recorded the picture, and so supports capture;
it is never a verdict by itself (only a signed C2PA capture makes one `camera`). Only cameras the
image matched are listed. The fingerprints are read once per worker process from the files
`cameras.manage.scan_runs` wrote, as plain arrays (never unpickled).
"""

from __future__ import annotations

import numpy as np

from clearsight.cameras.match import CameraTest, Fingerprint, compare
from clearsight.config import CameraRun
from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, Strength

SOURCE = "camera"
LIMITS = ("a match needs the picture as the sensor recorded it, cropped or turned at most: a resized, warped or heavily filtered copy no longer "
          "lines up and is missed, so no match never shows that the camera did not take it; a fingerprint is only as good as its reference photos")
_loaded: dict[str, Fingerprint] = {}
"""This process's fingerprints, by SHA-256 of the stored pattern."""


def _fingerprint(run: CameraRun) -> Fingerprint:
    if run.sha256 not in _loaded:
        _loaded[run.sha256] = Fingerprint(run.name, np.load(run.pattern_path, allow_pickle=False).astype(np.float32))
    return _loaded[run.sha256]


def link_evidence(test: CameraTest) -> Evidence:
    """The evidence of one camera the image matched."""
    return Evidence(source=SOURCE, strength=Strength.STRONG, claims={
        **test.link(), "threshold": round(test.threshold, 1), "rotation": test.placement.rotation * 90, "offset": list(test.placement.offset),
        "supports_capture": True,
        "finding": f"the sensor pattern (PRNU) of camera {test.camera} is in this image: PCE {test.pce:,.0f} against a threshold of {test.threshold:,.0f}",
        "limits": LIMITS})


class CameraLinkReader:
    """Tests the stored pixels against every camera of the scan."""

    name = SOURCE

    def read(self, context: ImageContext) -> list[Evidence]:
        runs = context.settings.cameras
        if not runs or context.pixels is None:
            return []
        tests = compare(np.ascontiguousarray(context.pixels[..., :3]), map(_fingerprint, runs), context.settings.camera_false_match_rate)
        return [link_evidence(test) for test in tests if test.decision == "match"]
