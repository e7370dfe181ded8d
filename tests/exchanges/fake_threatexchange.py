"""A fake of Meta ThreatExchange's Graph API `/{privacy group}/threat_updates/` on loopback, as
python-threatexchange's client reads it (threatexchange/exchanges/clients/fb_threatexchange/api.py
and threat_updates.py, 1.2.17): `access_token`, `start_time`, `limit` and `fields` parameters, a
JSON body of `data` (each update's `id`, `indicator`, `type`, `creation_time`, `last_updated`,
`should_delete` and `descriptors.data` with `id`, `owner.id`, `status` and `tags`) and
`paging.next`, an absolute URL the client follows as is."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "1234567890|secret"
PRIVACY_GROUP = 303636684709969


@dataclass
class ThreatExchangeState:
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 2
    clock: int = 1_700_000_000
    next_id: int = 1

    def put(self, indicator: str, status: str = "MALICIOUS", tags: tuple[str, ...] = (), delete: bool = False) -> None:
        self.clock += 1
        known = self.updates.get(indicator)
        update_id = known["id"] if known else str(self.next_id)
        self.next_id += not known
        self.updates[indicator] = {"id": update_id, "indicator": indicator, "type": "HASH_PDQ", "creation_time": self.clock, "last_updated": self.clock,
                                   "should_delete": delete,
                                   "descriptors": {"data": [] if delete else [{"id": f"9{update_id}", "owner": {"id": "4242"}, "status": status,
                                                                               "tags": list(tags)}]}}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        state = self.server.state
        if url.path != f"/{PRIVACY_GROUP}/threat_updates/":
            return self._send(404, {"error": {"message": "Unknown path"}})
        if query.get("access_token") != TOKEN:
            return self._send(400, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}})
        start = int(query.get("start_time") or 0)
        ordered = sorted((update for update in state.updates.values() if update["last_updated"] >= start), key=lambda update: update["last_updated"])
        offset = int(query.get("after", 0))
        chunk = ordered[offset : offset + state.page_size]
        body: dict[str, Any] = {"data": chunk}
        if offset + state.page_size < len(ordered):
            following = {"access_token": TOKEN, "start_time": start, "after": offset + state.page_size}
            body["paging"] = {"next": f"{self.server.base}{url.path}?{urlencode(following)}"}
        return self._send(200, body)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ThreatExchangeState
    base: str


class FakeThreatExchange:
    def __init__(self, state: ThreatExchangeState) -> None:
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.state = state
        self.base = self.httpd.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
