"""A year's published figures, read from the case database: the grade tables and the takedown
tables, one document for `clearsight stats` and the `/stats` page alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from clearsight.stats.records import load
from clearsight.stats.removal import REMOVAL_RULE, STILL_LIVE_RULE, removal_tables
from clearsight.stats.tables import statistics


def yearly_statistics(engine: Engine, year: int) -> dict[str, Any]:
    """Every table of `year` with last year beside it, and the rules they are counted by."""
    figures = statistics(*load(engine), year)
    figures["tables"] += removal_tables(engine, year)
    figures["rules"] += [REMOVAL_RULE, STILL_LIVE_RULE]
    return figures
