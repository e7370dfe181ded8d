"""StopNCII through python-threatexchange, with withdrawn hashes removed.

python-threatexchange 1.2.17 (and its main branch, 1.2.16 in setup) decides whether a StopNCII
record is withdrawn by comparing the record's hash value, not its `hashStatus`, with the withdrawn
and deleted statuses, so a withdrawn hash is never reported as removed and stays matchable
forever. This subclass reads the same client pages and reports a record whose `hashStatus` is
Withdrawn or Deleted as removed; everything else (client, paging, checkpoint, metadata) is the
library's.
"""

from __future__ import annotations

import typing as t

from threatexchange.exchanges import fetch_state as state
from threatexchange.exchanges.clients.stopncii import api
from threatexchange.exchanges.impl.stop_ncii_api import StopNCIICheckpoint, StopNCIISignalExchangeAPI, StopNCIISignalMetadata, _get_delta_mapping
from threatexchange.signal_type.signal_base import SignalType

REMOVED = (api.StopNCIICaseStatus.Withdrawn, api.StopNCIICaseStatus.Deleted)


class StopNCIIWithRemovals(StopNCIISignalExchangeAPI):
    @classmethod
    def get_name(cls) -> str:
        """The library's name for StopNCII (HMA's clients configure it by that name)."""
        return StopNCIISignalExchangeAPI.get_name()

    def fetch_iter(
        self,
        _supported_signal_types: t.Sequence[type[SignalType]],
        checkpoint: StopNCIICheckpoint | None,
    ) -> t.Iterator[state.FetchDelta[tuple[str, str], StopNCIISignalMetadata, StopNCIICheckpoint]]:
        start = checkpoint.update_time if checkpoint is not None else api.StopNCIIAPI.DEFAULT_START_TIME
        for result in self.api.fetch_hashes_iter(start_timestamp=start):
            updates: dict[tuple[str, str], StopNCIISignalMetadata | None] = {}
            for record in result.hashRecords:
                key, metadata = _get_delta_mapping(record)
                if key[0]:
                    updates[key] = None if record.hashStatus in REMOVED else metadata
            yield state.FetchDelta(updates, StopNCIICheckpoint.from_stopncii_fetch(result))
