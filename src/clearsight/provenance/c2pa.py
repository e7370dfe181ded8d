"""C2PA manifests, read and validated by the reference implementation (c2pa-python).

The validation state decides the strength: `Trusted` (the signer chains to a configured trust
anchor, `--c2pa-trust-anchors` / $CLEARSIGHT_C2PA_TRUST_ANCHORS) is proof; `Valid` (intact, but
signed by a certificate nobody vouched for, which anyone can make) is strong; `Invalid`
(tampered, or a broken signature) is only indicative and lists the failure codes. The claims
come from the active manifest's actions (see `_source_type`).
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any, BinaryIO

import c2pa as c2pa_lib

from clearsight.provenance import source_type
from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, Strength, unreadable

STRENGTH_BY_STATE = {"Trusted": Strength.PROOF, "Valid": Strength.STRONG, "Invalid": Strength.INDICATIVE}
MIME_BY_FORMAT = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "AVIF": "image/avif", "HEIF": "image/heic", "TIFF": "image/tiff", "GIF": "image/gif"}
C2PA_MARKERS = (b"c2pa", b"jumb")
"""Byte strings every embedded manifest store contains (JUMBF box type and label); files without
them are skipped without calling the native reader."""


OFFLINE = {"remote_manifest_fetch": False, "ocsp_fetch": False}
"""Evidence is examined offline: no manifest or revocation status is fetched for a file."""


ALLOWED_EKUS = {
    "1.3.6.1.4.1.62558.2.1": "c2pa-kp-claimSigning (the C2PA conformance programme)",
    "1.3.6.1.4.1.311.76.59.1.9": "Microsoft C2PA signing (Bing Image Creator, Designer, Azure OpenAI)",
    "1.3.6.1.5.5.7.3.36": "id-kp-documentSigning",
    "1.3.6.1.5.5.7.3.4": "id-kp-emailProtection",
    "1.3.6.1.5.5.7.3.8": "id-kp-timeStamping",
    "1.3.6.1.5.5.7.3.9": "id-kp-OCSPSigning",
}
"""The certificate uses a C2PA signer may be certified for: those of the C2PA trust list's and the
CAI interim list's `store.cfg`. Without this list c2pa accepts e-mail protection alone, so a
certificate a real authority issued for C2PA claim signing fails as "missing required EKU"."""
TRUST_CONFIG = "".join(f"// {name}\n{oid}\n" for oid, name in ALLOWED_EKUS.items())
"""ALLOWED_EKUS in c2pa's `trust_config` form (one OID a line, `//` comments)."""


@functools.cache
def _context(trust_anchors: Path | None) -> c2pa_lib.Context:
    """One validation context per process and trust configuration; the allowed certificate uses
    apply with or without trust anchors (a signature is `valid` only if its certificate may sign)."""
    if trust_anchors is None:
        return c2pa_lib.Context.from_dict({"trust": {"trust_config": TRUST_CONFIG}, "verify": {"verify_trust": False, **OFFLINE}})
    return c2pa_lib.Context.from_dict({"trust": {"trust_anchors": trust_anchors.read_text(), "trust_config": TRUST_CONFIG},
                                       "verify": {"verify_trust": True, **OFFLINE}})


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = []
    for assertion in manifest.get("assertions") or []:
        if isinstance(assertion, dict) and str(assertion.get("label", "")).startswith("c2pa.actions"):
            data = assertion.get("data") or {}
            actions += [action for action in data.get("actions") or [] if isinstance(action, dict)]
    return actions


def _source_type(manifest: dict[str, Any]) -> str | None:
    """The manifest's digital source type: a generative-AI type from any action wins (a capture
    edited with generative fill is partly synthetic), else that of `c2pa.created`, else the first."""
    actions = _actions(manifest)
    types = [source_type.code(a["digitalSourceType"]) for a in actions if isinstance(a.get("digitalSourceType"), str)]
    created = [source_type.code(a["digitalSourceType"]) for a in actions
               if a.get("action") in ("c2pa.created", "c2pa.opened") and isinstance(a.get("digitalSourceType"), str)]
    return next((t for t in types if source_type.ai_claim(t)), None) or next(iter(created + types), None)


def _generator(manifest: dict[str, Any]) -> str | None:
    info = manifest.get("claim_generator_info")
    if isinstance(info, list) and info and isinstance(info[0], dict) and info[0].get("name"):
        return " ".join(str(part) for part in (info[0]["name"], info[0].get("version")) if part)
    return manifest.get("claim_generator")


def _failures(results: dict[str, Any] | None) -> list[str]:
    active = (results or {}).get("activeManifest") or {}
    return sorted({str(entry.get("code")) for entry in active.get("failure") or [] if isinstance(entry, dict)})


def read_manifest(stream: BinaryIO, mime: str, trust_anchors: Path | None) -> list[Evidence]:
    """C2PA evidence from a file of any format c2pa reads (images, MP4/MOV and other BMFF video)."""
    try:
        with c2pa_lib.Reader(mime, stream, context=_context(trust_anchors)) as reader:
            state = reader.get_validation_state() or "Invalid"
            manifest = reader.get_active_manifest() or {}
            failures = _failures(reader.get_validation_results())
    except c2pa_lib.C2paError as exc:
        if "ManifestNotFound" in type(exc).__name__ or "ManifestNotFound" in str(exc):
            return []
        return [unreadable("c2pa", f"the C2PA manifest store cannot be read: {exc}")]
    except OSError as exc:
        return [unreadable("c2pa", f"the trust anchors cannot be read: {exc}")]
    dst = _source_type(manifest)
    signature = manifest.get("signature_info") or {}
    signer = signature.get("common_name") or signature.get("issuer")
    claims: dict[str, Any] = {"state": state.lower(), "digital_source_type": dst, "signer": signer, "issuer": signature.get("issuer")}
    if failures:
        claims["failures"] = failures
    return [
        Evidence(
            source="c2pa",
            strength=STRENGTH_BY_STATE.get(state, Strength.INDICATIVE),
            ai_generated=source_type.ai_claim(dst) if dst else None,
            tool=_generator(manifest),
            claims=claims,
        )
    ]


class C2paReader:
    name = "c2pa"

    def read(self, context: ImageContext) -> list[Evidence]:
        if not all(marker in context.data for marker in C2PA_MARKERS):
            return []
        return read_manifest(io.BytesIO(context.data), MIME_BY_FORMAT.get(context.format or "", ""), context.settings.c2pa_trust_anchors)
