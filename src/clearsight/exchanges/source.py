"""What an exchange type gives the fetcher: pages of changed items, each with the checkpoint after it.

An exchange type is one module plus a line in `registry.py`: its name, the dataclass of its
settings (the fields `clearsight exchange add --setting` and HMA's schema route list), the
dataclass of its credentials if it has any, and a way to read pages from a checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from clearsight.config import Settings
from clearsight.store.exchanges import SourceItem


@dataclass(frozen=True)
class Page:
    """Items changed since the previous checkpoint (None: removed at the source), and the
    checkpoint to resume from once they are applied."""

    changes: dict[str, SourceItem | None]
    checkpoint: dict[str, Any] | None
    checkpoint_ts: int | None = None


class ExchangeType(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def snapshot(self) -> bool:
        """Each fetch returns the whole source: what it does not list was removed."""
        ...

    def config_cls(self) -> type[Any]:
        """The dataclass of the exchange's settings (HMA's collaboration config: name, api, enabled and the type's own)."""
        ...

    def credentials_cls(self) -> type[Any] | None:
        """The dataclass of the type's credentials, None when it takes none."""
        ...

    def pages(self, config: dict[str, Any], credentials: dict[str, Any] | None, checkpoint: dict[str, Any] | None,
              settings: Settings) -> Iterator[Page]:
        """Pages from `checkpoint` (None: from the start) until the exchange is up to date."""
        ...
