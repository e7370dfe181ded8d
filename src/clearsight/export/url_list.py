"""The URL list partners block from: the confirmed criminal URLs still live, one per line, or
only their SHA-256 digests for partners who must not hold the addresses themselves.

A digest is of the normalised URL, so a partner hashing the URL they see gets the same value:
scheme and host in lower case (an internationalised host in its IDNA form), the scheme's default
port dropped, an empty path as `/`, the fragment dropped (it never reaches the server); the path
and query are kept as they are, since a host may serve different content for different case.
"""

from __future__ import annotations

import hashlib
from typing import TextIO
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine

from clearsight.store.lifecycle import live_criminal_reports

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str) -> str:
    """The URL as hashed for the list (see the module's rules)."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").encode("idna").decode("ascii").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def url_digest(url: str) -> str:
    return hashlib.sha256(normalise_url(url).encode("utf-8")).hexdigest()


def write_url_list(engine: Engine, stream: TextIO, hashed: bool) -> int:
    """Write the list (sorted, without repeats); how many lines."""
    urls = {report["url"] for report in live_criminal_reports(engine)}
    lines = sorted({url_digest(url) for url in urls} if hashed else {normalise_url(url) for url in urls})
    stream.writelines(line + "\n" for line in lines)
    return len(lines)
