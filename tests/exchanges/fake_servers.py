"""Fakes of the remote services exchanges fetch from, on loopback only, speaking their wire format.

`FakeStopNCII` answers StopNCII's FetchHashes as python-threatexchange's client reads it
(threatexchange/exchanges/clients/stopncii/api.py, 1.2.17): `GET <base>/FetchHashes` with
`startTimestamp`, `pageSize` and `nextPageToken`, the `x-functions-key` and
`Ocp-Apim-Subscription-Key` headers, and a JSON body of `count`, `nextPageToken`,
`nextSetTimestamp`, `hasMoreRecords` and `hashRecords` (each `lastModtimestamp`, `signalType`,
`hashValue`, `hashStatus`, `caseNumbers`, `CSPFeedbacks`). Records are served in modification
order from the start timestamp, `page_size` at a time (the fake's, whatever the client asks, so
tests can have many pages); a page with more after it checkpoints at the start again, the last one
past its newest record, so a fetch cut short resumes from the start of its set. `failure` makes every answer after the first `fail_after` pages
malformed JSON, a 503, a 401, or a page that never finishes (`hang`). `FakeFiles` serves files.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FUNCTION_KEY = "fetch-key"
SUBSCRIPTION_KEY = "subscription-key"


@dataclass
class StopNCIIState:
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    """By hash value."""
    page_size: int = 3
    failure: str | None = None
    fail_after: int = 0
    pages_served: int = 0
    page_seconds: float = 0.0
    clock: int = 1_700_000_000

    def put(self, value: str, status: str = "Active", signal: str = "ImagePDQ", tags: tuple[str, ...] = ()) -> None:
        """Add or change a record (its modification time moves on)."""
        self.clock += 10
        self.records[value] = {"lastModtimestamp": self.clock, "signalType": signal, "hashValue": value, "hashStatus": status,
                               "caseNumbers": {"case-1": status}, "CSPFeedbacks": [{"feedbackValue": "Blocked", "tags": list(tags), "source": "csp"}]}

    def page(self, start: int, token: str) -> dict[str, Any]:
        ordered = sorted((record for record in self.records.values() if record["lastModtimestamp"] >= start), key=lambda record: record["lastModtimestamp"])
        offset = int(token or 0)
        chunk = ordered[offset : offset + self.page_size]
        more = offset + self.page_size < len(ordered)
        return {"count": len(chunk), "nextPageToken": str(offset + self.page_size) if more else None,
                "nextSetTimestamp": chunk[-1]["lastModtimestamp"] + 1 if chunk and not more else start,
                "hasMoreRecords": more, "hashRecords": chunk}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: Any) -> None:  # no request lines on stderr
        pass

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in self.server.files:
            self._send(200, self.server.files[url.path], "text/csv")
            return
        state = self.server.stopncii
        if url.path != "/v1/FetchHashes" or state is None:
            self._send(404, b"{}")
            return
        if self.headers.get("x-functions-key") != FUNCTION_KEY or self.headers.get("Ocp-Apim-Subscription-Key") != SUBSCRIPTION_KEY:
            self._send(401, b'{"message": "invalid key"}')
            return
        state.pages_served += 1
        failing = state.failure is not None and state.pages_served > state.fail_after
        if failing and state.failure == "401":
            self._send(401, b'{"message": "invalid key"}')
        elif failing and state.failure == "503":
            self._send(503, b'{"message": "unavailable"}')
        elif failing and state.failure == "malformed":
            self._send(200, b'{"count": 3, "hashRecords": [{"hashValue": ')
        elif failing and state.failure == "hang":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.write(b'{"count": 1, ')
            time.sleep(3600)
        else:
            time.sleep(state.page_seconds)
            query = parse_qs(url.query)
            page = state.page(int(query.get("startTimestamp", ["0"])[0]), query.get("nextPageToken", [""])[0])
            self._send(200, json.dumps(page).encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stopncii: StopNCIIState | None = None
    files: dict[str, bytes]


class FakeServer:
    """One loopback server for the fakes; `base` is its URL."""

    def __init__(self, stopncii: StopNCIIState | None = None) -> None:
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.stopncii = stopncii
        self.httpd.files = {}
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve_file(self, path: str, data: bytes) -> str:
        self.httpd.files[path] = data
        return self.base + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
