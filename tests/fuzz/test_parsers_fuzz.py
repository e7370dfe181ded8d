"""Every parser of outside input, fed generated input: bank formats, report records, provenance
readers, model-file headers and whole files. Each must answer with records, row errors or one
clear error, never an uncaught exception, and within 5 s per input."""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from clearsight.banks.formats import FORMATS, FormatError, text_stream
from clearsight.banks.formats.base import ReadOptions
from clearsight.config import Settings
from clearsight.errors import ClearsightError, ItemError
from clearsight.intake.reports import read_reports
from clearsight.modelfiles.inspect import FORMAT_BY_MIME, inspect_model
from clearsight.pipeline.process import process_bytes
from clearsight.provenance.context import ImageContext
from clearsight.provenance.registry import GENERATOR_READERS
from clearsight.provenance.xmp import XmpReader
from clearsight.store.records import BankRecord, ReportRecord, RowError
from tests.banks.test_formats import SAMPLES
from tests.fuzz.conftest import EXECUTIONS
from tests.media_factory import _png_chunk, image_bytes
from tests.provenance_factory import item_of

SETTINGS = Settings()
PROFILE = settings.get_profile("clearsight-fuzz")

json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
infotext = st.lists(st.tuples(st.sampled_from(["Steps", "Sampler", "Seed", "Model", "Model hash", "Lora hashes", "Version", "Size", "x"]),
                              st.text(alphabet=string.printable, max_size=30)), max_size=8).map(
    lambda pairs: "prompt <lora:a:0.5>\nNegative prompt: b\n" + ", ".join(f"{key}: {value}" for key, value in pairs))
texts = st.one_of(st.text(max_size=300), json_values.map(json.dumps), infotext)
TEXT_KEYS = ["text:parameters", "text:prompt", "text:workflow", "text:invokeai_metadata", "text:Comment", "text:Software", "text:Description",
             "text:fooocus_scheme", "text:sui_image_params", "exif:UserComment", "exif:ImageDescription", "exif:Software", "exif:MakerNote",
             "exif:Make", "exif:Model"]


@PROFILE
@given(fmt=st.sampled_from(sorted(FORMATS)), text=st.one_of(
    st.text(max_size=600),
    st.builds(lambda sample, cut, junk: sample[:cut] + junk + sample[cut:], st.sampled_from(list(SAMPLES.values())), st.integers(0, 900), st.text(max_size=40)),
))
def test_bank_formats(fmt: str, text: str) -> None:
    EXECUTIONS["bank formats"] += 1
    try:
        rows = list(FORMATS[fmt].read(text_stream(text), ReadOptions()))
    except FormatError:
        return
    assert all(isinstance(row, BankRecord | RowError) for row in rows)


report_fields = st.fixed_dictionaries({}, optional={name: st.one_of(st.text(max_size=30), json_values) for name in (
    "report_id", "received_at", "source", "url", "site_type", "hosting_country", "web_layer", "commercial", "outcome", "actions", "items", "notes")})


@PROFILE
@given(data=st.one_of(
    st.binary(max_size=400),
    st.lists(report_fields, max_size=4).map(lambda rows: "\n".join(json.dumps(row) for row in rows).encode()),
    st.lists(st.lists(st.text(max_size=20), max_size=7), max_size=5).map(
        lambda rows: ("report_id,received_at,source,url,site_type,hosting_country,item_id\n" + "\n".join(",".join(row) for row in rows)).encode()),
))
def test_report_records(data: bytes) -> None:
    EXECUTIONS["report records"] += 1
    try:
        rows = list(read_reports(data))
    except ClearsightError:
        return
    assert all(isinstance(row, ReportRecord | RowError) for row in rows)


@PROFILE
@given(values=st.dictionaries(st.sampled_from(TEXT_KEYS), texts, min_size=1, max_size=4))
def test_generator_readers(values: dict[str, Any]) -> None:
    EXECUTIONS["generator readers"] += 1
    context = ImageContext.of_texts(values, SETTINGS)
    for reader in GENERATOR_READERS:
        reader.read(context)  # the protocol: evidence or unreadable evidence, never an exception


@PROFILE
@given(packet=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(
    lambda body: f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">{body}</rdf:RDF></x:xmpmeta>'.encode())))
def test_xmp_reader(packet: bytes) -> None:
    EXECUTIONS["xmp reader"] += 1
    context = ImageContext.of_texts({}, SETTINGS)
    context.xmp = packet
    XmpReader().read(context)


@PROFILE
@given(mime=st.sampled_from(sorted(FORMAT_BY_MIME)), body=st.binary(max_size=400), length=st.integers(min_value=0, max_value=2**40))
def test_model_headers(mime: str, body: bytes, length: int) -> None:
    EXECUTIONS["model headers"] += 1
    prefix = {"application/vnd.safetensors": length.to_bytes(8, "little"), "application/vnd.gguf": b"GGUF" + (length % 5).to_bytes(4, "little"),
              "application/x-python-pickle": b"\x80\x02", "application/vnd.pytorch+zip": b"", "application/x-npz": b"",
              "application/x-npy": b"\x93NUMPY\x01\x00" + (length % 300).to_bytes(2, "little")}[mime]
    item = item_of(prefix + body)
    item.result.media_type, item.result.mime = "model", mime
    try:
        inspect_model(item, SETTINGS)
    except ItemError as exc:
        assert str(exc)


PNG = image_bytes("PNG", size=(16, 16))
JPEG = image_bytes("JPEG", size=(16, 16))


@settings(PROFILE, max_examples=max(PROFILE.max_examples // 10, 50))
@given(data=st.one_of(
    st.binary(max_size=300),
    st.builds(lambda cut, junk: PNG[:cut] + junk + PNG[cut:], st.integers(0, len(PNG)), st.binary(max_size=40)),
    st.builds(lambda cut, junk: JPEG[:cut] + junk + JPEG[cut:], st.integers(0, len(JPEG)), st.binary(max_size=40)),
    st.builds(lambda kind, body: PNG[:33] + _png_chunk(kind, body) + PNG[33:], st.sampled_from([b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"caBX"]),
              st.binary(max_size=200)),
))
@example(data=PNG[:33] + _png_chunk(b"eXIf", b"MM\x00*") + PNG[33:])  # a cut-short EXIF block: struct.error from Pillow's reader
def test_whole_files(data: bytes) -> None:
    """The scan's and the API's stages on a damaged image: per-item errors only ("internal
    error" means an exception escaped a stage)."""
    EXECUTIONS["whole files"] += 1
    for result in process_bytes("fuzz.bin", data, SETTINGS):
        assert not any("internal error" in message for _, message in result.errors), result.errors
        assert "internal error" not in json.dumps(result.provenance or {})
