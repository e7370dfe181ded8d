"""A fake of NCMEC's hash sharing API (v2) on loopback, as python-threatexchange's client reads it
(threatexchange/exchanges/clients/ncmec/hash_api.py, 1.2.17, and NCMEC's documentation it cites):
`GET <base>/v2/entries?from=<ISO>&to=<ISO>` with basic auth answers a `queryResult` of `images`
(with `maxTimestamp`) holding `image` and `deletedImage` entries (`id`, `member id=`,
`classification`, `fingerprints` of `md5`, `sha1`, `pdq`), and `paging/next`, a path relative to
the base with `start`, `size` and `max` that the client follows as is; `PUT
<base>/v2/entries/<member>/<entry>/<fingerprint type>/feedback` takes a `feedbackSubmission`, and
`GET <base>/v2/feedback/<fingerprint type>/reasons` lists one negative reason."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape

USER, PASSWORD = "member", "secret"
AUTH = "Basic bWVtYmVyOnNlY3JldA=="
"""`member:secret`, base64."""
DATE = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class NcmecState:
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 1000
    requests: int = 0
    feedback: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(member, entry, fingerprint type, the submission's XML) of each feedback PUT."""

    def put(self, entry_id: str, fingerprints: dict[str, str], classification: str = "A1", deleted: bool = False) -> None:
        """Add, change or delete an entry now: its time is 6 s ago, before the latest the client asks for
        (python-threatexchange fetches up to 5 s before the present), so the next fetch a second
        later sees it."""
        self.entries[entry_id] = {"id": entry_id, "fingerprints": fingerprints, "classification": classification, "deleted": deleted,
                                  "ts": int(time.time()) - 6}


def _entry_xml(entry: dict[str, Any]) -> str:
    tag = "deletedImage" if entry["deleted"] else "image"
    fingerprints = "".join(f"<{kind}>{escape(value)}</{kind}>" for kind, value in entry["fingerprints"].items())
    body = "" if entry["deleted"] else f"<classification>{entry['classification']}</classification><fingerprints>{fingerprints}</fingerprints>"
    return f'<{tag}><id>{entry["id"]}</id><member id="42">Fake Member</member>{body}</{tag}>'


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        if self.headers.get("Authorization") != AUTH:
            self._send(401, "<error>unauthorized</error>")
            return
        if url.path.startswith("/v2/feedback/") and url.path.endswith("/reasons"):
            self._send(200, '<feedbackReasons><availableFeedbackReasons><reason guid="0f9e6f3c-0000-4000-8000-000000000001" '
                            'name="Not CSAM"/></availableFeedbackReasons></feedbackReasons>')
            return
        if url.path != "/v2/entries":
            self._send(404, "<error>no such endpoint</error>")
            return
        state.requests += 1
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        start_ts = datetime.strptime(query["from"], DATE).replace(tzinfo=UTC).timestamp()
        end_ts = datetime.strptime(query["to"], DATE).replace(tzinfo=UTC).timestamp()
        in_range = sorted((entry for entry in state.entries.values() if start_ts <= entry["ts"] < end_ts), key=lambda entry: entry["ts"])
        offset = int(query.get("start", 0))
        chunk = in_range[offset : offset + state.page_size]
        paging = ""
        if offset + state.page_size < len(in_range):
            following = urlencode({"from": query["from"], "to": query["to"], "start": offset + state.page_size, "size": state.page_size, "max": len(in_range)})
            paging = f"<paging><next>/v2/entries?{escape(following)}</next></paging>"
        newest = datetime.fromtimestamp(max((entry["ts"] for entry in chunk), default=int(start_ts)), UTC).strftime(DATE)
        images = f'<images count="{len(chunk)}" maxTimestamp="{newest}">{"".join(map(_entry_xml, chunk))}</images>' if chunk else ""
        self._send(200, f'<?xml version="1.0" encoding="UTF-8"?><queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">{images}{paging}</queryResult>')

    def do_PUT(self) -> None:
        parts = urlsplit(self.path).path.strip("/").split("/")
        if self.headers.get("Authorization") != AUTH:
            self._send(401, "<error>unauthorized</error>")
            return
        if len(parts) != 6 or parts[:2] != ["v2", "entries"] or parts[5] != "feedback":
            self._send(404, "<error>no such endpoint</error>")
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.server.state.feedback.append((parts[2], parts[3], parts[4], body))
        self._send(200, "<feedbackResult/>")

    def _send(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: NcmecState


class FakeNcmec:
    def __init__(self, state: NcmecState) -> None:
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.state = state
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
