"""Fetching media from a URL on an API caller's behalf (HMA's `?url=`), only where an operator allows.

A server that fetches what its callers name is a way into the network it sits in, so this is off
unless `CLEARSIGHT_URL_FETCH_ALLOW` names hosts or address ranges. A host name allows itself and
its subdomains, and only at public addresses (a name that resolves into a private range is
refused unless a CIDR entry covers that address too); an address or CIDR entry allows those
addresses. Every address a name resolves to is checked, the connection goes to the checked
address (so a second DNS answer cannot differ), redirects are checked again hop by hop, and the
body is read into memory up to a size cap within a time limit. Nothing fetched is written to disk.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

FETCH_TIMEOUT_SECONDS = 30.0
MAX_FETCH_BYTES = 100 * 1024 * 1024
"""Largest body fetched: HMA's MAX_REMOTE_FILE_SIZE default; past it, HMA's 413."""
MAX_REDIRECTS = 5
REFUSED = "Invalid or unsafe URL provided"
"""HMA's answer to a URL it will not fetch (the reason goes to neither the caller nor the log)."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class FetchRefused(ValueError):
    """The URL is malformed, or its host or an address it resolves to is not allowed."""


class FetchTooLarge(ValueError):
    """The body is over the size cap."""


class FetchFailed(ValueError):
    """The server could not be reached or did not answer with the content (message says why)."""


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str


def _network(entry: str) -> Network | None:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None


@dataclass(frozen=True)
class FetchPolicy:
    hosts: tuple[str, ...]
    networks: tuple[Network, ...]
    max_bytes: int
    timeout: float = FETCH_TIMEOUT_SECONDS

    @classmethod
    def parse(cls, allow: Sequence[str], max_bytes: int) -> FetchPolicy:
        """The policy of `CLEARSIGHT_URL_FETCH_ALLOW`'s entries."""
        networks = tuple(network for entry in allow if (network := _network(entry)) is not None)
        hosts = tuple(entry.lower().strip(".") for entry in allow if _network(entry) is None)
        return cls(hosts, networks, max_bytes)

    @property
    def enabled(self) -> bool:
        return bool(self.hosts or self.networks)

    def check_url(self, url: str) -> tuple[str, str, int]:
        """(scheme, host, port) of a URL this policy may fetch, before any address is looked up."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise FetchRefused("malformed URL") from None
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host or parts.netloc.endswith(":") or parts.username is not None:
            raise FetchRefused("not an http(s) URL with a host")
        if not self.enabled:
            raise FetchRefused("URL fetching is off (CLEARSIGHT_URL_FETCH_ALLOW)")
        literal = _network(host)
        if literal is None and not any(host == allowed or host.endswith("." + allowed) for allowed in self.hosts):
            raise FetchRefused("host not allowed")
        if literal is not None and not self._in_networks(literal.network_address):
            raise FetchRefused("address not allowed")
        return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)

    def _in_networks(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address in network for network in self.networks)

    def check_address(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
        """Refuse an address a name resolved to unless it is public or in an allowed range."""
        if not (address.is_global or self._in_networks(address)):
            raise FetchRefused("resolves to a non-public address")

    async def _resolved(self, host: str, port: int) -> str:
        """The first address of `host`, once every address it resolves to passed `check_address`."""
        if _network(host) is not None:
            return host
        try:
            found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchFailed(f"cannot resolve host: {exc.strerror}") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
        for address in addresses:
            self.check_address(address)
        return str(addresses[0])

    async def fetch(self, url: str) -> Fetched:
        """The body and Content-Type at `url`, following checked redirects."""
        try:
            async with asyncio.timeout(self.timeout), httpx.AsyncClient(follow_redirects=False, trust_env=False) as client:
                for _ in range(MAX_REDIRECTS + 1):
                    answer = await self._get(client, url)
                    if answer is None:
                        raise FetchFailed("no answer")
                    if isinstance(answer, str):
                        url = answer
                        continue
                    return answer
        except TimeoutError:
            raise FetchFailed("timed out") from None
        except httpx.HTTPError as exc:
            raise FetchFailed(type(exc).__name__) from None
        raise FetchFailed("too many redirects")

    async def _get(self, client: httpx.AsyncClient, url: str) -> Fetched | str | None:
        """One hop: the content, or the URL a redirect points to."""
        scheme, host, port = self.check_url(url)
        address = await self._resolved(host, port)
        parts = urlsplit(url)
        target = parts._replace(netloc=f"[{address}]:{port}" if ":" in address else f"{address}:{port}").geturl()
        headers = {"Host": parts.netloc.rsplit("@", 1)[-1], "Accept": "image/*,video/*"}
        extensions = {"sni_hostname": host} if scheme == "https" else {}
        async with client.stream("GET", target, headers=headers, extensions=extensions) as response:
            if response.is_redirect and "location" in response.headers:
                return urljoin(url, response.headers["location"])
            if response.status_code != 200:
                raise FetchFailed(f"the server answered {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchTooLarge("Content too large")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchTooLarge("Content too large")
                chunks.append(chunk)
            return Fetched(b"".join(chunks), response.headers.get("content-type", ""))
