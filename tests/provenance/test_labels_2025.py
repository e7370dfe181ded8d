"""The AI labels of 2025: China's GB 45438 implicit `AIGC` label, IPTC 2025.1's AI properties and
the character cards AI chatbot services exchange. Their free texts are hidden like prompts;
malformed ones are evidence marked unreadable, never a crash."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest

from clearsight.config import Settings
from clearsight.item import ItemResult
from clearsight.pipeline.process import process_bytes
from clearsight.provenance.evidence import Strength
from clearsight.provenance.stage import public, verdict_record
from tests.provenance_factory import exif_image, png, sources, verdict_of

RDF = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">{}</rdf:RDF></x:xmpmeta>')
AIGC = {"Label": "1", "ContentProducer": "001191110108MA01KP2T5U00000", "ProduceID": "20250901-0001", "ReservedCode1": "", "ContentPropagator": "",
        "PropagateID": "", "ReservedCode2": ""}


def _tc260_xmp(label: dict[str, str]) -> bytes:
    value = json.dumps(label).replace('"', "&quot;")
    return RDF.format(f'<rdf:Description xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/" TC260:AIGC="{value}"/>').encode()


def test_a_gb_45438_label_in_xmp_says_generated_with_the_services_identifiers() -> None:
    verdict = verdict_of(exif_image("JPEG", xmp=_tc260_xmp(AIGC)))
    label = sources(verdict)["aigc_label"]
    assert (verdict.verdict, verdict.strength, label.ai_generated) == ("ai", Strength.STRONG, True)
    assert label.claims == {"label": "1", "content_producer": AIGC["ContentProducer"], "produce_id": "20250901-0001", "found_in": "xmp", "meaning": "generated"}


@pytest.mark.parametrize(("value", "meaning"), [("2", "possibly generated"), ("3", "suspected generated")])
def test_possibly_or_suspected_generated_labels_are_only_indicative(value: str, meaning: str) -> None:
    label = sources(verdict_of(png({"AIGC": json.dumps(AIGC | {"Label": value})})))["aigc_label"]
    assert (label.claims["meaning"], label.claims["found_in"], label.strength) == (meaning, "text", Strength.INDICATIVE)


def test_a_label_that_is_no_json_object_is_unreadable() -> None:
    assert "not a JSON object" in (sources(verdict_of(png({"AIGC": "Label=1"})))["aigc_label"].unreadable or "")


def test_iptc_2025_ai_properties_name_the_system_and_hide_the_prompt_and_its_writer() -> None:
    description = ('<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" Iptc4xmpExt:AISystemUsed="Benign Model"'
                   ' Iptc4xmpExt:AISystemVersionUsed="2.1" Iptc4xmpExt:AIPromptWriterName="A. Writer">'
                   '<Iptc4xmpExt:AIPromptInformation>a lighthouse at dusk</Iptc4xmpExt:AIPromptInformation></rdf:Description>')
    verdict = verdict_of(exif_image("JPEG", xmp=RDF.format(description).encode()))
    ai = sources(verdict)["iptc_ai"]
    assert (verdict.verdict, ai.tool, ai.strength, ai.claims["prompt"]) == ("ai", "Benign Model 2.1", Strength.STRONG, "a lighthouse at dusk")
    shown = json.dumps(public(verdict_record(verdict)))
    assert "lighthouse" not in shown and "A. Writer" not in shown and '"prompt_writer"' in shown


def _card(spec: str, **data: object) -> str:
    return base64.b64encode(json.dumps({"spec": spec, "spec_version": "2.0" if spec == "chara_card_v2" else "3.0", "data": data}).encode()).decode()


@pytest.mark.parametrize(("chunk", "spec"), [("chara", "chara_card_v2"), ("ccv3", "chara_card_v3")])
def test_a_character_card_says_which_app_wrote_it_and_hides_every_free_text(chunk: str, spec: str) -> None:
    card = _card(spec, name="Benign Robot", description="a helpful robot", first_mes="Hello", creator="someone", tags=["robot"],
                 extensions={"sillytavern": {}, "chub": {"id": 1}}, character_book={"entries": [{}, {}]})
    verdict = verdict_of(png({chunk: card}))
    evidence = sources(verdict)["character_card"]
    assert (evidence.ai_generated, evidence.claims["spec"], evidence.claims["apps"], evidence.claims["lorebook_entries"]) == (None, spec, ["chub", "sillytavern"], 2)
    assert verdict.verdict == "unknown"  # a card says whose avatar it is, not how the picture was made
    shown = json.dumps(public(verdict_record(verdict)))
    assert not any(text in shown for text in ("Benign Robot", "helpful robot", "Hello", "someone", '"robot"'))
    assert all(key in shown for key in ('"card_name"', '"card_description"', '"card_first_message"', '"card_creator"', '"card_tags"'))


def test_a_card_that_is_no_base64_json_is_unreadable() -> None:
    assert "not a base64 JSON character card" in (sources(verdict_of(png({"chara": "%%%not base64%%%"})))["character_card"].unreadable or "")


def _charx(card: bytes, name: str = "robot.charx") -> list[ItemResult]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("card.json", card)
        archive.writestr("assets/icon/images/main.png", png())
    return process_bytes(name, buffer.getvalue(), Settings())


def test_a_charx_card_is_evidence_on_the_archive_and_its_pictures_are_scanned_as_members() -> None:
    card = json.dumps({"spec": "chara_card_v3", "spec_version": "3.0",
                       "data": {"name": "Benign Robot", "description": "a helpful robot", "extensions": {"risuai": {}}}}).encode()
    archive, card_member, picture = _charx(card)
    assert card_member.path == "robot.charx!/card.json" and card_member.provenance is None
    evidence = archive.provenance["evidence"][0] if archive.provenance else {}
    assert (evidence["source"], evidence["claims"]["chunk"], evidence["claims"]["apps"]) == ("character_card", "charx", ["risuai"])
    assert archive.provenance and archive.provenance["verdict"] == "unknown"
    assert (picture.path, picture.media_type, picture.parent) == ("robot.charx!/assets/icon/images/main.png", "image", 0)
    shown = json.dumps(public(archive.provenance))
    assert "Benign Robot" not in shown and "helpful robot" not in shown and '"card_name"' in shown


def test_a_charx_whose_card_is_no_json_card_is_unreadable_and_an_ordinary_zip_has_no_provenance() -> None:
    archive = _charx(b"\x00\x01 not json")[0]
    assert archive.provenance and "not a JSON character card" in archive.provenance["evidence"][0]["unreadable"]
    plain = _charx(b'{"settings": true}', name="backup.zip")[0]
    assert plain.provenance is None
