"""Fetching `?url=` media for API callers: off unless an operator allows hosts, only those hosts,
every address and every redirect checked, the body capped and read in memory."""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Iterator

import pytest

from clearsight.intake.url_fetch import FetchFailed, FetchPolicy, FetchRefused, FetchTooLarge

BODY = b"\x89PNG benign test bytes"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/image.png":
            self._answer(200, BODY, {"Content-Type": "image/png"})
        elif self.path == "/big":
            self._answer(200, b"x" * 5000, {"Content-Type": "image/png"})
        elif self.path == "/claims-big":
            self._answer(200, b"", {"Content-Type": "image/png", "Content-Length": str(10**9)})
        elif self.path == "/to-local-name":
            self._answer(302, b"", {"Location": f"http://localhost:{self.server.server_address[1]}/image.png"})
        elif self.path == "/to-same-host":
            self._answer(302, b"", {"Location": "/image.png"})
        else:
            self._answer(404, b"", {})

    def _answer(self, code: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _fetch(policy: FetchPolicy, url: str) -> bytes:
    return asyncio.run(policy.fetch(url)).content


def test_fetching_is_off_until_an_operator_allows_hosts(server: str) -> None:
    with pytest.raises(FetchRefused, match="off"):
        _fetch(FetchPolicy.parse([], 1000), f"{server}/image.png")


def test_an_allowed_range_is_fetched_with_its_content_type(server: str) -> None:
    fetched = asyncio.run(FetchPolicy.parse(["127.0.0.0/8"], 1000).fetch(f"{server}/image.png"))
    assert (fetched.content, fetched.content_type) == (BODY, "image/png")
    assert _fetch(FetchPolicy.parse(["127.0.0.1"], 1000), f"{server}/to-same-host") == BODY


def test_a_host_name_allows_only_public_addresses_and_redirects_are_checked_again(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    by_name = FetchPolicy.parse(["localhost"], 1000)
    with pytest.raises(FetchRefused, match="non-public"):
        _fetch(by_name, f"http://localhost:{port}/image.png")
    with pytest.raises(FetchRefused, match="not allowed"):
        _fetch(FetchPolicy.parse(["127.0.0.1"], 1000), f"{server}/to-local-name")
    with pytest.raises(FetchRefused, match="not allowed"):
        _fetch(FetchPolicy.parse(["example.com"], 1000), f"{server}/image.png")
    with pytest.raises(FetchRefused, match="not allowed"):
        _fetch(FetchPolicy.parse(["example.com"], 1000), "https://example.com.evil.test/image.png")


@pytest.mark.parametrize("url", ["not a url", "http://", "https://", "http:///example.com", "http://example.com:", "http://example.com:abc",
                                 "ftp://example.com/x", "http://user@example.com/x"])
def test_malformed_urls_are_refused_before_any_lookup(url: str) -> None:
    with pytest.raises(FetchRefused):
        FetchPolicy.parse(["example.com"], 1000).check_url(url)


def test_bodies_over_the_cap_are_refused_whether_declared_or_streamed(server: str) -> None:
    policy = FetchPolicy.parse(["127.0.0.1"], 1000)
    for path in ("/big", "/claims-big"):
        with pytest.raises(FetchTooLarge):
            _fetch(policy, f"{server}{path}")
    with pytest.raises(FetchFailed, match="404"):
        _fetch(policy, f"{server}/missing")
