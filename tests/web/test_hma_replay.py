"""HMA's own tests, replayed over HTTP against a real `clearsight serve --api`.

Replayed: Hasher-Matcher-Actioner (OpenMediaMatch) 1.1.7, facebook/ThreatExchange commit baefb4ed,
hasher-matcher-actioner/src/OpenMediaMatch/tests/ test_api.py, test_api_banks.py,
test_e2e_workflow.py, test_match_api.py and test_hashing.py. Each replayed test is named
`<hma file stem>__<hma test name>` and keeps HMA's inputs, paths, status codes and JSON shapes,
assertion for assertion and in HMA's order; the harness (tests/web/hma_server.py) gives it a
Flask-test-client look-alike over HTTP with Clearsight's bearer token. The exchange tests
are replayed too; tests that need HMA's internals or app config are listed in NOT_REPLAYED with
the reason. REPLAYED lists the rest.

Substitutions, where HMA's test calls HMA's Python rather than its routes:
- The exchange tests set `storage.exchange_types` to python-threatexchange's sample and
  fb_threatexchange APIs; Clearsight's installed types are fixed per server and include those two
  (and ncmec, stop_ncii, file), so the list is checked to include them rather than to equal them.
  FBThreatExchangeCredentials("12345789|000000000000") is sent as HMA's test sends it,
  dataclass_dump_dict'ed: {"api_token": "12345789|000000000000"}.
- `build_all_indices(...)` and `storage.get_signal_type_index(...) is None`: Clearsight builds its
  index itself; the replay assumes the index reflects additions once the adding request has answered.
- HMA's storage set-up in test_match_api.py's fixtures (bank_update / bank_add_content, and the
  static "sample" exchange fetched into bank SAMPLE) is done through the HTTP routes instead
  (POST /c/banks, POST /c/bank/<name>/signal with the same signals).
- `storage.get_signal_type_configs()` is HMA's test config (pdq and video_md5 enabled); the replay
  loops over those two. Clearsight has more signal types by design, so the set-equality check is dropped.
- `is_valid_url(url)` is replayed through GET /h/hash?url=..., which answers an invalid URL with
  400 {"message": "Invalid or unsafe URL provided"} in HMA before fetching anything.
- `@patch("requests.get")` answers are replaced by loopback files with the same headers.
- The GitHub photo (pdq/data/bridge-mods/aaa-orig.jpg) is replaced by a synthesized picture at the
  same path on the loopback image server.
Inputs HMA takes from python-threatexchange (PdqSignal/VideoMD5Signal.get_examples(), 1.2.17) are
copied here, so only the coverage test needs the HMA tree (env HMA_TESTS).
"""

from __future__ import annotations

import ast
import os
import tempfile
import typing as t
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.web.hma_server import (
    GITHUB_PHOTO_PATH,
    IMAGE_URL_TO_PDQ,
    OVER_LIMIT_PATH,
    UNDER_LIMIT_PATH,
    HmaClient,
    add_hash_to_bank,
    create_bank,
    hma_fixture,  # noqa: F401 - the fixture `hma`
    image_server_fixture,  # noqa: F401 - the fixture `image_server`
)

HMA_FILES = ("test_api.py", "test_api_banks.py", "test_e2e_workflow.py", "test_match_api.py", "test_hashing.py")

NOT_REPLAYED: dict[str, str] = {
    "test_api.py::test_status_response": (
        "monkeypatches matching._get_index_cache with fake not-loaded and stale index caches to get 503 INDEX-NOT-LOADED / INDEX-STALE; "
        "its first request, made before the patch, is replayed in test_api__test_status_response__before_monkeypatch"
    ),
    "test_api.py::test_status_live_always_alive": (
        "monkeypatches matching._get_index_cache with not-loaded and stale caches; "
        "its first request, made before the patch, is replayed in test_api__test_status_live_always_alive__before_monkeypatch"
    ),
    "test_api.py::test_lookup_without_role": "switches app.config['ROLE_HASHER'] off (HMA app config); a Clearsight server has no hasher role to drop",
    "test_hashing.py::test_valid_urls": (
        "calls is_valid_url on external hosts (example.com ...); through GET /h/hash?url= that would fetch from the network, "
        "which these tests may not, and Clearsight's operator allowlist (CLEARSIGHT_URL_FETCH_ALLOW=127.0.0.1 here) refuses them by design"
    ),
    "test_hashing.py::test_allowed_hostnames": (
        "sets app.config['ALLOWED_HOSTNAMES'] in-process (HMA app config) and expects its allowed external hosts to pass, which over HTTP "
        "means fetching from the network; Clearsight's counterpart, CLEARSIGHT_URL_FETCH_ALLOW, is fixed per server process"
    ),
    "test_hashing.py::test_empty_allowed_hostnames": (
        "sets app.config['ALLOWED_HOSTNAMES'] = set() (HMA app config: every host allowed) and expects external hosts to pass; "
        "network fetches, and Clearsight fetches only from its operator allowlist by design"
    ),
    "test_hashing.py::test_content_length_validation_misconfiguration": (
        "sets app.config['MAX_REMOTE_FILE_SIZE'] to a non-integer (HMA app config) to get 500 'Service misconfigured'; "
        "there is no per-request way to misconfigure a running Clearsight server"
    ),
}

REPLAYED: list[str] = [
    "test_api.py::test_openapi_documentation_available",
    "test_api.py::test_lookup_success",
    "test_api.py::test_compare_hashes",
    "test_api.py::test_exchange_api_set_auth",
    "test_api.py::test_exchange_api_schema",
    "test_api.py::test_exchange_delete",
    "test_api.py::test_exchange_get_fetch_status",
    "test_api_banks.py::test_banks_empty_index",
    "test_api_banks.py::test_banks_create",
    "test_api_banks.py::test_banks_update",
    "test_api_banks.py::test_banks_delete",
    "test_api_banks.py::test_bank_get_content",
    "test_api_banks.py::test_bank_get_content_404",
    "test_api_banks.py::test_banks_add_content",
    "test_api_banks.py::test_bank_update_content",
    "test_api_banks.py::test_bank_update_content_400",
    "test_api_banks.py::test_banks_delete_content",
    "test_api_banks.py::test_banks_add_metadata",
    "test_api_banks.py::test_banks_add_hash_index",
    "test_api_banks.py::test_bank_get_content_with_signals",
    "test_api_banks.py::test_bank_get_content_returns_stored_metadata",
    "test_api_banks.py::test_bank_get_content_include_metadata_false",
    "test_api_banks.py::test_bank_add_content_with_note",
    "test_api_banks.py::test_bank_add_content_without_note_omitted",
    "test_api_banks.py::test_bank_update_content_note",
    "test_api_banks.py::test_bank_add_note_too_long",
    "test_api_banks.py::test_bank_add_hash_with_note",
    "test_api_banks.py::test_bank_get_content_without_metadata_omitted",
    "test_e2e_workflow.py::test_add_hashes_and_find_match",
    "test_match_api.py::test_raw_lookups",
    "test_match_api.py::test_lookups",
    "test_match_api.py::test_raw_lookup_with_bank_filter",
    "test_match_api.py::test_raw_lookup_with_distance_and_bank_filter",
    "test_match_api.py::test_lookup_with_bank_filter",
    "test_hashing.py::test_invalid_schemes",
    "test_hashing.py::test_missing_scheme_or_netloc",
    "test_hashing.py::test_malformed_urls",
    "test_hashing.py::test_content_length_validation",
    "test_hashing.py::test_content_length_validation_default",
]

# PdqSignal.get_examples(), python-threatexchange 1.2.17 (HMA's tests and its static "sample" exchange use them)
PDQ_EXAMPLES = [
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
    "f8f8f0cee0f4a84f06370a2a038f63f0b36e26d596621e1d33e6b39c4e9c9b22",
    "f8f8f0cee0f4a84f0637022a038f67f0b36e26d596621e1d33e6b39c4e9c9b22",
    "f8f8f0cee0f4a84f06370a2a068f67f0b36e26d596621e1d33e6339c4e9c9b22",
    "f8f8f0cee0f4a84f06370a22038f67f0b36e2ed596221e1d33e6b39c4e9c9b22",
    "f8f8f0cee0f4a84f0e370a22038f67f0b36e2ed596221e1d33e6b39c4a9c9b22",
    "d8f8f0cec0f4a84f8e370a22038f67f0b36a2ed597231e1d72e6b39c4a9c9b22",
    "f8f8f0cee0f4a84f06370a22038f67f0b36e2ed596621e1d33e6339c4e9c9b22",
    "d0f8f1ccc0f4a84d0a370a3a228f67f0b36e2ed5b6623e1d33e6339c4e9c9b22",
    "d8f8f1eec0f4a84f0e37022a078f63f0b36e2ed596621e1d33e6239c4e9c9b22",
    "d8f8f0cec4f4a84f0637022a078f67f0b36e2ee5b6621e1d33e6239c4e9c9b22",
    "d8f8f0cec0f4a84f0637022a278f67f0b36e2ed596621e1d33e6339c4e9c9b22",
    "e64cc9d91c623882f8d1f1d9a398e78c9f199b3bd83924f2b7e11e0bf861b064",
    "6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d",
    "c186f9619659658c4b6916daf934496985f4259c72c39676ab9edb631c3c349c",
    "62c9789627838f69f23cf98c29e37836d61c87c31c59587c4b49a783f496725c",
]
# VideoMD5Signal.get_examples(), python-threatexchange 1.2.17
VIDEO_MD5_EXAMPLES = ["cab08b36195edb1a1231d2d09fa450e0", "d41d8cd98f00b204e9800998ecf8427e"]
# The signal types HMA's test config has enabled (storage.get_signal_type_configs()), with their examples
HMA_SIGNAL_TYPE_EXAMPLES: dict[str, list[str]] = {"pdq": PDQ_EXAMPLES, "video_md5": VIDEO_MD5_EXAMPLES}

INVALID_URL = {"message": "Invalid or unsafe URL provided"}

# HMA's TMatchByBank
TMatchByBank = dict[str, list[dict[str, t.Any]]]


def _assert_invalid_url(client: HmaClient, url: str | None) -> None:
    """`assert not is_valid_url(url), f"URL should be invalid: {url}"` through the route that calls it."""
    response = client.get("/h/hash", query_string={"url": url})
    if url is None:
        # HTTP has no None: the test client drops the parameter, and HMA's route (flask-openapi3
        # validating HashRequest, url required) answers 422 before is_valid_url runs.
        assert response.status_code == 422, f"URL should be invalid: {url} (got {response!r})"
    else:
        assert (response.status_code, response.json) == (400, INVALID_URL), f"URL should be invalid: {url} (got {response!r})"


# The replay's own checks


def test_replayed_and_not_replayed_are_disjoint_and_each_replayed_test_exists() -> None:
    assert not set(REPLAYED) & set(NOT_REPLAYED)
    assert len(REPLAYED) == len(set(REPLAYED))
    for entry in [*REPLAYED, *NOT_REPLAYED]:
        file, _, name = entry.partition("::")
        assert file in HMA_FILES and name.startswith("test_"), entry
    for entry in REPLAYED:
        file, _, name = entry.partition("::")
        assert callable(globals().get(f"{Path(file).stem}__{name}")), f"no replay of {entry}"


def test_replayed_and_not_replayed_cover_every_hma_test() -> None:
    folder = Path(os.environ.get("HMA_TESTS", "/nonexistent-hma-tests"))
    if not folder.is_dir():
        pytest.skip(f"HMA's tests folder is not at HMA_TESTS={os.environ.get('HMA_TESTS')!r}")
    hma_tests = set()
    for file in HMA_FILES:
        tree = ast.parse((folder / file).read_text(), filename=file)
        hma_tests |= {f"{file}::{node.name}" for node in ast.walk(tree)
                      if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")}
    assert set(REPLAYED) | set(NOT_REPLAYED) == hma_tests


# test_api.py


def test_api__test_status_response__before_monkeypatch(hma: HmaClient) -> None:
    """HMA's test_status_response up to its monkeypatch (see NOT_REPLAYED)."""
    response = hma.get("/status")
    assert response.status_code == 200
    assert response.data == b"I-AM-ALIVE"


def test_api__test_status_live_always_alive__before_monkeypatch(hma: HmaClient) -> None:
    """HMA's test_status_live_always_alive up to its monkeypatch (see NOT_REPLAYED)."""
    response = hma.get("/status/live")
    assert response.status_code == 200
    assert response.data == b"I-AM-ALIVE"


def test_api__test_openapi_documentation_available(hma: HmaClient) -> None:
    client = hma
    response = client.get("/openapi/openapi.json")
    assert response.status_code == 200
    assert response.is_json
    payload = response.get_json()
    assert payload is not None
    assert payload.get("info", {}).get("title") == "Open Media Match API"


def test_api__test_lookup_success(hma: HmaClient, image_server: str) -> None:
    client = hma
    # HMA: assert storage.get_signal_type_index(PdqSignal) is None; build_all_indices(storage, storage, storage)
    # (HMA internals; Clearsight keeps its own index current)

    # test GET
    image_url = f"{image_server}/image1.jpg"
    get_resp = client.get(f"/m/lookup?url={image_url}")
    assert get_resp.status_code == 200

    # test POST with temp file
    response = httpx.get(image_url)
    image = Image.open(BytesIO(response.content))
    with tempfile.NamedTemporaryFile(suffix=".jpg") as f:
        image.save(f, format="JPEG")
        f.flush()
        file_tuple = (f.name, f.name, "image/jpeg")
        resp = client.post("/m/lookup", data={"photo": file_tuple})
        assert resp.status_code == 200

        # It's not really a video, but MD5 is simple that we can fake it
        resp = client.post("/m/lookup", data={"video": file_tuple})
        assert resp.status_code == 200


def test_api__test_exchange_api_set_auth(hma: HmaClient) -> None:
    client = hma
    sample_name = "sample"
    tx_name = "fb_threatexchange"
    resp = client.get("/c/exchanges/apis")
    assert resp.status_code == 200
    assert set(t.cast(list, resp.json)) >= {sample_name, tx_name}

    resp = client.get(f"/c/exchanges/api/{sample_name}")
    assert resp.status_code == 200
    assert resp.json == {
        "supports_authentification": False,
        "has_set_authentification": False,
    }

    resp = client.get(f"/c/exchanges/api/{tx_name}")
    assert resp.status_code == 200
    assert resp.json == {
        "supports_authentification": True,
        "has_set_authentification": False,
    }

    resp = client.post(
        f"/c/exchanges/api/{tx_name}",
        json={"credential_json": {"api_token": "12345789|000000000000"}},
    )

    assert resp.status_code == 200
    assert resp.json == {
        "supports_authentification": True,
        "has_set_authentification": True,
    }

    resp = client.get(f"/c/exchanges/api/{tx_name}")
    assert resp.status_code == 200
    assert resp.json == {
        "supports_authentification": True,
        "has_set_authentification": True,
    }

    # Unset
    resp = client.post(
        f"/c/exchanges/api/{tx_name}",
        json={"credential_json": {}},
    )
    assert resp.status_code == 200
    assert resp.json == {
        "supports_authentification": True,
        "has_set_authentification": False,
    }


def test_api__test_exchange_api_schema(hma: HmaClient) -> None:
    client = hma
    sample_name = "sample"
    tx_name = "fb_threatexchange"

    # Sample API has no type-specific config fields and no credentials
    resp = client.get(f"/c/exchanges/api/{sample_name}/schema")
    assert resp.status_code == 200
    data = resp.get_json()
    assert data is not None and isinstance(data, dict)
    assert "config_schema" in data
    assert "fields" in data["config_schema"]
    assert data["credentials_schema"] is None

    # FB ThreatExchange has config (e.g. privacy_group) and credentials (api_token)
    resp = client.get(f"/c/exchanges/api/{tx_name}/schema")
    assert resp.status_code == 200
    data = resp.get_json()
    assert data is not None and isinstance(data, dict)
    assert "config_schema" in data
    config_fields = {f["name"]: f for f in data["config_schema"]["fields"]}
    assert "privacy_group" in config_fields
    assert config_fields["privacy_group"]["type"] == "number"
    assert config_fields["privacy_group"]["required"] is True
    cred_schema = data["credentials_schema"]
    assert cred_schema is not None
    cred_fields = {f["name"]: f for f in cred_schema["fields"]}
    assert "api_token" in cred_fields
    assert cred_fields["api_token"]["type"] == "string"


def test_api__test_exchange_delete(hma: HmaClient) -> None:
    client = hma
    delete_response = client.delete(
        "/c/exchange/TEST_EXCHANGE",
    )
    # deleting an exchange that doesn't exist returns 200
    assert delete_response.status_code == 200

    # create an exchange
    post_response = client.post(
        "/c/exchanges",
        json={"api": "sample", "bank": "FOO_EXCHANGE", "api_json": {}},
    )
    assert post_response.status_code == 201

    # test a real delete
    delete_response = client.delete(
        "/c/exchange/FOO_EXCHANGE",
    )
    assert delete_response.status_code == 200
    assert delete_response.get_json()["message"] == "Exchange deleted"


def test_api__test_exchange_get_fetch_status(hma: HmaClient) -> None:
    client = hma
    # Unknown exchange returns 404
    resp = client.get("/c/exchange/NONEXISTENT_EXCHANGE/status")
    assert resp.status_code == 404

    # Create an exchange and get fetch status
    post_resp = client.post(
        "/c/exchanges",
        json={"api": "sample", "bank": "BAR_EXCHANGE", "api_json": {}},
    )
    assert post_resp.status_code == 201

    resp = client.get("/c/exchange/BAR_EXCHANGE/status")
    assert resp.status_code == 200
    assert resp.is_json
    data = resp.get_json()
    assert data is not None
    # FetchStatus fields (from storage.interface.FetchStatus)
    assert "checkpoint_ts" in data
    assert "running_fetch_start_ts" in data
    assert "last_fetch_complete_ts" in data
    assert "last_fetch_succeeded" in data
    assert "up_to_date" in data
    assert "fetched_items" in data


def test_api__test_compare_hashes(hma: HmaClient) -> None:
    client = hma
    specimen1 = "facd8bcb2a49bcebdec1985298d5fe84bcd006c187c598c720c3c087b3fdb318"
    specimen2 = "facd8bcb2a49bcebdec1985228d5ae84bcd006c187c598c720c2b087b3fdb318"
    # Happy path
    resp = client.post("/m/compare", json={"pdq": [specimen1, specimen2]})
    assert resp.json == {"pdq": [True, {"distance": 9}]}

    # Malformed input
    bad_inputs: list[t.Any] = [
        # Not a dict
        ["banana"],
        # Dict, but values are not lists
        {"pdq": "banana"},
        # List of comparison hashes is empty
        {"pdq": []},
        # Hashes are invalid
        {"pdq": ["banana", "banana"]},
        # Too many hashes (must be exactly 2)
        {"pdq": [specimen1, specimen2, specimen1]},
    ]
    for bad_input in bad_inputs:
        resp = client.post(
            "/m/compare",
            json=bad_input,
        )
        assert resp.status_code == 400


# test_api_banks.py


def test_api_banks__test_banks_empty_index(hma: HmaClient) -> None:
    client = hma
    response = client.get("/c/banks")
    assert response.status_code == 200
    assert response.json == []


def test_api_banks__test_banks_create(hma: HmaClient) -> None:
    client = hma
    # Must not start with number
    post_response = client.post(
        "/c/banks",
        json={"name": "01_TEST_BANK"},
    )
    assert post_response.status_code == 400

    # Cannot contain lowercase letters
    post_response = client.post(
        "/c/banks",
        json={"name": "my_test_bank"},
    )
    assert post_response.status_code == 400

    post_response = client.post(
        "/c/banks",
        json={"name": "MY_TEST_BANK_01"},
    )
    assert post_response.status_code == 201
    assert post_response.json == {
        "matching_enabled_ratio": 1.0,
        "name": "MY_TEST_BANK_01",
    }

    # Should now be visible on index
    response = client.get("/c/banks")
    assert response.status_code == 200
    assert response.json == [post_response.json]


def test_api_banks__test_banks_update(hma: HmaClient) -> None:
    client = hma
    post_response = client.post(
        "/c/banks",
        json={"name": "MY_TEST_BANK"},
    )
    assert post_response.status_code == 201

    # check name validation
    post_response = client.put(
        "/c/bank/MY_TEST_BANK",
        json={"name": "1_invalid_name"},
    )
    assert post_response.status_code == 400

    # check update with rename
    post_response = client.put(
        "/c/bank/MY_TEST_BANK",
        json={"name": "MY_TEST_BANK_RENAMED"},
    )
    assert post_response.status_code == 200
    assert post_response.get_json()["name"] == "MY_TEST_BANK_RENAMED"

    # check update without rename
    post_response = client.put(
        "/c/bank/MY_TEST_BANK_RENAMED",
        json={"enabled": False},
    )
    assert post_response.status_code == 200
    assert post_response.get_json()["matching_enabled_ratio"] == 0

    # check update without ratio
    post_response = client.put(
        "/c/bank/MY_TEST_BANK_RENAMED",
        json={"enabled_ratio": 0.5},
    )
    assert post_response.status_code == 200
    assert post_response.get_json()["matching_enabled_ratio"] == 0.5

    # Final test to make sure we only have one bank with proper name and disabled

    get_response = client.get("/c/banks")
    assert get_response.status_code == 200
    json = get_response.get_json()
    assert len(json) == 1
    assert json[0] == {"name": "MY_TEST_BANK_RENAMED", "matching_enabled_ratio": 0.5}


def test_api_banks__test_banks_delete(hma: HmaClient) -> None:
    client = hma
    post_response = client.post(
        "/c/banks",
        json={"name": "MY_TEST_BANK"},
    )
    assert post_response.status_code == 201

    # check name validation
    post_response = client.delete(
        "/c/bank/MY_TEST_BANK",
    )
    assert post_response.status_code == 200

    # deleting non existing bank should succeed
    post_response = client.delete(
        "/c/bank/MY_TEST_BANK",
    )
    assert post_response.status_code == 200


def test_api_banks__test_bank_get_content(hma: HmaClient, image_server: str) -> None:
    client = hma
    bank_name = "TEST_BANK_GET"
    create_bank(client, bank_name)

    # Add content
    image_url = f"{image_server}/image1.jpg"
    add_response = client.post(f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo")
    assert add_response.status_code == 200, str(add_response.get_json())
    assert add_response.json
    content_id = add_response.json.get("id")

    # Get content by id
    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert get_response.status_code == 200, str(get_response.get_json())
    assert get_response.json
    assert get_response.json.get("id") == content_id


def test_api_banks__test_bank_get_content_404(hma: HmaClient) -> None:
    client = hma
    bank_name = "TEST_BANK_GET"
    content_id = 1

    # Bank does not exist
    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert get_response.status_code == 404, str(get_response.get_json())

    create_bank(client, bank_name)

    # Content does not exist
    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert get_response.status_code == 404, str(get_response.get_json())


def test_api_banks__test_banks_add_content(hma: HmaClient, image_server: str) -> None:
    client = hma
    bank_name = "NEW_BANK"
    create_bank(client, bank_name)

    image_url = f"{image_server}/image1.jpg"

    post_response = client.post(f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo")

    assert post_response.status_code == 200, str(post_response.get_json())
    assert post_response.json == {
        "id": 1,
        "signals": {
            "pdq": IMAGE_URL_TO_PDQ[image_url],
        },
    }


def test_api_banks__test_bank_update_content(hma: HmaClient, image_server: str) -> None:
    client = hma
    bank_name = "TEST_BANK_UPDATE"
    create_bank(client, bank_name)

    # Add content
    image_url = f"{image_server}/image1.jpg"
    add_response = client.post(f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo")
    assert add_response.status_code == 200, str(add_response.get_json())
    assert add_response.json
    content_id = add_response.json.get("id")

    # Define new disable_until_ts value and update content
    new_disable_ts = int((datetime.now() + timedelta(days=365)).timestamp())
    update_response = client.put(
        f"/c/bank/{bank_name}/content/{content_id}",
        json={"disable_until_ts": new_disable_ts},
    )
    assert update_response.status_code == 200, str(update_response.get_json())
    assert update_response.json
    updated_content = update_response.json
    assert updated_content.get("disable_until_ts") == new_disable_ts


def test_api_banks__test_bank_update_content_400(hma: HmaClient, image_server: str) -> None:
    client = hma
    bank_name = "TEST_BANK_UPDATE"
    create_bank(client, bank_name)

    # Add content
    image_url = f"{image_server}/image1.jpg"
    add_response = client.post(f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo")
    assert add_response.status_code == 200, str(add_response.get_json())
    assert add_response.json
    content_id = add_response.json.get("id")

    # Define new disable_until_ts value too far in the future and update content
    new_disable_ts = 9999999999
    update_response = client.put(
        f"/c/bank/{bank_name}/content/{content_id}",
        json={"disable_until_ts": new_disable_ts},
    )
    assert update_response.status_code == 400, str(update_response.get_json())


def test_api_banks__test_banks_delete_content(hma: HmaClient, image_server: str) -> None:
    client = hma
    bank_name = "NEW_BANK"
    image_url = f"{image_server}/image1.jpg"

    create_bank(client, bank_name)
    add_hash_to_bank(client, bank_name, image_url, 1)

    post_response = client.delete(f"/c/bank/{bank_name}/content/1")

    assert post_response.status_code == 200
    assert post_response.json == {"deleted": 1}


def test_api_banks__test_banks_add_metadata(hma: HmaClient, image_server: str) -> None:
    client = hma
    bank_name = "NEW_BANK"
    create_bank(client, bank_name)

    image_url = f"{image_server}/image1.jpg"
    post_request = f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo"

    post_response = client.post(post_request, json={"metadata": {"invalid_metadata": 5}})
    assert post_response.status_code == 400, str(post_response.get_json())

    post_response = client.post(
        post_request,
        json={"metadata": {"content_id": "1197433091", "json": {"asdf": {}}}},
    )
    assert post_response.status_code == 200, str(post_response.get_json())


def test_api_banks__test_banks_add_hash_index(hma: HmaClient, image_server: str) -> None:
    client = hma
    bank_name = "NEW_BANK"
    bank_name_2 = "NEW_BANK_2"
    image_url = f"{image_server}/image1.jpg"
    image_url_2 = f"{image_server}/image2.jpg"

    # Make two banks and add images to each bank
    create_bank(client, bank_name)
    add_hash_to_bank(client, bank_name, image_url, 1)
    create_bank(client, bank_name_2)
    add_hash_to_bank(client, bank_name, image_url_2, 2)  # sic: HMA adds the second image to the first bank

    # HMA: assert storage.get_signal_type_index(PdqSignal) is None; build_all_indices(storage, storage, storage)
    # (HMA internals; Clearsight keeps its own index current)

    # Test against first image
    post_response = client.get(f"/m/raw_lookup?signal_type=pdq&signal={IMAGE_URL_TO_PDQ[image_url]}")
    assert post_response.status_code == 200
    assert post_response.json == {"matches": [1]}

    # Test against second image
    post_response = client.get(f"/m/raw_lookup?signal_type=pdq&signal={IMAGE_URL_TO_PDQ[image_url_2]}")
    assert post_response.status_code == 200
    assert post_response.json == {"matches": [2]}


def test_api_banks__test_bank_get_content_with_signals(hma: HmaClient, image_server: str) -> None:
    client = hma
    bank_name = "TEST_BANK_GET_SIGS"
    create_bank(client, bank_name)

    image_url = f"{image_server}/image1.jpg"
    add_response = client.post(f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo")
    assert add_response.status_code == 200, str(add_response.get_json())
    assert add_response.json
    content_id = add_response.json.get("id")

    # Get content by id without signals
    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert get_response.status_code == 200, str(get_response.get_json())
    assert get_response.json
    assert get_response.json.get("id") == content_id
    # Signals should not be included when include_signals is not specified
    assert "signals" not in get_response.json

    # Get content by id with signals
    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}?include_signals=true")
    assert get_response.status_code == 200, str(get_response.get_json())
    assert get_response.json
    assert get_response.json.get("id") == content_id
    # The API may not include signals field if no signals are found
    # This is the current behavior - signals field is only included when signals exist
    if "signals" in get_response.json:
        assert isinstance(get_response.json["signals"], dict)
        # If signals exist, they should not be empty
        assert len(get_response.json["signals"]) > 0


def test_api_banks__test_bank_get_content_returns_stored_metadata(hma: HmaClient, image_server: str) -> None:
    """GET /bank/<name>/content/<id> returns user-supplied metadata stored via POST."""
    client = hma
    bank_name = "TEST_BANK_METADATA"
    create_bank(client, bank_name)

    # HMA fetches https://github.com/facebook/ThreatExchange/blob/main/pdq/data/bridge-mods/aaa-orig.jpg?raw=true;
    # the loopback image server serves a synthesized picture at the same path
    image_url = f"{image_server}{GITHUB_PHOTO_PATH}"
    metadata = {
        "content_id": "ext-id-123",
        "content_uri": "https://example.com/item/123",
        "json": {"source": "test", "nested": {"key": "value"}},
    }
    add_response = client.post(
        f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo",
        json={"metadata": metadata},
    )
    assert add_response.status_code == 200, str(add_response.get_json())
    add_data = add_response.get_json()
    assert add_data is not None
    content_id = add_data["id"]

    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert get_response.status_code == 200, str(get_response.get_json())
    get_data = get_response.get_json()
    assert get_data is not None
    assert "metadata" in get_data
    assert get_data["metadata"]["content_id"] == metadata["content_id"]
    assert get_data["metadata"]["content_uri"] == metadata["content_uri"]
    assert get_data["metadata"]["json"] == metadata["json"]


def test_api_banks__test_bank_get_content_include_metadata_false(hma: HmaClient, image_server: str) -> None:
    """GET with include_metadata=false omits metadata from response."""
    client = hma
    bank_name = "TEST_BANK_NO_METADATA"
    create_bank(client, bank_name)

    # HMA's GitHub photo, served synthesized from the loopback image server (same path)
    image_url = f"{image_server}{GITHUB_PHOTO_PATH}"
    add_response = client.post(
        f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo",
        json={"metadata": {"content_id": "id1", "content_uri": "https://example.com/1"}},
    )
    assert add_response.status_code == 200, str(add_response.get_json())
    add_data = add_response.get_json()
    assert add_data is not None
    content_id = add_data["id"]

    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}?include_metadata=false")
    assert get_response.status_code == 200, str(get_response.get_json())
    get_data = get_response.get_json()
    assert get_data is not None
    assert "metadata" not in get_data


def test_api_banks__test_bank_add_content_with_note(hma: HmaClient, image_server: str) -> None:
    """POST content with a note; GET returns the note."""
    client = hma
    bank_name = "TEST_BANK_NOTE"
    create_bank(client, bank_name)

    image_url = f"{image_server}/image1.jpg"
    add_response = client.post(
        f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo",
        json={"note": "Reported by user X"},
    )
    assert add_response.status_code == 200, str(add_response.get_json())
    content_id = add_response.get_json()["id"]

    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert get_response.status_code == 200, str(get_response.get_json())
    get_data = get_response.get_json()
    assert get_data["note"] == "Reported by user X"


def test_api_banks__test_bank_add_content_without_note_omitted(hma: HmaClient, image_server: str) -> None:
    """Add content without a note; GET does not include note key."""
    client = hma
    bank_name = "TEST_BANK_NO_NOTE"
    create_bank(client, bank_name)

    image_url = f"{image_server}/image1.jpg"
    add_response = client.post(
        f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo",
    )
    assert add_response.status_code == 200, str(add_response.get_json())
    content_id = add_response.get_json()["id"]

    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert get_response.status_code == 200, str(get_response.get_json())
    assert "note" not in get_response.get_json()


def test_api_banks__test_bank_update_content_note(hma: HmaClient, image_server: str) -> None:
    """PUT can set, update, and clear a note."""
    client = hma
    bank_name = "TEST_BANK_NOTE_UPDATE"
    create_bank(client, bank_name)

    image_url = f"{image_server}/image1.jpg"
    add_response = client.post(
        f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo",
    )
    assert add_response.status_code == 200, str(add_response.get_json())
    content_id = add_response.get_json()["id"]

    # Set note
    update_response = client.put(
        f"/c/bank/{bank_name}/content/{content_id}",
        json={"note": "Initial note"},
    )
    assert update_response.status_code == 200, str(update_response.get_json())

    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert get_response.get_json()["note"] == "Initial note"

    # Update note
    update_response = client.put(
        f"/c/bank/{bank_name}/content/{content_id}",
        json={"note": "Updated note"},
    )
    assert update_response.status_code == 200

    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert get_response.get_json()["note"] == "Updated note"

    # Clear note
    update_response = client.put(
        f"/c/bank/{bank_name}/content/{content_id}",
        json={"note": ""},
    )
    assert update_response.status_code == 200

    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert "note" not in get_response.get_json()


def test_api_banks__test_bank_add_note_too_long(hma: HmaClient, image_server: str) -> None:
    """Note exceeding 255 characters is rejected."""
    client = hma
    bank_name = "TEST_BANK_NOTE_LONG"
    create_bank(client, bank_name)

    image_url = f"{image_server}/image1.jpg"
    add_response = client.post(
        f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo",
        json={"note": "x" * 256},
    )
    assert add_response.status_code == 400


def test_api_banks__test_bank_add_hash_with_note(hma: HmaClient) -> None:
    """POST signal with a note; GET returns the note."""
    client = hma
    bank_name = "TEST_BANK_HASH_NOTE"
    create_bank(client, bank_name)

    pdq_hash = "0" * 64
    add_response = client.post(
        f"/c/bank/{bank_name}/signal",
        json={"pdq": pdq_hash, "note": "Hash from campaign ABC"},
    )
    assert add_response.status_code == 200, str(add_response.get_json())
    content_id = add_response.get_json()["id"]

    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert get_response.status_code == 200, str(get_response.get_json())
    assert get_response.get_json()["note"] == "Hash from campaign ABC"


def test_api_banks__test_bank_get_content_without_metadata_omitted(hma: HmaClient, image_server: str) -> None:
    """Add content without metadata; GET does not include metadata key."""
    client = hma
    bank_name = "TEST_BANK_NO_META"
    create_bank(client, bank_name)

    # HMA's GitHub photo, served synthesized from the loopback image server (same path)
    image_url = f"{image_server}{GITHUB_PHOTO_PATH}"
    add_response = client.post(
        f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo",
    )
    assert add_response.status_code == 200, str(add_response.get_json())
    add_data = add_response.get_json()
    assert add_data is not None
    content_id = add_data["id"]

    get_response = client.get(f"/c/bank/{bank_name}/content/{content_id}")
    assert get_response.status_code == 200, str(get_response.get_json())
    get_data = get_response.get_json()
    assert get_data is not None
    assert "metadata" not in get_data


# test_e2e_workflow.py


def test_e2e_workflow__test_add_hashes_and_find_match(hma: HmaClient) -> None:
    client = hma
    bank_name = "TEST_BANK"
    create_bank(client, bank_name)

    # PDQ hashes
    hashes = PDQ_EXAMPLES  # HMA: PdqSignal.get_examples()
    for pdq in hashes:
        resp = client.post(f"/c/bank/{bank_name}/signal", json={"pdq": pdq})
        assert resp.status_code == 200

    # HMA: build_all_indices(storage, storage, storage) ("No background tasks in the test, so let's
    # trigger it manually"); Clearsight keeps its own index current

    # Sanity check that the index is build
    resp = client.get("/m/index/status?signal_type=pdq")
    assert resp.status_code == 200
    all_build_info = resp.json
    assert "pdq" in all_build_info
    build_info = all_build_info["pdq"]
    assert build_info["present"] == True  # HMA's comparison
    assert build_info["size"] == len(hashes)

    # Now match
    resp = client.get(f"/m/lookup?signal_type=pdq&signal={hashes[-1]}")
    assert resp.status_code == 200
    assert resp.json == {"TEST_BANK": [{"bank_content_id": 16, "distance": "0"}]}

    # Test lookup with no match
    resp = client.get("/m/lookup?signal_type=pdq&signal={}".format("5" * 64))
    assert resp.status_code == 200
    assert resp.json == {}


# test_match_api.py


@pytest.fixture
def client_with_sample_data(hma: HmaClient) -> HmaClient:
    """HMA's fixture configures the static "sample" exchange and fetches it (bank SAMPLE: one content
    item per example signal of each enabled signal type), then builds the index. Replayed through the
    routes: bank SAMPLE, and each example of pdq and video_md5 added as its own item."""
    client = hma
    resp = client.post("/c/banks", json={"name": "SAMPLE"})
    assert resp.status_code == 201, resp.text
    for sig_name, examples in HMA_SIGNAL_TYPE_EXAMPLES.items():
        for sig_str in examples:
            resp = client.post("/c/bank/SAMPLE/signal", json={sig_name: sig_str})
            assert resp.status_code == 200, resp.text

    assert client.get("/status").status_code == 200
    return client


def test_match_api__test_raw_lookups(client_with_sample_data: HmaClient) -> None:
    client = client_with_sample_data

    # HMA: assert set(storage.get_signal_type_configs()) == {"pdq", "video_md5"}, then loops over them
    # checking signal_cfg.enabled (HMA's config; Clearsight has more signal types by design)
    for sig_name, examples in HMA_SIGNAL_TYPE_EXAMPLES.items():
        # For each type, just lookup one signal
        sig_str = examples[0]

        query_str: dict[str, t.Any] = {"signal": sig_str, "signal_type": sig_name}

        resp = client.get("/m/raw_lookup", query_string=query_str)
        assert resp.status_code == 200
        match_count = len(resp.json["matches"])
        assert match_count >= 1

        # With distance
        query_str["include_distance"] = True
        resp = client.get("/m/raw_lookup", query_string=query_str)
        assert resp.status_code == 200
        with_dist_matches = resp.json["matches"]
        assert len(with_dist_matches) == match_count

        for match in with_dist_matches:
            assert "bank_content_id" in match
            assert "distance" in match


def test_match_api__test_lookups(client_with_sample_data: HmaClient) -> None:
    client = client_with_sample_data

    # HMA: sanity check set(storage.get_signal_type_configs()) == {"pdq", "video_md5"} and
    # signal_cfg.enabled (HMA's config; Clearsight has more signal types by design)
    for sig_name, examples in HMA_SIGNAL_TYPE_EXAMPLES.items():
        # For each type, just lookup one signal
        sig_str = examples[0]

        query_str = {"signal": sig_str, "signal_type": sig_name}

        resp = client.get("/m/lookup", query_string=query_str)
        assert resp.status_code == 200
        resp_json = t.cast(TMatchByBank, resp.json)
        assert len(resp_json) == 1
        assert "SAMPLE" in resp_json
        with_dist_matches = resp_json["SAMPLE"]
        assert len(with_dist_matches) > 0

        for match in with_dist_matches:
            assert "bank_content_id" in match
            assert "distance" in match


@pytest.fixture
def client_with_multi_bank_data(hma: HmaClient) -> HmaClient:
    """Fixture that sets up multiple banks with sample data for testing bank filtering.

    HMA does it through storage (bank_update(BankConfig(name, 1.0)), bank_add_content(name, {PdqSignal: ...}))
    and builds the index; replayed through POST /c/banks and POST /c/bank/<name>/signal."""
    client = hma

    # Create multiple banks
    for bank in ("BANK_A", "BANK_B", "BANK_C"):
        resp = client.post("/c/banks", json={"name": bank, "enabled_ratio": 1.0})
        assert resp.status_code == 201, resp.text

    # Add content to each bank using PDQ signals
    pdq_signal = PDQ_EXAMPLES[0]
    for bank in ("BANK_A", "BANK_B", "BANK_C"):
        resp = client.post(f"/c/bank/{bank}/signal", json={"pdq": pdq_signal})
        assert resp.status_code == 200, resp.text

    assert client.get("/status").status_code == 200
    return client


def test_match_api__test_raw_lookup_with_bank_filter(client_with_multi_bank_data: HmaClient) -> None:
    """Test /m/raw_lookup endpoint with bank filtering."""
    client = client_with_multi_bank_data

    sig_str = PDQ_EXAMPLES[0]
    query_str = {"signal": sig_str, "signal_type": "pdq"}

    # Test without bank filter - should return all banks
    resp = client.get("/m/raw_lookup", query_string=query_str)
    assert resp.status_code == 200
    all_matches = resp.json["matches"]
    assert len(all_matches) == 3  # One from each bank

    # Test filtering by single bank
    query_str["banks"] = "BANK_A"
    resp = client.get("/m/raw_lookup", query_string=query_str)
    assert resp.status_code == 200
    bank_a_matches = resp.json["matches"]
    assert len(bank_a_matches) == 1

    # Test filtering by multiple banks
    query_str["banks"] = "BANK_A,BANK_B"
    resp = client.get("/m/raw_lookup", query_string=query_str)
    assert resp.status_code == 200
    multi_bank_matches = resp.json["matches"]
    assert len(multi_bank_matches) == 2

    # Test filtering by non-existent bank
    query_str["banks"] = "NON_EXISTENT_BANK"
    resp = client.get("/m/raw_lookup", query_string=query_str)
    assert resp.status_code == 200
    no_matches = resp.json["matches"]
    assert len(no_matches) == 0


def test_match_api__test_raw_lookup_with_distance_and_bank_filter(client_with_multi_bank_data: HmaClient) -> None:
    """Test /m/raw_lookup with both distance and bank filtering."""
    client = client_with_multi_bank_data

    sig_str = PDQ_EXAMPLES[0]
    query_str = {
        "signal": sig_str,
        "signal_type": "pdq",
        "include_distance": True,
        "banks": "BANK_A,BANK_B",
    }

    resp = client.get("/m/raw_lookup", query_string=query_str)
    assert resp.status_code == 200
    matches = resp.json["matches"]
    assert len(matches) == 2

    for match in matches:
        assert "bank_content_id" in match
        assert "distance" in match


def test_match_api__test_lookup_with_bank_filter(client_with_multi_bank_data: HmaClient) -> None:
    """Test /m/lookup endpoint with bank filtering."""
    client = client_with_multi_bank_data

    sig_str = PDQ_EXAMPLES[0]
    query_str = {"signal": sig_str, "signal_type": "pdq"}

    # Test without bank filter - should return all banks
    resp = client.get("/m/lookup", query_string=query_str)
    assert resp.status_code == 200
    resp_json = t.cast(TMatchByBank, resp.json)
    assert len(resp_json) == 3
    assert "BANK_A" in resp_json
    assert "BANK_B" in resp_json
    assert "BANK_C" in resp_json

    # Test filtering by single bank
    query_str["banks"] = "BANK_A"
    resp = client.get("/m/lookup", query_string=query_str)
    assert resp.status_code == 200
    resp_json = t.cast(TMatchByBank, resp.json)
    assert len(resp_json) == 1
    assert "BANK_A" in resp_json
    assert len(resp_json["BANK_A"]) > 0

    # Test filtering by multiple banks
    query_str["banks"] = "BANK_A,BANK_C"
    resp = client.get("/m/lookup", query_string=query_str)
    assert resp.status_code == 200
    resp_json = t.cast(TMatchByBank, resp.json)
    assert len(resp_json) == 2
    assert "BANK_A" in resp_json
    assert "BANK_C" in resp_json
    assert "BANK_B" not in resp_json

    # Test filtering by non-existent bank
    query_str["banks"] = "NON_EXISTENT_BANK"
    resp = client.get("/m/lookup", query_string=query_str)
    assert resp.status_code == 200
    resp_json = t.cast(TMatchByBank, resp.json)
    assert len(resp_json) == 0


# test_hashing.py


def test_hashing__test_invalid_schemes(hma: HmaClient) -> None:
    """Test URLs with invalid schemes."""
    invalid_urls = [
        "ftp://example.com",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ws://example.com",
        "wss://example.com",
    ]

    for url in invalid_urls:
        _assert_invalid_url(hma, url)


def test_hashing__test_missing_scheme_or_netloc(hma: HmaClient) -> None:
    """Test URLs missing scheme or netloc."""
    invalid_urls = [
        "example.com",
        "//example.com",
        "http://",
        "https://",
        "",
        None,
    ]

    for url in invalid_urls:
        _assert_invalid_url(hma, url)


def test_hashing__test_malformed_urls(hma: HmaClient) -> None:
    """Test malformed URLs."""
    invalid_urls = [
        "not a url",
        "http://",
        "https://",
        "http:///example.com",
        "http://example.com:",
        "http://example.com:abc",
    ]

    for url in invalid_urls:
        _assert_invalid_url(hma, url)


def test_hashing__test_content_length_validation(hma: HmaClient, image_server: str) -> None:
    """Test content length validation.

    HMA mocks requests.get for https://example.com/image.jpg: first an image/jpeg answer whose
    content-length is DEFAULT_MAX_REMOTE_FILE_SIZE + 1, then one whose content-length is
    DEFAULT_MAX_REMOTE_FILE_SIZE - 1 with body b"fake image data". The loopback image server
    answers the same at OVER_LIMIT_PATH and UNDER_LIMIT_PATH."""
    client = hma

    # Test with large content length
    response = client.get(f"/h/hash?url={image_server}{OVER_LIMIT_PATH}")
    assert response.status_code == 413
    assert "Content too large" in response.get_data(as_text=True)

    # Test with acceptable content length
    response = client.get(f"/h/hash?url={image_server}{UNDER_LIMIT_PATH}")
    assert response.status_code != 413


def test_hashing__test_content_length_validation_default(hma: HmaClient, image_server: str) -> None:
    """HMA sets app.config["MAX_REMOTE_FILE_SIZE"] = None, "simulating it not being present in an OMM_CONFIG
    file". The Clearsight server here runs with no remote-size setting at all, its default, assumed to be
    HMA's DEFAULT_MAX_REMOTE_FILE_SIZE (100 MB). The mocked over-limit answer is OVER_LIMIT_PATH."""
    client = hma

    # Test with large content length
    response = client.get(f"/h/hash?url={image_server}{OVER_LIMIT_PATH}")
    assert response.status_code == 413
    assert "Content too large" in response.get_data(as_text=True)
