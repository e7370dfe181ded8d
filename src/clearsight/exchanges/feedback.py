"""Confirm or dispute what a match hit: recorded per bank entry, and sent back to the exchange the
entry came from where its API takes feedback (NCMEC's per-fingerprint upvote and downvote, through
python-threatexchange's client). StopNCII's feedback endpoint needs a SubmitFeedback function key
that python-threatexchange's StopNCII credentials do not carry, and ThreatExchange takes opinions
on descriptors whose ids are not kept, so for those (and lists from files) the feedback is
recorded only, saying why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from threatexchange.exchanges.clients.ncmec import hash_api
from threatexchange.exchanges.impl.ncmec_api import NCMECSignalExchangeAPI

from clearsight.errors import reason
from clearsight.exchanges.redact import redacted
from clearsight.exchanges.registry import exchange_type
from clearsight.exchanges.threatexchange_apis import ThreatExchangeApi
from clearsight.store.exchanges import ExchangeRow, ExchangeStore

FINGERPRINTS = {"pdq": hash_api.FingerprintType.pdq, "md5": hash_api.FingerprintType.md5, "sha1": hash_api.FingerprintType.sha1}
Sender = Callable[[ExchangeRow, dict[str, Any] | None, str, dict[str, str], str], str]


def _ncmec(row: ExchangeRow, credentials: dict[str, Any] | None, key: str, hashes: dict[str, str], verdict: str) -> str:
    """Upvote (confirm) or downvote (dispute) each fingerprint of the NCMEC entry `member-entry`."""
    kind = exchange_type(row.api)
    assert isinstance(kind, ThreatExchangeApi)
    collab = kind.collab(row.config)
    api = kind.client(collab, credentials)
    assert isinstance(api, NCMECSignalExchangeAPI)
    client = api.get_client(collab.environment)
    member, _, entry = key.partition("-")
    sent = []
    for signal in sorted(hashes):
        fingerprint = FINGERPRINTS.get(signal)
        if fingerprint is not None:
            vote = hash_api.FeedbackType.upvote if verdict == "confirm" else hash_api.FeedbackType.downvote
            client.submit_feedback(int(member), entry, fingerprint, vote)
            sent.append(fingerprint.value)
    return f"sent to NCMEC as {'an upvote' if verdict == 'confirm' else 'a downvote'} of {', '.join(sent) or 'no fingerprint'}"


SENDERS: dict[str, Sender] = {"ncmec": _ncmec}
"""Exchange types whose API takes feedback, by name."""


def give(store: ExchangeStore, entry_id: int, verdict: str, actor: str, note: str | None = None) -> dict[str, Any]:
    """Record feedback on a bank entry and send it where its exchange takes it; what happened."""
    feedback_id = store.record_feedback(entry_id, verdict, actor, note)
    source = store.source_of(entry_id)
    if source is None:
        result, sent = "recorded; the entry came from no exchange", False
    else:
        row, key, hashes = source
        sender = SENDERS.get(row.api)
        if sender is None:
            result, sent = f"recorded; the {row.api} exchange type takes no feedback here", False
        else:
            credentials = store.credentials(row.api)
            try:
                result, sent = sender(row, credentials, key, hashes, verdict), True
            except Exception as exc:  # noqa: BLE001 - a refusal by the exchange is this feedback's result, kept with it
                result, sent = redacted(f"recorded; sending failed: {type(exc).__name__}: {reason(exc)}", credentials), False
    store.feedback_sent(feedback_id, sent, result)
    return {"feedback_id": feedback_id, "entry_id": entry_id, "verdict": verdict, "sent": sent, "result": result}
