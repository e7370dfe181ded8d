"""C2PA manifests, read and validated by the reference implementation (c2pa-python).

The validation state decides the strength: `Trusted` (the signer chains to a configured trust
anchor, `--c2pa-trust-anchors` / $CLEARSIGHT_C2PA_TRUST_ANCHORS) is proof; `Valid` (intact, but
signed by a certificate nobody vouched for, which anyone can make) is strong; `Invalid`
(tampered, or a broken signature) is only indicative and lists the failure codes. The claims
come from the active manifest's actions (see `_source_type`); older Microsoft manifests, which
say "AI Generated Image" in words and name no source type, are strong evidence at most.

Each ingredient with a manifest of its own (a DALL-E image later converted by ChatGPT) is its own
evidence, `c2pa.ingredient`, strong when its manifest validated and indicative otherwise: an AI
claim made upstream is not lost when a later tool signs without one. A manifest kept remotely
(XMP `dcterms:provenance`, as Adobe Firefly and CDNs do) is reported with its URL and never
fetched: scans stay offline.
"""

from __future__ import annotations

import functools
import io
import json
import re
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


AI_WORDING = re.compile(r"\bAI[ -]generated (image|content|media)\b", re.IGNORECASE)
"""How manifests written before `digitalSourceType` was required said an image was generated
(Microsoft's Bing Image Creator and Designer wrote "AI Generated Image")."""
REMOTE_URL = re.compile(rb'dcterms:provenance(?:="|>)(https?://[^"<\s]{1,2048})')
"""The XMP reference to a manifest kept outside the file."""
NOT_TAMPERING = frozenset({"signingCredential.untrusted"})
"""Validation codes that say who signed, not that anything was altered."""
MAX_INGREDIENT_DEPTH = 8
"""Ingredients of ingredients followed at most this deep (a manifest store is a tree, but a hostile one need not be)."""


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


def _ai_wording(manifest: dict[str, Any]) -> str | None:
    """The words of an action that call the image AI generated, where no source type says so."""
    for action in _actions(manifest):
        agent = action.get("softwareAgent")
        texts = [action.get("description"), agent.get("name") if isinstance(agent, dict) else agent]
        for text in texts:
            found = AI_WORDING.search(text) if isinstance(text, str) else None
            if found:
                return found.group(0)
    return None


def _generator(manifest: dict[str, Any]) -> str | None:
    info = manifest.get("claim_generator_info")
    if isinstance(info, list) and info and isinstance(info[0], dict) and info[0].get("name"):
        return " ".join(str(part) for part in (info[0]["name"], info[0].get("version")) if part)
    return manifest.get("claim_generator")


def _failures(results: dict[str, Any] | None) -> list[str]:
    active = (results or {}).get("activeManifest") or {}
    return sorted({str(entry.get("code")) for entry in active.get("failure") or [] if isinstance(entry, dict)})


def remote_evidence(url: str) -> Evidence:
    """A manifest the file points at but does not hold; it is not fetched, so it proves nothing."""
    return Evidence(source="c2pa", strength=Strength.INDICATIVE, claims={"state": "remote", "remote_manifest": url})


def _claim_evidence(source: str, manifest: dict[str, Any], state: str, strength: Strength, failures: list[str]) -> Evidence:
    """What one manifest claims, at the strength its validation allows."""
    dst = _source_type(manifest)
    wording = _ai_wording(manifest) if dst is None else None
    signature = manifest.get("signature_info") or {}
    claims: dict[str, Any] = {"state": state, "digital_source_type": dst, "signer": signature.get("common_name") or signature.get("issuer"),
                              "issuer": signature.get("issuer")}
    if wording:
        claims["ai_wording"] = wording
        strength = min(strength, Strength.STRONG)
    if failures:
        claims["failures"] = failures
    ai = source_type.ai_claim(dst) if dst else (True if wording else None)
    return Evidence(source=source, strength=strength, ai_generated=ai, tool=_generator(manifest), claims=claims)


def _ingredient_failures(ingredient: dict[str, Any], label: str, deltas: list[Any]) -> list[str]:
    """An ingredient's failure codes, wherever its c2pa version keeps them: `validation_results`
    (C2PA 2), `validation_status` (1.x, failures only), and the reader's `ingredientDeltas` for
    failures found on reading (their URLs name the ingredient's manifest)."""
    codes = set(_failures(ingredient.get("validation_results")))
    codes |= {str(entry.get("code")) for entry in ingredient.get("validation_status") or [] if isinstance(entry, dict) and entry.get("code")}
    for delta in deltas:
        failures = ((delta.get("validationDeltas") or {}).get("failure") or []) if isinstance(delta, dict) else []
        codes |= {str(entry.get("code")) for entry in failures if isinstance(entry, dict) and label in str(entry.get("url", ""))}
    return sorted(codes - NOT_TAMPERING)


def _ingredients(store: dict[str, Any], manifest: dict[str, Any], deltas: list[Any], depth: int = 0) -> list[Evidence]:
    """Evidence of every ingredient with a manifest in the store, ingredients of ingredients too."""
    found: list[Evidence] = []
    manifests = store.get("manifests") or {}
    for ingredient in manifest.get("ingredients") or []:
        label = ingredient.get("active_manifest") if isinstance(ingredient, dict) else None
        parent = manifests.get(label) if isinstance(label, str) else None
        if not isinstance(label, str) or not isinstance(parent, dict) or depth >= MAX_INGREDIENT_DEPTH:
            continue
        # Its validation was recorded when the later tool signed, against that tool's trust list:
        # an untrusted signer then says nothing about tampering.
        failures = _ingredient_failures(ingredient, label, deltas)
        state = "invalid" if failures else "valid"
        evidence = _claim_evidence("c2pa.ingredient", parent, state, Strength.INDICATIVE if failures else Strength.STRONG, failures)
        evidence.claims["relationship"] = ingredient.get("relationship")
        found += [evidence, *_ingredients(store, parent, deltas, depth + 1)]
    return found


def read_manifest(stream: BinaryIO, mime: str, trust_anchors: Path | None) -> list[Evidence]:
    """C2PA evidence from a file of any format c2pa reads (images, MP4/MOV and other BMFF video):
    the active manifest's, then each ingredient's."""
    try:
        with c2pa_lib.Reader(mime, stream, context=_context(trust_anchors)) as reader:
            state = reader.get_validation_state() or "Invalid"
            manifest = reader.get_active_manifest() or {}
            results = reader.get_validation_results() or {}
            failures = _failures(results)
            store = json.loads(reader.json() or "{}")
    except c2pa_lib.C2paError as exc:
        if any(kind in type(exc).__name__ or kind in str(exc) for kind in ("ManifestNotFound", "NotSupported")):
            return []  # no manifest, or a format c2pa has no manifest place in (WebM, Ogg, FLAC...)
        remote = re.search(r"remote manifests from url (https?://\S{1,2048})", str(exc))
        if remote:
            return [remote_evidence(remote.group(1))]
        return [unreadable("c2pa", f"the C2PA manifest store cannot be read: {exc}")]
    except OSError as exc:
        return [unreadable("c2pa", f"the trust anchors cannot be read: {exc}")]
    except ValueError as exc:
        return [unreadable("c2pa", f"the C2PA manifest store cannot be read: {exc}")]
    active = _claim_evidence("c2pa", manifest, state.lower(), STRENGTH_BY_STATE.get(state, Strength.INDICATIVE), failures)
    deltas = results.get("ingredientDeltas") if isinstance(results, dict) else None
    return [active, *_ingredients(store if isinstance(store, dict) else {}, manifest, deltas if isinstance(deltas, list) else [])]


class C2paReader:
    name = "c2pa"

    def read(self, context: ImageContext) -> list[Evidence]:
        if not all(marker in context.data for marker in C2PA_MARKERS):
            remote = REMOTE_URL.search(context.data)
            return [remote_evidence(remote.group(1).decode("ascii", "replace"))] if remote else []
        return read_manifest(io.BytesIO(context.data), MIME_BY_FORMAT.get(context.format or "", ""), context.settings.c2pa_trust_anchors)
