"""Generation metadata: each tool's format is read into tool, model, hashes, LoRAs and prompts."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import piexif
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from PIL import Image

from clearsight.config import Settings
from clearsight.provenance.evidence import LoraRef, Strength
from clearsight.provenance.generators.a1111 import parse_infotext
from tests.media_factory import image_bytes
from tests.provenance_factory import INFOTEXT, comfy_graph, dumps, exif_image, png, sources, stealth_write, user_comment, verdict_of


def test_a1111_png_names_tool_model_hash_and_loras_with_weights_and_hashes() -> None:
    verdict = verdict_of(png({"parameters": INFOTEXT}))
    assert (verdict.verdict, verdict.strength) == ("ai", Strength.STRONG)
    evidence = sources(verdict)["a1111"]
    assert (evidence.tool, evidence.model, evidence.model_hash) == ("AUTOMATIC1111", "benign_model_v1", "0123456789")
    assert evidence.loras == [LoraRef("squares_v1", "abcdef012345", 0.7), LoraRef("grid", "99887766aabb", 0.25)]
    assert evidence.claims["prompt"].startswith("a red square")
    assert evidence.claims["negative_prompt"] == "blurry, text"
    assert evidence.claims["embeddings"] == [{"name": "shape_emb", "hash": "1122334455"}]
    assert evidence.claims["parameters"]["Sampler"] == "Euler a"


def test_infotext_quoted_values_civitai_hashes_and_forge_versions() -> None:
    text = 'p\nSteps: 30, Sampler: DPM++ 2M, Hashes: {"model": "aabbccddee", "lora:ink": "112233445566"}, Note: "a, b", Version: f2.0.1v1.10.1'
    verdict = verdict_of(png({"parameters": text}))
    evidence = sources(verdict)["a1111"]
    assert evidence.tool == "Forge"
    assert evidence.model_hash == "aabbccddee"
    assert evidence.loras == [LoraRef("ink", "112233445566", None)]
    assert evidence.claims["parameters"]["Note"] == "a, b"


def test_text_without_a_settings_line_is_not_infotext() -> None:
    assert parse_infotext("just a caption\nwith two lines") is None
    assert parse_infotext("Morning walk\nSteps: 10000, Distance: 8 km, Calories: 350") is None
    assert verdict_of(png({"parameters": "holiday photo"})).verdict == "unknown"


@pytest.mark.parametrize("encoding", ["unicode", "ascii"])
@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_a1111_exif_user_comment_in_jpeg_and_webp(fmt: str, encoding: str) -> None:
    data = exif_image(fmt, exif={piexif.ExifIFD.UserComment: user_comment(INFOTEXT, encoding)})
    evidence = sources(verdict_of(data))["a1111"]
    assert evidence.model == "benign_model_v1"
    assert evidence.claims["found_in"] == "exif:UserComment"


def test_little_endian_unicode_user_comment_is_read() -> None:
    data = exif_image("JPEG", exif={piexif.ExifIFD.UserComment: b"UNICODE\0" + INFOTEXT.encode("utf-16-le")})
    assert sources(verdict_of(data))["a1111"].model == "benign_model_v1"


def test_comfyui_follows_sampler_links_to_the_prompts_and_names_checkpoint_and_lora() -> None:
    evidence = sources(verdict_of(png({"prompt": dumps(comfy_graph()), "workflow": "{}"})))["comfyui"]
    assert (evidence.tool, evidence.model) == ("ComfyUI", "benign_base.safetensors")
    assert evidence.loras == [LoraRef("shapes.safetensors", None, 0.8)]
    assert evidence.claims["prompt"] == "a blue circle"
    assert evidence.claims["negative_prompt"] == "low quality"
    assert "unused" not in json.dumps(evidence.claims)


def test_comfyui_editor_workflow_alone_and_webp_exif_form() -> None:
    workflow = {"nodes": [{"id": 1, "type": "CheckpointLoaderSimple", "widgets_values": ["flat_model.safetensors"]},
                          {"id": 2, "type": "LoraLoader", "widgets_values": ["dots.safetensors", 0.6, 1.0]}]}
    evidence = sources(verdict_of(png({"workflow": dumps(workflow)})))["comfyui"]
    assert evidence.model == "flat_model.safetensors" and evidence.loras == [LoraRef("dots.safetensors", None, 0.6)]
    power = {"nodes": [{"id": 3, "type": "Power Lora Loader (rgthree)",
                        "widgets_values": [{}, {"on": True, "lora": "a.safetensors", "strength": 0.5}, {"on": False, "lora": "b.safetensors", "strength": 1}, ""]}]}
    assert sources(verdict_of(png({"workflow": dumps(power)})))["comfyui"].loras == [LoraRef("a.safetensors", None, 0.5)]
    webp = exif_image("WEBP", {piexif.ImageIFD.Make: ("workflow:" + dumps(workflow)).encode(), piexif.ImageIFD.Model: ("prompt:" + dumps(comfy_graph())).encode()})
    assert sources(verdict_of(webp))["comfyui"].model == "benign_base.safetensors"


@pytest.mark.parametrize("workflow", ['{"nodes": 1}', '{"nodes": [1, {"type": 5, "widgets_values": {}}]}'])
def test_comfyui_workflow_of_the_wrong_shape_still_names_comfyui(workflow: str) -> None:
    """Found by the verdict property test: a `nodes` that is not a list of nodes is read as an empty graph."""
    evidence = sources(verdict_of(png({"workflow": workflow})))["comfyui"]
    assert (evidence.tool, evidence.model, evidence.loras) == ("ComfyUI", None, [])


def test_invokeai_current_and_legacy_metadata() -> None:
    current = {"positive_prompt": "a cube", "negative_prompt": "", "seed": 3, "steps": 30,
               "model": {"name": "benign-xl", "hash": "blake3:" + "ab" * 32, "base": "sdxl"},
               "loras": [{"model": {"name": "edges", "hash": "blake3:" + "cd" * 32}, "weight": 0.75}]}
    evidence = sources(verdict_of(png({"invokeai_metadata": dumps(current)})))["invokeai"]
    assert (evidence.tool, evidence.model, evidence.model_hash) == ("InvokeAI", "benign-xl", "blake3:" + "ab" * 32)
    assert evidence.loras == [LoraRef("edges", "blake3:" + "cd" * 32, 0.75)]
    legacy = {"model_weights": "stable-diffusion-1.5", "model_hash": "cc" * 32, "app_id": "invoke-ai/InvokeAI",
              "image": {"prompt": [{"prompt": "a cone", "weight": 1}], "steps": 50}}
    evidence = sources(verdict_of(png({"sd-metadata": dumps(legacy)})))["invokeai"]
    assert (evidence.model, evidence.claims["prompt"]) == ("stable-diffusion-1.5", "a cone")


def _novelai_image(key: Ed25519PrivateKey, tamper: bool = False) -> bytes:
    pixels = np.array(Image.open(io.BytesIO(image_bytes("PNG", seed=4))).convert("RGB"))
    comment = {"prompt": "a green triangle", "steps": 28, "seed": 9, "uc": "blurry", "request_type": "PromptGenerateRequest"}
    signature = key.sign(pixels.tobytes() + json.dumps(comment).encode())
    comment["signed_hash"] = base64.b64encode(signature).decode()
    if tamper:
        pixels[0, 0] ^= 1
    texts = {"Title": "AI generated image", "Description": "a green triangle", "Software": "NovelAI",
             "Source": "NovelAI Diffusion V4.5 4BDE2A90", "Comment": json.dumps(comment)}
    return png(texts, image=Image.fromarray(pixels))


def test_novelai_signature_verified_with_the_published_key_is_proof() -> None:
    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    settings = Settings(novelai_public_keys=(public,))
    verdict = verdict_of(_novelai_image(key), settings)
    evidence = sources(verdict)["novelai"]
    assert (verdict.verdict, verdict.strength, evidence.claims["signature"]) == ("ai", Strength.PROOF, "verified")
    assert (evidence.model, evidence.model_hash) == ("NovelAI Diffusion V4.5", "4BDE2A90")  # the hash NovelAI appends to the model name
    tampered = sources(verdict_of(_novelai_image(key, tamper=True), settings))["novelai"]
    assert (tampered.strength, tampered.claims["signature"]) == (Strength.STRONG, "does not verify")
    other_key = sources(verdict_of(_novelai_image(key)))["novelai"]  # only NovelAI's own key by default
    assert other_key.claims["signature"] == "does not verify"


def test_novelai_metadata_in_stealth_alpha_is_read_after_chunks_are_stripped() -> None:
    meta = {"Software": "NovelAI", "Source": "NovelAI Diffusion V3", "Comment": json.dumps({"prompt": "a star", "steps": 28})}
    image = stealth_write(Image.open(io.BytesIO(image_bytes("PNG", seed=6))), json.dumps(meta), "alpha", compressed=True)
    verdict = verdict_of(png(image=image))
    assert sources(verdict)["novelai"].claims["found_in"] == "stealth:stealth_pngcomp"
    assert sources(verdict)["stealth"].claims["channel"] == "alpha"


def test_fooocus_json_scheme() -> None:
    meta = {"prompt": "a hexagon", "negative_prompt": "", "base_model": "benign_xl.safetensors", "base_model_hash": "0a1b2c3d4e",
            "loras": [["flat_colors.safetensors", 0.5, "5566778899aa"]], "full_prompt": ["a hexagon"], "version": "Fooocus v2.5.5"}
    evidence = sources(verdict_of(png({"parameters": dumps(meta), "fooocus_scheme": "fooocus"})))["fooocus"]
    assert (evidence.tool, evidence.model, evidence.model_hash) == ("Fooocus", "benign_xl.safetensors", "0a1b2c3d4e")
    assert evidence.loras == [LoraRef("flat_colors.safetensors", "5566778899aa", 0.5)]


def test_fooocus_jpeg_with_its_fields_in_the_main_exif_block() -> None:
    """Fooocus sets UserComment, Software and MakerNote on Pillow's top-level EXIF, not the EXIF sub-IFD."""
    meta = {"prompt": "a cube", "base_model": "benign_xl.safetensors", "loras": [], "version": "Fooocus v2.5.5"}
    exif = Image.Exif()
    exif[0x9286], exif[0x0131], exif[0x927C] = json.dumps(meta), "Fooocus v2.5.5", "fooocus"
    buffer = io.BytesIO()
    Image.open(io.BytesIO(image_bytes("PNG"))).convert("RGB").save(buffer, "JPEG", exif=exif)
    assert sources(verdict_of(buffer.getvalue()))["fooocus"].model == "benign_xl.safetensors"


def test_swarmui_params_and_model_hashes() -> None:
    meta = {"sui_image_params": {"prompt": "a torus", "model": "benign_flux", "loras": ["rings"], "loraweights": ["0.9"], "seed": 1},
            "sui_models": [{"name": "benign_flux.safetensors", "param": "model", "hash": "0x" + "12" * 32},
                           {"name": "rings.safetensors", "param": "loras", "hash": "0x" + "34" * 32}]}
    evidence = sources(verdict_of(exif_image("JPEG", exif={piexif.ExifIFD.UserComment: user_comment(dumps(meta))})))["swarmui"]
    assert (evidence.tool, evidence.model, evidence.model_hash) == ("SwarmUI", "benign_flux", "0x" + "12" * 32)
    assert evidence.loras == [LoraRef("rings", "0x" + "34" * 32, 0.9)]


def test_flux_reference_cli_exif() -> None:
    data = exif_image("JPEG", {piexif.ImageIFD.Software: b"AI generated;txt2img;flux", piexif.ImageIFD.Make: b"Black Forest Labs",
                               piexif.ImageIFD.Model: b"flux-dev", piexif.ImageIFD.ImageDescription: b"a cylinder"})
    evidence = sources(verdict_of(data))["flux"]
    assert (evidence.model, evidence.claims["mode"], evidence.claims["prompt"]) == ("flux-dev", "txt2img", "a cylinder")


def test_invokeai_1_dream_command_lines_and_model_ids_are_read() -> None:
    dream = sources(verdict_of(png({"Dream": '"a red square on grey" -s 50 -S 12345 -W 512 -H 512 -C 7.5 -A k_lms'})))["invokeai"]
    assert (dream.tool, dream.claims["parameters"]) == ("InvokeAI", {"steps": 50, "seed": 12345, "width": 512, "height": 512, "cfg_scale": 7.5, "sampler": "k_lms"})
    assert dream.claims["prompt"] == "a red square on grey"
    legacy = {"model": "stable diffusion", "model_id": "stable-diffusion-1.4", "app_id": "lstein/stable-diffusion", "image": {"prompt": "a cube", "seed": 1}}
    assert sources(verdict_of(png({"sd-metadata": json.dumps(legacy)})))["invokeai"].model == "stable-diffusion-1.4"
    assert "not a dream command line" in (sources(verdict_of(png({"Dream": '"unterminated -s 5'})))["invokeai"].unreadable or "")
