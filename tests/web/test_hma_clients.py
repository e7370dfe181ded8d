"""Existing HMA client integrations, driven unchanged against a real `clearsight serve --api`.

Each test sends one client's HTTP requests (method, path as it builds it, query, body, Content-Type),
reads the answers as its code does and asserts what that code concludes. The one addition is
Clearsight's `Authorization: Bearer` header (HMA has none), left off `/status`. Media are the
harness's synthesized checkerboards, served on loopback.

Sources read (their HTTP calls reimplemented here, no code copied):
- roostorg/coop @ 1c1f54da95c738ed6293997c73ab83541ba9a373: server/services/hmaService/index.ts
  (HmaService), server/services/networkingService/index.ts (fetchHTTP: undici fetch; `as-json`
  parses every answer), server/utils/encoding.ts (safe-stable-stringify), server/routes/items/submitItems.ts,
  server/services/signalsService/signals/ImageSimilarityMatch.ts (the callers), hma/Dockerfile (HMA 1.1.7).
- fetlife/hasher_matcher_actioner_api @ d0045577ff316c45fd2cbf55637993683b5a1810 (gem 0.4.2):
  lib/hasher_matcher_actioner_api/{client,banks,hashing,matching,status,exchange_api,exchanges}.rb and
  spec/vcr_cassettes/ (HMA's recorded answers; the query order and the multipart body the gem sends).
- HMA's answers: facebook/ThreatExchange tag hma-v1.1.7 (a859350601ba2776cd684d90db75445dad83c6da),
  hasher-matcher-actioner/src/OpenMediaMatch/{app.py,blueprints/curation.py,blueprints/matching.py,
  blueprints/hashing.py,schemas/curation.py}.
"""

from __future__ import annotations

import json
import re
import secrets
import time
import typing as t
from urllib.parse import quote, quote_plus, urlencode

import httpx
import pytest

from tests.web.hma_server import (
    IMAGE_URL_TO_PDQ,
    HmaClient,
    hma_fixture,  # noqa: F401 - the fixture `hma`
    image_server_fixture,  # noqa: F401 - the fixture `image_server`
)

JSON = t.Any
def _ok(status: int) -> bool:
    return 200 <= status < 300


def _strict_int(value: JSON) -> int:
    """A JSON integer (TypeScript's `id: number` used as one; dry-types' strict Integer), not a string or a float."""
    assert type(value) is int, value
    return value


class ClientError(Exception):
    """What the client throws or raises."""


class Coop:
    """roostorg/coop's HmaService: `${HMA_SERVICE_URL}/c/banks` with HMA_SERVICE_URL's default 'http://localhost:9876/' starts
    with `//`; undici's fetch follows redirects, no timeout."""

    def __init__(self, hma: HmaClient) -> None:
        self.base = hma.base_url + "/"
        self.http = httpx.Client(follow_redirects=True, timeout=60, headers={"Authorization": f"Bearer {hma.token}", "User-Agent": "undici"})

    def fetch(self, method: str, path: str, body: JSON = None, json_header: bool = False, as_json: bool = True, fail: str = "") -> tuple[int, JSON]:
        """fetchHTTP (JSON bodies sorted by safe-stable-stringify; `as-json` throws unless the answer parses), `fail`: throw unless ok."""
        headers = {"Content-Type": "application/json"} if body is not None or json_header else {}
        content = None if body is None else json.dumps(body, sort_keys=True, separators=(",", ":"))
        response = self.http.request(method, self.base + path, content=content, headers=headers)
        answer = json.loads(response.text) if as_json else None
        if fail and not _ok(response.status_code):
            raise ClientError(f"{fail}: {json.dumps({'status': response.status_code, 'responseBody': answer})}")
        return response.status_code, answer

    def create_bank(self, org: str, name: str, ratio: float) -> str:
        """createBank, no exchange: getHmaName's COOP_<ORG>_<NAME> (runs of other characters one underscore, none at the
        ends), `enabled_ratio` as JS's `ratio.toString()` ("1", "0", "0.5")."""
        hma_name = f"COOP_{org.upper()}_" + re.sub(r"_+", "_", re.sub(r"[^A-Z0-9_]", "_", name.upper())).strip("_")
        self.fetch("POST", "/c/banks", {"name": hma_name, "enabled_ratio": str(int(ratio)) if ratio.is_integer() else repr(ratio)},
                   fail="Failed to create HMA bank")
        return hma_name

    def add_url(self, bank: str, url: str, content_id: str) -> JSON:
        """addContentToBank({url, metadata}): the metadata as more URLSearchParams, no body."""
        query = urlencode({"url": url, "content_id": content_id, "content_uri": url}, safe="*")
        return self.fetch("POST", f"/c/bank/{bank}/content?{query}", fail="Failed to add content to bank")[1]

    def list_banks(self, hma_names: list[str]) -> list[str]:
        """listBanks: GET each of the org's banks (with a JSON Content-Type); a 404 drops coop's copy."""
        return [name for name in hma_names if self.fetch("GET", f"/c/bank/{name}", json_header=True)[0] != 404]

    def submit_image(self, url: str, bank_ids: list[str]) -> tuple[dict[str, str], list[str]]:
        """submitItems: hashContentFromUrl (encodeURIComponent), then checkImageMatchWithDetails for every signal type
        it got: lookupContent by signal, "matched" the banks whose `matches[bankName]` is non-empty."""
        hashes = self.fetch("GET", "/h/hash?url=" + quote(url, safe="-_.!~*'()"), fail="Failed to hash content from URL")[1]
        matched = set()
        for signal_type, signal in hashes.items():
            matches = self.fetch("GET", "/m/lookup?" + urlencode({"signal_type": signal_type, "signal": signal}), fail="Failed to lookup content")[1]
            matched |= {bank for bank in bank_ids if matches.get(bank)}
        return hashes, sorted(matched)


def test_coop_hma_service(hma: HmaClient, image_server: str) -> None:
    """Coop's HmaService, base URL 'http://<host>:<port>/':
    createBank: POST //c/banks {"enabled_ratio":"1","name":"COOP_ORG1_..."} (again: 403, thrown);
    addContentToBank: POST //c/bank/<bank>/content?url=..&content_id=..&content_uri=.. (no body) -> {id, signals};
    listBanks: GET //c/bank/<bank> for each bank coop knows (404: dropped);
    submitItems: GET //h/hash?url=<encodeURIComponent> -> {pdq}, GET //m/lookup?signal_type=pdq&signal=<hash> -> matched banks
    (a bank at ratio 0 never matches); updateBank: PUT //c/bank/<bank> {"enabled_ratio":1}, a rename: POST //c/banks (new name)
    and DELETE //c/bank/<old>; deleteBank: DELETE //c/bank/<bank>; getExchangeForBank: GET //c/exchange/<bank> (404: none)."""
    coop = Coop(hma)
    flagged, other = f"{image_server}/image1.jpg", f"{image_server}/image2.jpg"
    known, paused = coop.create_bank("org1", "Known images!", 1.0), coop.create_bank("org1", "paused  bank", 0.0)
    assert (known, paused) == ("COOP_ORG1_KNOWN_IMAGES", "COOP_ORG1_PAUSED_BANK")
    assert coop.fetch("GET", f"/c/bank/{paused}")[1] == {"name": paused, "matching_enabled_ratio": 0.0}  # "0" read as 0.0
    with pytest.raises(ClientError, match=r'"status": 403, "responseBody": \{"message": "Bank already exists"\}'):
        coop.create_bank("org1", "Known images", 1.0)

    for bank in (known, paused):
        content = coop.add_url(bank, flagged, "item-1")
        assert _strict_int(content["id"]) > 0 and content["signals"] == {"pdq": IMAGE_URL_TO_PDQ[flagged]}
    banks = coop.list_banks([known, paused, "COOP_ORG1_ONLY_IN_COOP"])
    assert banks == [known, paused]

    assert coop.submit_image(flagged, banks) == ({"pdq": IMAGE_URL_TO_PDQ[flagged]}, [known])
    assert coop.submit_image(other, banks) == ({"pdq": IMAGE_URL_TO_PDQ[other]}, [])
    assert coop.fetch("PUT", f"/c/bank/{paused}", {"enabled_ratio": 1}, fail="Failed to update HMA bank")[1]["matching_enabled_ratio"] == 1.0
    assert coop.submit_image(flagged, banks)[1] == [known, paused]

    renamed = coop.create_bank("org1", "Reviewed bank", 1.0)
    assert _ok(coop.fetch("DELETE", f"/c/bank/{paused}", as_json=False)[0])
    assert coop.list_banks([known, paused, renamed]) == [known, renamed]
    assert coop.submit_image(flagged, [known, renamed])[1] == [known]
    assert _ok(coop.fetch("DELETE", f"/c/bank/{renamed}", as_json=False)[0])
    assert coop.list_banks([known, renamed]) == [known]
    assert coop.fetch("GET", f"/c/exchange/{known}")[0] == 404  # getExchangeForBank: null, the bank has no exchange


def test_coop_exchange_apis(hma: HmaClient) -> None:
    """getExchangeApis (the bank settings): GET //c/exchanges/apis (thrown unless ok), HMA's configured exchange API names."""
    status, names = Coop(hma).fetch("GET", "/c/exchanges/apis")
    assert status == 200 and isinstance(names, list)


Files = list[tuple[str, str | tuple[str, bytes, str]]]
"""Multipart fields: a text value, or (filename, bytes, type)."""


class Gem:
    """fetlife's gem: Faraday (params sorted and escaped, JSON bodies, answers parsed if their type ends in `json`, GETs retried
    on 408/429/5xx 3 times from 0.5 s doubling, a 3 s timeout), then Client#handle_response."""

    def __init__(self, hma: HmaClient) -> None:
        self.base, self.token = hma.base_url, hma.token
        self.http = httpx.Client(timeout=httpx.Timeout(3.0, connect=6.0), headers={"User-Agent": "Faraday v2.14.0", "Accept": "*/*"})

    def call(self, method: str, path: str, params: dict[str, str] | None = None, body: JSON = None, files: Files | None = None) -> JSON:
        url = self.base + path + ("?" + "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in sorted(params.items())) if params else "")
        headers = {} if path == "/status" else {"Authorization": f"Bearer {self.token}"}
        content: bytes | None = None
        if body is not None:
            headers["Content-Type"], content = "application/json", json.dumps(body, separators=(",", ":")).encode()
        elif files is not None:  # multipart-post's body, as in the cassettes
            boundary, content = f"-----------RubyMultipartPost-{secrets.token_hex(16)}", b""
            for name, value in files:
                if isinstance(value, tuple):
                    content += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{value[0]}"\r\n'
                                f"Content-Length: {len(value[1])}\r\nContent-Type: {value[2]}\r\nContent-Transfer-Encoding: binary\r\n\r\n").encode()
                    content += value[1] + b"\r\n"
                else:
                    content += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            headers["Content-Type"], content = f"multipart/form-data; boundary={boundary}", content + f"--{boundary}--\r\n\r\n".encode()
        for attempt in range(4):
            response = self.http.request(method, url, content=content, headers=headers)
            if method != "GET" or response.status_code not in (408, 429, 500, 502, 503, 504) or attempt == 3:
                break
            time.sleep(0.5 * 2**attempt)
        mime = response.headers.get("content-type", "").split(";")[0].strip()
        answer = json.loads(response.text) if re.search(r"\bjson$", mime) else response.text
        message, status = answer.get("message") if isinstance(answer, dict) else None, response.status_code
        if _ok(status) or (status == 503 and answer == "INDEX-STALE"):
            return answer
        if status == 403:
            kind = "ResourceAlreadyExistsError" if re.search("already exists", message or "") else "PermissionError"
            raise ClientError(f"{kind}: {message}")
        errors = {400: f"ValidationError: Invalid request: {message}", 401: "AuthenticationError", 404: "NotFoundError",
                  500: f"ServerError: {answer}", 503: f"ServerError: Service unavailable: {answer}"}
        raise ClientError(errors.get(status, f"Error: {status} - {answer}"))

    def create_bank(self, name: str, enabled: bool = True) -> JSON:
        bank = self.call("POST", "/c/banks", body={"name": name, "enabled": str(enabled).lower(), "matching_enabled_ratio": 1.0})
        assert type(bank["name"]) is str and type(bank["matching_enabled_ratio"]) is float and 0 <= bank["matching_enabled_ratio"] <= 1  # Bank
        return bank

    def bank_exists(self, name: str) -> bool:
        try:
            self.call("GET", f"/c/bank/{name}")
            return True
        except ClientError as error:
            if str(error) == "NotFoundError":
                return False
            raise

    @staticmethod
    def normalized(by_type: dict[str, dict[str, list[JSON]]], bank_names: list[str] | None = None) -> list[tuple[str, str, int, int]]:
        """normalized_matches: (signal type, bank, content id, distance as Integer), for every bank answered or those asked for."""
        return [(signal_type, name, _strict_int(match["bank_content_id"]), int(match["distance"])) for signal_type, by_bank in by_type.items()
                for name in (list(by_bank) if bank_names is None else bank_names) for match in by_bank.get(name) or []]


def test_fetlife_hasher_matcher_actioner_api(hma: HmaClient, image_server: str) -> None:
    """The gem's Client, base URL 'http://<host>:<port>': server_ready?: GET /status (text); bank_exists?: GET /c/bank/<name>
    (404: false); create_bank: POST /c/banks {"name":..,"enabled":"true","matching_enabled_ratio":1.0} -> Bank (403 "already
    exists", 400 `message` raised); add_url_to_bank: POST /c/bank/<bank>/content?content_type=photo&metadata=<json>&url=.. (no
    body); add_file_to_bank: the same path, multipart `photo` file and `metadata` field; hash_url: GET /h/hash?content_type=photo&
    types=pdq&url=..; hash_file: POST /h/hash (multipart); lookup_signal: GET /m/lookup?signal=..&signal_type=pdq; lookup_url:
    GET /m/lookup?content_type=photo&types=pdq&url=..; lookup_file: POST /m/lookup (multipart); raw_lookup: GET /m/raw_lookup?
    include_distance=false|true&signal=..&signal_type=pdq; exchange_exists?: GET /c/exchange/<name> (404: false)."""
    gem = Gem(hma)
    photo, other = f"{image_server}/image1.jpg", f"{image_server}/image2.jpg"
    upload = ("image2.jpg", httpx.get(other).content, "image/jpeg")  # the File's basename, Marcel's type
    metadata = json.dumps({"content_id": "post-1", "content_uri": "https://example.invalid/p/1", "json": {"source": "test"}}, separators=(",", ":"))

    assert gem.call("GET", "/status") == "I-AM-ALIVE"  # ServerStatus#alive?
    assert not gem.bank_exists("FETLIFE_KNOWN")
    assert gem.create_bank("FETLIFE_KNOWN") == {"name": "FETLIFE_KNOWN", "matching_enabled_ratio": 1.0}
    gem.create_bank("FETLIFE_UPLOADS")
    # HMA's BankCreateRequest defaults enabled_ratio to 1.0, so "enabled":"false" (and matching_enabled_ratio, not a field) change nothing
    assert gem.create_bank("FETLIFE_OFF", enabled=False)["matching_enabled_ratio"] == 1.0
    with pytest.raises(ClientError, match="^ResourceAlreadyExistsError: Bank already exists$"):
        gem.create_bank("FETLIFE_KNOWN")
    with pytest.raises(ClientError, match="^ValidationError: Invalid request: Bank names must be UPPER_WITH_UNDERSCORE$"):
        gem.create_bank("bad_name")
    assert gem.bank_exists("FETLIFE_KNOWN")

    by_url = gem.call("POST", "/c/bank/FETLIFE_KNOWN/content", {"url": photo, "content_type": "photo", "metadata": metadata})
    by_file = gem.call("POST", "/c/bank/FETLIFE_UPLOADS/content", files=[("photo", upload), ("metadata", metadata)])
    (url_id, pdq), (file_id, file_pdq) = [(_strict_int(r["id"]), r["signals"]["pdq"]) for r in (by_url, by_file)]  # BankContentResult
    assert (pdq, file_pdq) == (IMAGE_URL_TO_PDQ[photo], IMAGE_URL_TO_PDQ[other])
    # HMA reads metadata from a JSON body or a form field only: the URL call's query metadata is dropped, the upload's kept
    assert "metadata" not in hma.get(f"/c/bank/FETLIFE_KNOWN/content/{url_id}").json
    assert hma.get(f"/c/bank/FETLIFE_UPLOADS/content/{file_id}").json["metadata"]["content_id"] == "post-1"
    with pytest.raises(ClientError, match="^NotFoundError$"):
        gem.call("POST", "/c/bank/NON_EXISTENT_BANK/content", {"url": photo, "content_type": "photo"})

    assert gem.call("GET", "/h/hash", {"url": photo, "content_type": "photo", "types": "pdq"}) == {"pdq": pdq}
    assert gem.call("POST", "/h/hash", files=[("photo", upload)]) == {"pdq": file_pdq}

    by_bank = gem.call("GET", "/m/lookup", {"signal": pdq, "signal_type": "pdq"})
    assert gem.normalized({"pdq": by_bank}) == [("pdq", "FETLIFE_KNOWN", url_id, 0)]
    assert gem.normalized({"pdq": by_bank}, ["FETLIFE_UPLOADS"]) == []
    by_type = gem.call("GET", "/m/lookup", {"url": photo, "content_type": "photo", "types": "pdq"})
    assert gem.normalized(by_type) == [("pdq", "FETLIFE_KNOWN", url_id, 0)]
    found = gem.normalized(gem.call("POST", "/m/lookup", files=[("photo", upload)]), ["NO_SUCH_BANK", "FETLIFE_UPLOADS"])
    assert found == [("pdq", "FETLIFE_UPLOADS", file_id, 0)]

    raw = gem.call("GET", "/m/raw_lookup", {"signal": pdq, "signal_type": "pdq", "include_distance": "false"})
    assert [_strict_int(i) for i in raw["matches"]] == [url_id]  # MatchesResult
    raw = gem.call("GET", "/m/raw_lookup", {"signal": pdq, "signal_type": "pdq", "include_distance": "true"})
    assert [(_strict_int(m["bank_content_id"]), int(m["distance"])) for m in raw["matches"]] == [(url_id, 0)]  # MatchesResultWithDistance
    with pytest.raises(ClientError, match="^NotFoundError$"):  # exchange_exists?: false
        gem.call("GET", "/c/exchange/FETLIFE_KNOWN")


def test_fetlife_list_exchange_apis(hma: HmaClient) -> None:
    """list_exchange_apis (and require_exchange_apis_enabled!): GET /c/exchanges/apis, HMA's exchange API names (a JSON list)."""
    assert isinstance(Gem(hma).call("GET", "/c/exchanges/apis"), list)
