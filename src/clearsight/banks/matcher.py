"""Match an item's hashes against the banks: exact digests, PDQ within each bank's distance,
optionally every rotation and mirror image, with allowlists overriding.

Exact hashes are looked up in the database's index; PDQ hashes in an in-memory `HammingIndex`
loaded from the store when the matcher starts and kept current by `refresh` (new hash ids and
the removal log), which `match` runs before matching once `REFRESH_SECONDS` have passed, so a
hash imported by another process is matchable a quarter of a second later without a rebuild.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from clearsight.banks.index import HammingIndex, Hits
from clearsight.banks.signal_types import SAME_DIGEST
from clearsight.banks.snapshot import Snapshot, load, save
from clearsight.banks.spikes import SpikeCounter
from clearsight.banks.video_index import VideoBankIndex, VideoHit
from clearsight.banks.video_match import MATCH_PERCENT, segments
from clearsight.errors import ClearsightError
from clearsight.hashing.bits import hex_to_words
from clearsight.store.banks import BankInfo, BankStore, HashLabels

EXACT_SIGNALS = ("md5", "sha1", "sha256", "video_md5")
MIN_QUALITY = 50
"""PDQ hashes below this quality (flat or tiny images) match too much to be trusted."""
REFRESH_SECONDS = 0.25
"""Most time between catch-ups with the store (a few indexed queries), so an API replica sees a
hash added through another well within a second."""
LABEL_CACHE = 200_000
"""Most hash labels kept in memory (about 200 bytes each)."""
SNAPSHOT_MIN_ROWS = 200_000
"""Below this many hashes read from the store, loading is already quick and no snapshot is written."""


class Reach(Enum):
    """Which banks and entries a lookup may hit, beyond the named banks' enabled allowlists."""

    ENABLED = "enabled"
    """The named banks (every enabled one if none is named) and their entries that match now."""
    EVERY_BANK = "every_bank"
    """The named banks whether enabled or not (HMA's lookup picks them by its coin flip)."""
    EVERYTHING = "everything"
    """The named banks and all their entries, disabled ones too (HMA's raw lookup)."""


@dataclass(frozen=True)
class MatchOptions:
    banks: tuple[str, ...] = ()
    """Banks to match against; empty means every enabled bank. Enabled allowlists always apply."""
    distance: int | None = None
    """PDQ distance for every bank instead of each bank's own."""
    min_quality: int = MIN_QUALITY
    video_percent: float = MATCH_PERCENT
    """Share of a query video's frames that must match a known video (vPDQ)."""
    quarantine_per_hour: int = 0
    """Quarantine an entry matched more often than this in one hour (`banks.spikes`); 0: never
    (forensic scans, where thousands of copies of one known picture are a finding, not a fault)."""


@dataclass(frozen=True)
class Match:
    bank: str
    signal: str
    distance: int
    classification: str | None
    ref: str | None
    transform: str | None = None
    """For PDQ matches found through a rotated or mirrored query, which transform it was."""
    segments: list[list[Any]] | None = None
    """For matches involving video: `[query start, query end, target start, target end]` in seconds
    (null where that side is a still image)."""
    query_percent: float | None = None
    target_percent: float | None = None
    entry_id: int | None = None
    """The bank entry matched (HMA's content id); not part of the scan output."""
    first_seen: date | None = None
    """When the list's owner first saw the entry, if the list said (`first_seen` in the record)."""
    exchange: dict[str, Any] | None = None
    """What the exchange that sent the entry said of it: its api, source id, opinions and tags."""

    def record(self) -> dict[str, Any]:
        out = {"bank": self.bank, "signal": self.signal, "distance": self.distance, "classification": self.classification,
               "ref": self.ref, "transform": self.transform}
        if self.first_seen is not None:
            out["first_seen"] = self.first_seen.isoformat()
        if self.exchange is not None:
            out["exchange"] = self.exchange
        if self.segments is not None:
            out["segments"] = self.segments
        if self.query_percent is not None:
            out |= {"query_percent": round(self.query_percent, 1), "target_percent": round(self.target_percent or 0.0, 1)}
        return out


@dataclass(frozen=True)
class MatchQuery:
    """One item's hashes as the matcher takes them (see `Matcher.match`)."""

    hashes: dict[str, str]
    qualities: dict[str, int] = field(default_factory=dict)
    variants: dict[str, str] = field(default_factory=dict)
    video: list[list[Any]] | None = None


@dataclass
class MatchReport:
    matches: list[Match] = field(default_factory=list)
    allowlisted: list[Match] = field(default_factory=list)
    """Allowlist hits; when there are any, `matches` is empty and the other hits are in `suppressed`."""
    suppressed: list[Match] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Why something was not matched (low PDQ quality)."""
    quarantined: list[Match] = field(default_factory=list)
    """Hits on quarantined entries: listed for review, not acted on."""

    def record(self) -> dict[str, Any]:
        out = {
            "matches": [match.record() for match in self.matches],
            "allowlist_matches": [match.record() for match in self.allowlisted],
            "suppressed_matches": [match.record() for match in self.suppressed],
            "match_notes": self.notes,
        }
        if self.quarantined:
            out["quarantined_matches"] = [match.record() for match in self.quarantined]
        return out


class Matcher:
    """Matches hashes against the banks of one case database."""

    def __init__(self, store: BankStore, options: MatchOptions = MatchOptions(), snapshot: Path | None = None,
                 snapshot_min_rows: int = SNAPSHOT_MIN_ROWS) -> None:
        """`snapshot`: where to keep a copy of the PDQ index between commands (see `banks.snapshot`);
        it is written when at least `snapshot_min_rows` hashes had to be read from the store."""
        self.store = store
        self.options = options
        self.index = HammingIndex()
        self.videos = VideoBankIndex(store, options.min_quality)
        self.banks: dict[int, BankInfo] = {}
        self._last_hash_id = 0
        self._last_removal = 0
        self._last_value = ""
        self._refreshed = 0.0
        self.refreshed_at = 0.0
        """Wall-clock time of the last catch-up with the store (what HMA's staleness check reads)."""
        self.disabled: set[int] = set()
        """Entries that do not match now (`disable_until_ts`), as of the last refresh."""
        self.quarantined: set[int] = set()
        """Entries set aside for review after a match-rate spike, as of the last refresh."""
        self.spikes = SpikeCounter(options.quarantine_per_hour) if options.quarantine_per_hour > 0 else None
        self._labels: dict[int, HashLabels] = {}
        """Labels of PDQ hashes already matched: a hot hash is looked up in the store once."""
        self.restored = snapshot is not None and self._restore(snapshot)
        """Whether the PDQ index came from the snapshot rather than from reading every hash."""
        read = self.refresh()
        if snapshot is not None and read >= snapshot_min_rows and self.index.clean:
            save(snapshot, Snapshot(self.index, self._last_hash_id, self._last_removal, self._last_value))
        unknown = set(options.banks) - {bank.name for bank in self.banks.values()}
        if unknown:
            raise ClearsightError(f"no bank named {', '.join(sorted(unknown))} (see `clearsight bank list`)")

    def _restore(self, path: Path) -> bool:
        """Start from the snapshot if it matches the store: its newest hash is still there, unchanged,
        or was removed through the removal log (which the catch-up then applies)."""
        saved = load(path)
        if saved is None or self.store.hash_value(saved.last_hash_id) not in (saved.last_value, ""):
            return False
        self.index, self._last_hash_id, self._last_removal, self._last_value = saved.index, saved.last_hash_id, saved.last_removal, saved.last_value
        return True

    def refresh(self) -> int:
        """Catch up with the store: bank settings, hashes added and removed since the last refresh.

        Returns how many hashes were read.
        """
        banks = {bank.id: bank for bank in self.store.banks(with_counts=False)}
        if banks != self.banks:
            self._labels.clear()  # a bank's default classification may have changed
        self.banks = banks
        parts = []
        for hash_ids, bank_ids, values in self.store.hashes_after("pdq", self._last_hash_id):
            parts.append((hex_to_words(list(values)), np.array(hash_ids, dtype=np.int64), np.array(bank_ids, dtype=np.int32)))
            self._last_value = values[-1]
        read = sum(len(ids) for _, ids, _ in parts)
        if parts:
            codes, ids, tags = (np.concatenate(column) for column in zip(*parts, strict=True))
            if self._last_hash_id == 0:
                self.index.build(codes, ids, tags)
            else:
                self.index.add(codes, ids, tags)
            self._last_hash_id = int(ids[-1])
        self._last_removal, removed = self.store.removals_after(self._last_removal)
        if removed:
            self.index.remove(removed)
            for hash_id in removed:
                self._labels.pop(hash_id, None)
        self.videos.refresh()
        self.disabled = self.store.disabled_entries()
        self.quarantined = self.store.quarantined_entries()
        self._refreshed = time.monotonic()
        self.refreshed_at = time.time()
        return read

    def catch_up(self) -> None:
        """Refresh if the last refresh is over REFRESH_SECONDS old (or `expire` was called)."""
        if time.monotonic() - self._refreshed >= REFRESH_SECONDS:
            self.refresh()

    def expire(self) -> None:
        """Catch up with the store before the next match (this process just changed a bank)."""
        self._refreshed = 0.0

    def _labels_of(self, hash_ids: list[int]) -> dict[int, HashLabels]:
        """Labels of index hits, from the cache or the store (entries' labels never change after import)."""
        missing = [hash_id for hash_id in hash_ids if hash_id not in self._labels]
        if missing:
            if len(self._labels) > LABEL_CACHE:
                self._labels.clear()
            self._labels.update(self.store.labels(missing))
        return {hash_id: self._labels[hash_id] for hash_id in hash_ids if hash_id in self._labels}

    def _scope(self, restrict: Sequence[str] | None = None, reach: Reach = Reach.ENABLED) -> dict[int, BankInfo]:
        """Banks consulted, by id: those named (else every enabled one), and every enabled allowlist;
        only those in `restrict` when given (the banks an API token may use). Beyond ENABLED
        reach, the banks of `restrict` (else every bank), enabled or not."""
        named = set(self.options.banks)
        allowed = set(restrict) if restrict is not None else None
        if reach is not Reach.ENABLED:
            return {bank.id: bank for bank in self.banks.values() if allowed is None or bank.name in allowed}
        return {bank.id: bank for bank in self.banks.values()
                if ((bank.name in named if named else bank.enabled) or (bank.allowlist and bank.enabled))
                and (allowed is None or bank.name in allowed)}

    def _distance(self, bank: BankInfo) -> int:
        return self.options.distance if self.options.distance is not None else bank.pdq_distance

    def match(self, hashes: dict[str, str], qualities: dict[str, int] | None = None, variants: dict[str, str] | None = None,
              video: list[list[Any]] | None = None) -> MatchReport:
        """Match one item's hashes; `variants` are extra PDQs of the item by transform name (dihedral);
        `video` its vPDQ frames, matched against known videos and, frame by frame, image banks."""
        return self.match_many([MatchQuery(hashes, qualities or {}, variants or {}, video)])[0]

    def match_many(self, queries: Sequence[MatchQuery], restrict: Sequence[str] | None = None, reach: Reach = Reach.ENABLED) -> list[MatchReport]:
        """Match many items at once: one exact lookup in the store and one PDQ index query for all
        of them, which is what makes matching a whole case's items quick. `restrict`: only these banks."""
        self.catch_up()
        in_scope = self._scope(restrict, reach)
        if not in_scope:
            return [MatchReport() for _ in queries]
        radii = {bank_id: self._distance(bank) for bank_id, bank in in_scope.items()}
        """The PDQ (and vPDQ frame) distance of each bank consulted."""
        asked = {(signal, query.hashes[signal].lower()) for query in queries for signal in EXACT_SIGNALS if query.hashes.get(signal)}
        pairs = sorted(asked | {(SAME_DIGEST[signal], value) for signal, value in asked if signal in SAME_DIGEST})
        exact: dict[tuple[str, str], list[HashLabels]] = {}
        for labels in self.store.exact(pairs, list(in_scope)):
            exact.setdefault((labels.signal_type, labels.value), []).append(labels)
        pdq_queries = [self._pdq_queries(query) for query in queries]
        flat = [value for item in pdq_queries for value in item.values()]
        results = self.index.query(hex_to_words(flat), max(radii.values())) if flat and len(self.index) else [Hits.empty()] * len(flat)
        self._labels_of([hash_id for hits in results for hash_id in hits.ids.tolist()])  # one store query for every item's hits
        reports = []
        start = 0
        for query, item_queries in zip(queries, pdq_queries, strict=True):
            report = self._report(query, in_scope, radii, exact, item_queries, results[start : start + len(item_queries)],
                                  set() if reach is Reach.EVERYTHING else self.disabled)
            if reach is not Reach.EVERYTHING:
                self._set_aside(report)
            reports.append(report)
            start += len(item_queries)
        return reports

    def _set_aside(self, report: MatchReport) -> None:
        """Move hits on quarantined entries out of the matches, counting the rest against the spike
        threshold (an entry that passes it is quarantined from this match on)."""
        if self.spikes is not None and report.matches:
            crossed = self.spikes.note({match.entry_id for match in report.matches if match.entry_id is not None and match.entry_id not in self.quarantined})
            if crossed:
                self.store.quarantine(crossed)
                self.quarantined |= set(crossed)
        if self.quarantined:
            report.quarantined = [match for match in report.matches if match.entry_id in self.quarantined]
            report.matches = [match for match in report.matches if match.entry_id not in self.quarantined]

    def _pdq_queries(self, query: MatchQuery) -> dict[str, str]:
        """The PDQs to look up for an item by transform ("original" first), none if its PDQ is of too low quality."""
        pdq = query.hashes.get("pdq")
        quality = query.qualities.get("pdq")
        if not pdq or (quality is not None and quality < self.options.min_quality):
            return {}
        return {"original": pdq.lower(), **{name: value.lower() for name, value in query.variants.items() if name != "original"}}

    def _report(self, query: MatchQuery, in_scope: dict[int, BankInfo], radii: dict[int, int], exact: dict[tuple[str, str], list[HashLabels]],
                pdqs: dict[str, str], pdq_results: Sequence[Hits], disabled: set[int]) -> MatchReport:
        """One item's report from the looked-up exact hits and PDQ index results, leaving out the `disabled` entries."""
        report = MatchReport()
        hits: dict[tuple[int, str], tuple[HashLabels, int, str | None]] = {}
        for signal in EXACT_SIGNALS:
            value = (query.hashes.get(signal) or "").lower()
            for labels in exact.get((signal, value), []) + exact.get((SAME_DIGEST.get(signal, ""), value), []):
                hits[(labels.hash_id, labels.signal_type)] = (labels, 0, None)
        video_matches: list[Match] = []
        quality = query.qualities.get("pdq")
        if query.hashes.get("pdq") and quality is not None and quality < self.options.min_quality:
            report.notes.append(f"pdq quality {quality} is below {self.options.min_quality}: not matched (lower --min-quality to match it)")
        elif pdqs:
            video_matches += self._match_pdq(pdqs, pdq_results, in_scope, radii, hits)
        frame_segments: dict[int, list[list[Any]]] = {}
        if query.video:
            video_matches += self._match_video(query.video, in_scope, radii, hits, frame_segments)
        allowlists = {bank.name for bank in in_scope.values() if bank.allowlist}
        found = sorted(
            [(Match(in_scope[labels.bank_id].name, labels.signal_type, distance, labels.classification, labels.ref, transform,
                    frame_segments.get(labels.hash_id) if labels.signal_type == "pdq" else None, entry_id=labels.entry_id, first_seen=labels.first_seen,
                    exchange=labels.exchange),
              in_scope[labels.bank_id].allowlist)
             for labels, distance, transform in hits.values()]
            + [(match, match.bank in allowlists) for match in video_matches],
            key=lambda pair: (pair[0].distance, pair[0].bank, pair[0].signal, pair[0].ref or ""),
        )
        found = [(match, allowlist) for match, allowlist in found if match.entry_id not in disabled]
        matches = [match for match, allowlist in found if not allowlist]
        report.allowlisted = [match for match, allowlist in found if allowlist]
        if report.allowlisted:
            report.suppressed = matches
        else:
            report.matches = matches
        return report

    def _video_matches(self, found: list[VideoHit], in_scope: dict[int, BankInfo], transform: str | None = None) -> list[Match]:
        labels = self.store.entry_labels([hit.entry_id for hit in found])
        return [
            Match(in_scope[hit.bank_id].name, "vpdq", hit.distance, *labels.get(hit.entry_id, (None, None)), transform, hit.segments,
                  hit.query_percent, hit.target_percent, hit.entry_id)
            for hit in found
            if hit.query_percent is None or hit.query_percent >= self.options.video_percent
        ]

    def _match_video(self, frames: list[list[Any]], in_scope: dict[int, BankInfo], radii: dict[int, int],
                     hits: dict[tuple[int, str], tuple[HashLabels, int, str | None]], frame_segments: dict[int, list[list[Any]]]) -> list[Match]:
        """A video against known videos, and each of its frames against the image banks (a still
        taken from a known video, or a known image shown in a video)."""
        matches = self._video_matches(self.videos.match_video(frames, radii), in_scope)
        usable = [frame for frame in frames if int(frame[1]) >= self.options.min_quality]
        if not usable or not len(self.index):
            return matches
        results = self.index.query(hex_to_words([str(frame[2]) for frame in usable]), max(radii.values()))
        per_hash: dict[int, tuple[int, list[int]]] = {}
        for query_index, result in enumerate(results):
            for hash_id, bank_id, distance in zip(result.ids.tolist(), result.tags.tolist(), result.distances.tolist(), strict=True):
                if distance <= radii.get(bank_id, -1):
                    best, indexes = per_hash.get(hash_id, (distance, []))
                    per_hash[hash_id] = (min(best, distance), [*indexes, query_index])
        times = np.array([float(frame[3]) for frame in usable], dtype=np.float64)
        labels = self._labels_of(list(per_hash))
        for hash_id, (distance, indexes) in per_hash.items():
            label = labels.get(hash_id)
            if label is None or (label.quality is not None and label.quality < self.options.min_quality):
                continue
            matched = np.zeros(len(usable), dtype=bool)
            matched[indexes] = True
            hits[(hash_id, "pdq")] = (label, distance, None)
            frame_segments[hash_id] = segments(times, matched, None)
        return matches

    def _match_pdq(self, pdqs: dict[str, str], results: Sequence[Hits], in_scope: dict[int, BankInfo], radii: dict[int, int],
                   hits: dict[tuple[int, str], tuple[HashLabels, int, str | None]]) -> list[Match]:
        """An item's PDQ index results (one per transform of `pdqs`) into `hits`; returns the known videos with a frame like it."""
        best: dict[int, tuple[int, str | None]] = {}
        for transform, result in zip(pdqs, results, strict=True):
            for hash_id, bank_id, distance in zip(result.ids.tolist(), result.tags.tolist(), result.distances.tolist(), strict=True):
                if distance > radii.get(bank_id, -1) or (hash_id in best and best[hash_id][0] <= distance):
                    continue
                best[hash_id] = (distance, None if transform == "original" else transform)
        labels = self._labels_of(list(best))
        for hash_id, (distance, via) in best.items():
            label = labels.get(hash_id)
            if label is not None and (label.quality is None or label.quality >= self.options.min_quality):
                hits[(hash_id, "pdq")] = (label, distance, via)
        return self._video_matches(self.videos.match_still(list(pdqs.values()), radii), in_scope)
