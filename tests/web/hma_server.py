"""Harness for replaying HMA's (OpenMediaMatch's) own tests over HTTP against a real `clearsight serve --api`.

HMA's tests drive a Flask test client; `HmaClient` offers the same calls (get/post/put/delete with
json=, data= holding file tuples, query_string=, content_type=, headers=) and answers with an object
shaped like Flask's test response (.status_code, .json, .get_json(), .data, .get_data(), .text,
.is_json, .headers), so the replayed tests read like HMA's. Every request carries the bearer token
Clearsight requires (HMA has no authentication).

`image_server` is HMA's utils.image_server: a loopback HTTP server with the same two checkerboard
JPEGs, their PDQ hashes in IMAGE_URL_TO_PDQ. It also serves a synthesized stand-in for the GitHub
photo some HMA tests fetch (tests here never leave the loopback), and two files whose Content-Length
headers stand in for the mocked `requests.get` answers of HMA's content-length tests.
"""

from __future__ import annotations

import functools
import http.server
import json as jsonlib
import mimetypes
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import typing as t
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from urllib.parse import urlencode

import httpx
import pytest
from PIL import Image, ImageDraw
from threatexchange.signal_type.pdq.signal import PdqSignal

from clearsight.assess.accounts import Accounts
from clearsight.store.db import open_engine
from tests.loopback import free_port

# Populated at session start by the image_server fixture, as in HMA's tests/utils.py
IMAGE_URL_TO_PDQ: dict[str, str] = {}

# HMA's blueprints/hashing.py DEFAULT_MAX_REMOTE_FILE_SIZE (HMA's test omm_config.py leaves
# MAX_REMOTE_FILE_SIZE unset, so this is the limit its tests see). Assumed to be Clearsight's default too.
DEFAULT_MAX_REMOTE_FILE_SIZE = 100 * 1024 * 1024

# Stand-in for https://github.com/facebook/ThreatExchange/blob/main/pdq/data/bridge-mods/aaa-orig.jpg?raw=true
# (a photo of a bridge HMA's tests fetch from GitHub): the same path and query on the loopback server,
# serving a synthesized benign picture instead.
GITHUB_PHOTO_PATH = "/facebook/ThreatExchange/blob/main/pdq/data/bridge-mods/aaa-orig.jpg?raw=true"

# Stand-ins for the mocked `requests.get` of HMA's test_hashing.py content-length tests: image/jpeg
# answers whose Content-Length claims one byte over / under the limit. The first sends no body; the
# second sends the mock's b"fake image data" and closes the connection.
OVER_LIMIT_PATH = "/content-length/over-limit/image.jpg"
UNDER_LIMIT_PATH = "/content-length/under-limit/image.jpg"

SERVER_START_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 60.0

JSON = t.Any


# The image server


def _make_checkerboard(cell: int) -> Image.Image:
    """Exactly as HMA's utils.image_server makes them."""
    img = Image.new("RGB", (128, 128))
    pixels = img.load()
    assert pixels is not None
    for x in range(128):
        for y in range(128):
            pixels[x, y] = (255, 255, 255) if (x // cell + y // cell) % 2 else (0, 0, 0)
    return img


def _make_bridge_stand_in() -> Image.Image:
    """A benign synthesized picture (sky, water, a dark arch and deck) in place of the GitHub photo."""
    width, height = 320, 240
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for y in range(height):
        if y < 150:
            draw.line([(0, y), (width, y)], fill=(90 + y // 2, 140 + y // 3, 230))
        else:
            draw.line([(0, y), (width, y)], fill=(20, 60 + (y - 150), 90 + (y - 150) // 2))
    draw.rectangle([0, 118, width, 130], fill=(40, 35, 30))
    draw.arc([40, 90, 280, 300], start=180, end=360, fill=(50, 40, 35), width=10)
    for x in range(60, 280, 30):
        draw.line([(x, 130), (x, 150)], fill=(60, 50, 40), width=4)
    draw.ellipse([250, 20, 290, 60], fill=(250, 230, 120))
    return img


class _ImageHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the folder (query strings ignored, as for the GitHub stand-in) plus the content-length paths."""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == OVER_LIMIT_PATH:
            self._claim_length(DEFAULT_MAX_REMOTE_FILE_SIZE + 1, b"")
        elif path == UNDER_LIMIT_PATH:
            self._claim_length(DEFAULT_MAX_REMOTE_FILE_SIZE - 1, b"fake image data")
        else:
            super().do_GET()

    def _claim_length(self, length: int, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True

    def log_message(self, format: str, *args: t.Any) -> None:
        pass


@pytest.fixture(name="image_server", scope="session")
def image_server_fixture() -> Iterator[str]:
    """Start a loopback HTTP server serving test images (HMA's utils.image_server, same images).

    Populates IMAGE_URL_TO_PDQ with computed PDQ hashes for each served checkerboard.
    Yields the base URL (e.g. "http://127.0.0.1:PORT").
    """
    tmpdir = Path(tempfile.mkdtemp())
    server: http.server.ThreadingHTTPServer | None = None
    try:
        # Two checkerboards with different cell sizes -> different PDQ hashes
        _make_checkerboard(cell=8).save(tmpdir / "image1.jpg", format="JPEG")
        _make_checkerboard(cell=16).save(tmpdir / "image2.jpg", format="JPEG")
        github_stand_in = tmpdir / GITHUB_PHOTO_PATH.lstrip("/").split("?", 1)[0]
        github_stand_in.parent.mkdir(parents=True)
        _make_bridge_stand_in().save(github_stand_in, format="JPEG")

        handler = functools.partial(_ImageHandler, directory=str(tmpdir))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()

        base_url = f"http://127.0.0.1:{port}"
        for filename in ("image1.jpg", "image2.jpg"):
            url = f"{base_url}/{filename}"
            IMAGE_URL_TO_PDQ[url] = PdqSignal.hash_from_file(tmpdir / filename)

        yield base_url
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        shutil.rmtree(tmpdir)


# The client


class HmaResponse:
    """What HMA's tests read off Flask's test response."""

    def __init__(self, response: httpx.Response) -> None:
        self.raw = response
        self.status_code: int = response.status_code
        self.headers: httpx.Headers = response.headers
        self.data: bytes = response.content

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    @property
    def mimetype(self) -> str:
        return str(self.headers.get("content-type", "")).split(";", 1)[0].strip().lower()

    @property
    def is_json(self) -> bool:
        """As Flask: application/json or application/*+json."""
        mimetype = self.mimetype
        return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))

    @property
    def json(self) -> JSON:
        """The parsed body when it is JSON (by content type), else None."""
        return self.get_json()

    def get_json(self) -> JSON:
        if not self.is_json:
            return None
        try:
            return jsonlib.loads(self.data)
        except ValueError:
            return None

    def get_data(self, as_text: bool = False) -> bytes | str:
        return self.text if as_text else self.data

    def __repr__(self) -> str:
        return f"<HmaResponse {self.status_code} {self.text[:300]!r}>"


FileField = tuple[str, bytes, str]


def _file_part(value: t.Any) -> FileField | None:
    """A Werkzeug test-client file value ((file, filename[, content_type]) or a file object) as httpx wants it."""
    if isinstance(value, tuple):  # Werkzeug: every tuple is (file, filename[, content_type])
        source = value[0]
        filename = value[1] if len(value) > 1 else getattr(source, "name", "")
        content_type = value[2] if len(value) > 2 else None
    elif hasattr(value, "read"):
        source, filename, content_type = value, getattr(value, "name", ""), None
    else:
        return None
    if isinstance(source, str):  # Werkzeug opens a str as a path
        content = Path(source).read_bytes()
    else:
        content = source.read()
        if isinstance(content, str):
            content = content.encode()
    filename = os.fspath(filename) if filename else ""
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return (filename, content, content_type)


def _query(query_string: t.Mapping[str, t.Any] | str | None) -> str:
    """As Werkzeug: values through str() (True -> "True"), None values dropped."""
    if query_string is None:
        return ""
    if isinstance(query_string, str):
        return query_string.lstrip("?")
    pairs: list[tuple[str, str]] = []
    for key, value in query_string.items():
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                pairs.append((key, str(item)))
    return urlencode(pairs)


class HmaClient:
    """HMA's Flask test client, over HTTP to the Clearsight server, with Clearsight's bearer token."""

    def __init__(self, base_url: str, token: str, server_log: Path | None = None) -> None:
        self.base_url = base_url
        self.token = token
        self.server_log = server_log
        self._http = httpx.Client(timeout=REQUEST_TIMEOUT_S)

    def __enter__(self) -> t.Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def server_output(self) -> str:
        """The server's stdout and stderr so far (for failure messages)."""
        if self.server_log is None or not self.server_log.exists():
            return ""
        return self.server_log.read_text(errors="replace")

    def open(
        self,
        method: str,
        path: str,
        *,
        json: JSON = None,
        data: t.Any = None,
        query_string: t.Mapping[str, t.Any] | str | None = None,
        content_type: str | None = None,
        headers: t.Mapping[str, str] | None = None,
    ) -> HmaResponse:
        url = self.base_url + path
        query = _query(query_string)
        if query:
            url += ("&" if "?" in path else "?") + query
        sent_headers = {"Authorization": f"Bearer {self.token}"}
        sent_headers.update(headers or {})
        kwargs: dict[str, t.Any] = {}
        if json is not None:
            kwargs["content"] = jsonlib.dumps(json).encode()
            sent_headers.setdefault("Content-Type", content_type or "application/json")
        elif isinstance(data, (bytes, str)):
            kwargs["content"] = data.encode() if isinstance(data, str) else data
            if content_type:
                sent_headers.setdefault("Content-Type", content_type)
        elif data is not None:
            files: list[tuple[str, tuple[str | None, bytes | str, str] | tuple[None, str]]] = []
            fields: dict[str, list[str]] = {}
            items = data.items() if hasattr(data, "items") else data
            for key, value in items:
                for item in value if isinstance(value, list) else [value]:
                    part = _file_part(item)
                    if part is not None:
                        files.append((key, part))
                    elif item is not None:
                        fields.setdefault(key, []).append(str(item))
            multipart = bool(files) or (content_type or "").startswith("multipart/form-data")
            if multipart:
                files.extend((key, (None, value)) for key, values in fields.items() for value in values)
                kwargs["files"] = files
            else:
                kwargs["data"] = fields
                if content_type:
                    sent_headers.setdefault("Content-Type", content_type)
        elif content_type:
            sent_headers.setdefault("Content-Type", content_type)
        return HmaResponse(self._http.request(method, url, headers=sent_headers, **kwargs))

    def get(self, path: str, **kwargs: t.Any) -> HmaResponse:
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: t.Any) -> HmaResponse:
        return self.open("POST", path, **kwargs)

    def put(self, path: str, **kwargs: t.Any) -> HmaResponse:
        return self.open("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: t.Any) -> HmaResponse:
        return self.open("DELETE", path, **kwargs)


# The server


def _live(base_url: str) -> bool:
    """HMA's /status/live answers; until the HMA routes land, Clearsight's /api/v1/status/live will do."""
    for path in ("/status/live", "/api/v1/status/live"):
        try:
            if httpx.get(base_url + path, timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            return False
    return False


def _wait_until_live(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    started = time.monotonic()
    while not _live(base_url):
        if process.poll() is not None:
            pytest.fail(f"`clearsight serve --api` exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        if time.monotonic() - started > SERVER_START_TIMEOUT_S:
            pytest.fail(f"`clearsight serve --api` did not answer /status/live within {SERVER_START_TIMEOUT_S:.0f} s:\n"
                        f"{log.read_text(errors='replace')}")
        time.sleep(0.05)


def server_command(db: str, port: int) -> list[str]:
    return [sys.executable, "-m", "clearsight", "serve", "--api", "--no-fetch", "--db", db, "--port", str(port)]


@pytest.fixture(name="hma")
def hma_fixture(tmp_path: Path) -> Iterator[HmaClient]:
    """A fresh SQLite case database, an unscoped token, and `clearsight serve --api` on it; yields the client."""
    db = str(tmp_path / "hma.db")
    engine = open_engine(db)
    try:
        token = Accounts(engine, actor="test").add_token("hma", None)
    finally:
        engine.dispose()
    port = free_port()
    log = tmp_path / "server.log"
    # CLEARSIGHT_URL_FETCH_ALLOW: the operator's allowlist for ?url= fetching (the loopback image server).
    # XDG_CONFIG_HOME (the audit key's folder) is inherited from the test process.
    env = os.environ | {"CLEARSIGHT_URL_FETCH_ALLOW": "127.0.0.1"}
    with log.open("wb") as log_file:
        process = subprocess.Popen(server_command(db, port), stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_live(process, base_url, log)
        with HmaClient(base_url, token, log) as client:
            yield client
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# HMA's tests/utils.py helpers


def create_bank(client: HmaClient, bank_name: str) -> None:
    post_response = client.post(
        "/c/banks",
        json={"name": bank_name},
    )
    assert post_response.status_code == 201
    assert post_response.json == {"matching_enabled_ratio": 1.0, "name": bank_name}


def add_hash_to_bank(client: HmaClient, bank_name: str, image_url: str, content_id: int = 1) -> None:
    post_response = client.post(f"/c/bank/{bank_name}/content?url={image_url}&content_type=photo")

    assert post_response.status_code == 200
    assert post_response.json == {
        "id": content_id,
        "signals": {
            "pdq": IMAGE_URL_TO_PDQ[image_url],
        },
    }
