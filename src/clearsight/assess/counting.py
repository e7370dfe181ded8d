"""Report-level figures by the hotline counting rules, from confirmed grades only.

A report counts once, at the most severe UK category of any of its items (A over B over C)
and the youngest age band of any child seen in them; items whose grade is not yet confirmed by
a second person do not count, and the figures say how many are still open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from clearsight.assess.schema import AGE_BANDS, AI_PRODUCTIONS, SEVERITY, Grade


def most_severe(categories: Iterable[str]) -> str | None:
    """The most severe UK category among these (A over B over C), None when none is one."""
    found = [category for category in categories if category in SEVERITY]
    return min(found, key=SEVERITY.index) if found else None


def youngest(age_bands: Iterable[str]) -> str | None:
    """The youngest age band among these, None when all are unknown."""
    found = [band for band in age_bands if band != "unknown"]
    return min(found, key=AGE_BANDS.index) if found else None


@dataclass(frozen=True)
class ReportFigures:
    items: int
    confirmed: int
    criminal: int
    most_severe: str | None
    youngest: str | None
    ai_items: int

    @property
    def unconfirmed(self) -> int:
        return self.items - self.confirmed


def report_figures(item_ids: list[int], confirmed: Mapping[int, Grade]) -> ReportFigures:
    """Figures of a report's items given the confirmed grade of those that have one."""
    grades = [confirmed[item_id] for item_id in item_ids if item_id in confirmed]
    criminal = [grade for grade in grades if grade.outcome == "criminal"]
    return ReportFigures(
        items=len(item_ids),
        confirmed=len(grades),
        criminal=len(criminal),
        most_severe=most_severe(grade.uk_category for grade in criminal),
        youngest=youngest(grade.age_band for grade in criminal),
        ai_items=sum(grade.production in AI_PRODUCTIONS for grade in grades),
    )
