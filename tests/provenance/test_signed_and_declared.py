"""C2PA manifests (validated, with trust anchors made in the test) and IPTC XMP source types."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from cryptography import x509

from clearsight.config import Settings
from clearsight.provenance.evidence import Strength
from tests.media_factory import image_bytes
from tests.provenance.c2pa_factory import IPTC, CertificateAuthority
from tests.provenance_factory import exif_image, png, sources, verdict_of

XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    'xmp:CreatorTool="Benign Generator 2" Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/{dst}"/>'
    "</rdf:RDF></x:xmpmeta>"
)


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return CertificateAuthority.create()


@pytest.fixture
def trusting(ca: CertificateAuthority, tmp_path: Path) -> Settings:
    return replace(Settings(), c2pa_trust_anchors=ca.write_anchors(tmp_path))


def test_trusted_ai_manifest_is_proof(ca: CertificateAuthority, trusting: Settings) -> None:
    signed = ca.sign(image_bytes("JPEG"), "image/jpeg", "trainedAlgorithmicMedia")
    verdict = verdict_of(signed, trusting)
    c2pa = sources(verdict)["c2pa"]
    assert (verdict.verdict, verdict.strength) == ("ai", Strength.PROOF)
    assert c2pa.claims["state"] == "trusted"
    assert c2pa.claims["signer"] == "Clearsight Test Signer"
    assert c2pa.claims["digital_source_type"] == "trainedAlgorithmicMedia"
    assert c2pa.tool == "benign-generator 1.0"


def test_without_trust_anchors_a_valid_manifest_is_only_strong(ca: CertificateAuthority) -> None:
    signed = ca.sign(image_bytes("PNG"), "image/png", "compositeWithTrainedAlgorithmicMedia")
    verdict = verdict_of(signed)
    assert (verdict.verdict, verdict.strength, sources(verdict)["c2pa"].claims["state"]) == ("ai", Strength.STRONG, "valid")


def test_tampered_manifest_is_invalid_with_failure_codes(ca: CertificateAuthority, trusting: Settings) -> None:
    signed = bytearray(ca.sign(image_bytes("JPEG"), "image/jpeg", "trainedAlgorithmicMedia"))
    signed[-300] ^= 0xFF  # a byte of the picture, after signing
    verdict = verdict_of(bytes(signed), trusting)
    c2pa = sources(verdict)["c2pa"]
    assert c2pa.claims["state"] == "invalid"
    assert c2pa.claims["failures"]
    assert (verdict.verdict, verdict.strength) == ("ai", Strength.INDICATIVE)


def test_only_a_trusted_capture_claim_gives_camera(ca: CertificateAuthority, trusting: Settings) -> None:
    signed = ca.sign(image_bytes("JPEG"), "image/jpeg", "digitalCapture")
    assert verdict_of(signed, trusting).verdict == "camera"
    assert verdict_of(signed).verdict == "unknown"  # valid but nobody vouched for the signer


def test_a_capture_edited_with_generative_fill_is_ai(ca: CertificateAuthority, trusting: Settings) -> None:
    signed = ca.sign(image_bytes("JPEG"), "image/jpeg", "digitalCapture", edited_with="compositeWithTrainedAlgorithmicMedia")
    verdict = verdict_of(signed, trusting)
    assert (verdict.verdict, verdict.strength) == ("ai", Strength.PROOF)
    assert sources(verdict)["c2pa"].claims["digital_source_type"] == "compositeWithTrainedAlgorithmicMedia"


def test_capture_claim_contradicted_by_generator_metadata_is_a_conflict(ca: CertificateAuthority, trusting: Settings) -> None:
    signed = ca.sign(png({"parameters": "p\nSteps: 20, Sampler: Euler, Model: m"}), "image/png", "digitalCapture")
    verdict = verdict_of(signed, trusting)
    assert (verdict.verdict, verdict.conflict) == ("unknown", True)


def test_broken_manifest_store_is_unreadable_not_a_crash(ca: CertificateAuthority) -> None:
    signed = bytearray(ca.sign(image_bytes("JPEG"), "image/jpeg", "trainedAlgorithmicMedia"))
    start = signed.find(b"jumb") + 200
    signed[start : start + 16] = bytes(byte ^ 0x5A for byte in signed[start : start + 16])  # inside the manifest store
    verdict = verdict_of(bytes(signed))
    assert "cannot be read" in (sources(verdict)["c2pa"].unreadable or "")
    assert verdict.verdict == "unknown"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_iptc_digital_source_type_in_xmp(fmt: str) -> None:
    xmp = XMP.format(dst="trainedAlgorithmicMedia").encode()
    data = png(itxt={"XML:com.adobe.xmp": xmp.decode()}) if fmt == "PNG" else exif_image(fmt, xmp=xmp)
    verdict = verdict_of(data)
    iptc = sources(verdict)["iptc"]
    assert (verdict.verdict, verdict.strength, iptc.tool) == ("ai", Strength.STRONG, "Benign Generator 2")


def test_unsigned_capture_type_in_xmp_never_gives_camera() -> None:
    verdict = verdict_of(exif_image("JPEG", xmp=XMP.format(dst="digitalCapture").encode()))
    assert verdict.verdict == "unknown"
    assert sources(verdict)["iptc"].ai_generated is False


def test_xml_bomb_in_xmp_is_refused_as_unreadable() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">&lol2;</x:xmpmeta>')
    verdict = verdict_of(exif_image("JPEG", xmp=bomb.encode()))
    assert "cannot be parsed safely" in (sources(verdict)["xmp"].unreadable or "")
    assert verdict.verdict == "unknown"


@pytest.mark.parametrize("eku", ["1.3.6.1.4.1.62558.2.1", "1.3.6.1.5.5.7.3.36", "1.3.6.1.4.1.311.76.59.1.9"],
                         ids=["c2pa-claim-signing", "document-signing", "microsoft-c2pa"])
def test_signers_certified_for_the_uses_the_c2pa_trust_list_allows_are_trusted(eku: str, tmp_path: Path) -> None:
    authority = CertificateAuthority.create(x509.ObjectIdentifier(eku))
    signed = authority.sign(image_bytes("JPEG"), "image/jpeg", "trainedAlgorithmicMedia")
    trusted = sources(verdict_of(signed, replace(Settings(), c2pa_trust_anchors=authority.write_anchors(tmp_path))))["c2pa"]
    assert (trusted.claims["state"], trusted.strength, trusted.claims.get("failures")) == ("trusted", Strength.PROOF, None)
    assert sources(verdict_of(signed))["c2pa"].claims["state"] == "valid"



def _manifest(*actions: dict[str, object], generator: str = "benign-converter") -> dict[str, object]:
    return {"claim_generator_info": [{"name": generator, "version": "1.0"}], "title": "test image",
            "assertions": [{"label": "c2pa.actions", "data": {"actions": list(actions)}}]}


def test_an_ai_claim_made_in_a_parent_ingredient_is_found_when_a_later_tool_signs_without_one(ca: CertificateAuthority, trusting: Settings) -> None:
    parent = ca.sign(image_bytes("JPEG"), "image/jpeg", "trainedAlgorithmicMedia", generator="benign-generator")
    child = ca.sign_manifest(image_bytes("JPEG", seed=2), "image/jpeg",
                             _manifest({"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}, {"action": "c2pa.converted"}), parent=parent)
    verdict = verdict_of(child, trusting)
    ingredient = sources(verdict)["c2pa.ingredient"]
    assert sources(verdict)["c2pa"].claims["digital_source_type"] is None
    assert (ingredient.ai_generated, ingredient.strength, ingredient.tool) == (True, Strength.STRONG, "benign-generator 1.0")
    assert (ingredient.claims["state"], ingredient.claims["relationship"], ingredient.claims["digital_source_type"]) == ("valid", "parentOf", "trainedAlgorithmicMedia")
    assert (verdict.verdict, verdict.strength) == ("ai", Strength.STRONG)


def test_older_manifests_that_say_ai_generated_in_words_are_strong_evidence_never_proof(ca: CertificateAuthority, trusting: Settings) -> None:
    worded = _manifest({"action": "c2pa.created", "softwareAgent": "Benign Image Creator", "description": "AI Generated Image"})
    verdict = verdict_of(ca.sign_manifest(image_bytes("JPEG"), "image/jpeg", worded, legacy=True), trusting)
    c2pa = sources(verdict)["c2pa"]
    assert (c2pa.claims["state"], c2pa.claims["ai_wording"], c2pa.ai_generated, c2pa.strength) == ("trusted", "AI Generated Image", True, Strength.STRONG)
    assert (verdict.verdict, verdict.strength) == ("ai", Strength.STRONG)


def test_a_remote_manifest_is_reported_with_its_url_and_never_fetched(ca: CertificateAuthority, trusting: Settings) -> None:
    url = "https://manifests.invalid/store/abc.c2pa"  # .invalid never resolves: a fetch would fail loudly
    signed = ca.sign_manifest(image_bytes("JPEG"), "image/jpeg", _manifest({"action": "c2pa.created", "digitalSourceType": IPTC + "digitalCapture"}),
                              remote_url=url)
    c2pa = sources(verdict_of(signed, trusting))["c2pa"]
    assert (c2pa.claims, c2pa.strength, c2pa.ai_generated) == ({"state": "remote", "remote_manifest": url}, Strength.INDICATIVE, None)
