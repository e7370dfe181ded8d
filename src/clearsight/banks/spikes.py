"""Match-rate spikes: an entry matched far more often than the rest in one hour is more likely a
bad entry (a blank frame, a meme, a logo wrongly listed) than a wave of abuse, so HMA's adopters
want it set aside for review instead of acting on every upload. Counted per process, per clock
hour: with several server processes, an entry is quarantined when one of them sees the threshold."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable


class SpikeCounter:
    def __init__(self, per_hour: int) -> None:
        self.per_hour = per_hour
        self._hour = -1
        self._counts: Counter[int] = Counter()

    def note(self, entry_ids: Iterable[int], now: float | None = None) -> dict[int, int]:
        """Count one match of each entry; the entries that just passed the hour's threshold, with their count."""
        hour = int((time.time() if now is None else now) // 3600)
        if hour != self._hour:
            self._hour, self._counts = hour, Counter()
        crossed = {}
        for entry_id in entry_ids:
            self._counts[entry_id] += 1
            if self._counts[entry_id] == self.per_hour + 1:
                crossed[entry_id] = self._counts[entry_id]
        return crossed
