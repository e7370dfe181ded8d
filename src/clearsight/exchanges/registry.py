"""The exchange types Clearsight can fetch from (HMA's installed exchange APIs, and `file`).
A new type is one module plus one line here."""

from __future__ import annotations

from threatexchange.exchanges.impl.fb_threatexchange_api import FBThreatExchangeSignalExchangeAPI
from threatexchange.exchanges.impl.ncmec_api import NCMECSignalExchangeAPI
from threatexchange.exchanges.impl.static_sample import StaticSampleSignalExchangeAPI

from clearsight.errors import ClearsightError
from clearsight.exchanges.file_exchange import FileExchange
from clearsight.exchanges.source import ExchangeType
from clearsight.exchanges.stopncii import StopNCIIWithRemovals
from clearsight.exchanges.threatexchange_apis import ThreatExchangeApi

EXCHANGE_TYPES: dict[str, ExchangeType] = {kind.name: kind for kind in (
    ThreatExchangeApi(FBThreatExchangeSignalExchangeAPI),
    ThreatExchangeApi(NCMECSignalExchangeAPI),
    ThreatExchangeApi(StopNCIIWithRemovals),
    ThreatExchangeApi(StaticSampleSignalExchangeAPI),
    FileExchange(),
)}


def exchange_type(name: str) -> ExchangeType:
    found = EXCHANGE_TYPES.get(name)
    if found is None:
        raise ClearsightError(f"no exchange type {name!r} (known: {', '.join(sorted(EXCHANGE_TYPES))})")
    return found
