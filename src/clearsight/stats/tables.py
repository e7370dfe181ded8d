"""The published tables and the hotline counting rules (`RULES`, printed as the report's
footnotes), with year-over-year change."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from clearsight.assess.counting import most_severe, youngest
from clearsight.assess.schema import AGE_BANDS, PRODUCTIONS, REALISTIC_AI, SEXES, UK_CATEGORIES
from clearsight.intake.reports import COMMERCIAL, SITE_TYPES, WEB_LAYERS
from clearsight.stats.records import CountedItem, CountedReport

RULES = (
    "Items counted are criminal items with a confirmed grade (checked by a second person), in the year they were assessed.",
    ("Realistic AI items were produced ai_realistic or ai_altered_real; ai_non_realistic items are prohibited images,"
     " counted only in items_by_production."),
    ("A report counts once, in the year it was received, as criminal when any of its items is criminal; its category is its most"
     " severe item's (A over B over C) and its age its youngest child's. An AI report has at least one criminal realistic AI item."),
    ("Percentages are of each year's own table total. Year-over-year change is against the count the year before (none when that"
     " was 0); percentage-point change is between the two years' percentages."),
)
MEDIA = ("image", "video")


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    unit: str
    """`items` or `reports`: what the table counts."""
    order: tuple[str, ...]
    """The order rows are shown in (values not listed follow, largest first)."""
    values: Callable[[list[CountedItem], list[CountedReport]], Iterable[str]]


def _criminal(items: list[CountedItem]) -> list[CountedItem]:
    return [item for item in items if item.outcome == "criminal"]


def _ai(items: list[CountedItem]) -> list[CountedItem]:
    return [item for item in _criminal(items) if item.production in REALISTIC_AI]


def _not_ai(items: list[CountedItem]) -> list[CountedItem]:
    return [item for item in _criminal(items) if item.production not in REALISTIC_AI and item.production != "ai_non_realistic"]


def _criminal_reports(reports: list[CountedReport]) -> list[CountedReport]:
    return [report for report in reports if _criminal(report.items)]


def _ai_reports(reports: list[CountedReport]) -> list[CountedReport]:
    return [report for report in reports if _ai(report.items)]


def report_category(report: CountedReport) -> str:
    """The most severe category of any criminal item of the report (`none` when no item has one)."""
    return most_severe(item.uk_category for item in _criminal(report.items)) or "none"


def report_age(report: CountedReport) -> str:
    """The youngest age band of any criminal item of the report."""
    return youngest(item.age_band for item in _criminal(report.items)) or "unknown"


SPECS = (
    TableSpec("items_by_production", "Criminal items by how they were made", "items", PRODUCTIONS,
              lambda items, _: (item.production for item in _criminal(items))),
    TableSpec("ai_items_by_media_type", "Realistic AI items by media type", "items", MEDIA,
              lambda items, _: (item.media_type for item in _ai(items))),
    TableSpec("ai_videos_by_category", "Realistic AI videos by category", "items", UK_CATEGORIES,
              lambda items, _: (item.uk_category for item in _ai(items) if item.media_type == "video")),
    TableSpec("non_ai_videos_by_category", "Other criminal videos by category", "items", UK_CATEGORIES,
              lambda items, _: (item.uk_category for item in _not_ai(items) if item.media_type == "video")),
    TableSpec("ai_images_by_category", "Realistic AI images by category", "items", UK_CATEGORIES,
              lambda items, _: (item.uk_category for item in _ai(items) if item.media_type == "image")),
    TableSpec("ai_items_by_sex", "Realistic AI items by sex of the children", "items", SEXES,
              lambda items, _: (item.sex for item in _ai(items))),
    TableSpec("ai_items_by_age_band", "Realistic AI items by age of the youngest child", "items", AGE_BANDS,
              lambda items, _: (item.age_band for item in _ai(items))),
    TableSpec("reports_by_category", "Criminal reports by their most severe category", "reports", UK_CATEGORIES,
              lambda _, reports: (report_category(report) for report in _criminal_reports(reports))),
    TableSpec("reports_by_age_band", "Criminal reports by their youngest child", "reports", AGE_BANDS,
              lambda _, reports: (report_age(report) for report in _criminal_reports(reports))),
    TableSpec("ai_reports_by_site_type", "AI reports by site type", "reports", SITE_TYPES,
              lambda _, reports: (report.site_type for report in _ai_reports(reports))),
    TableSpec("reports_by_hosting_country", "Criminal reports by hosting country", "reports", (),
              lambda _, reports: (report.hosting_country for report in _criminal_reports(reports))),
    TableSpec("reports_by_commercial", "Criminal reports by commercial status", "reports", COMMERCIAL,
              lambda _, reports: (report.commercial for report in _criminal_reports(reports))),
    TableSpec("ai_reports_by_web_layer", "AI reports by web layer", "reports", WEB_LAYERS,
              lambda _, reports: (report.web_layer for report in _ai_reports(reports))),
)


def _counts(spec: TableSpec, items: list[CountedItem], reports: list[CountedReport], year: int) -> Counter[str]:
    return Counter(spec.values([item for item in items if item.year == year], [report for report in reports if report.year == year]))


def _pct(count: int, total: int) -> float | None:
    return count / total * 100 if total else None


def table(spec: TableSpec, items: list[CountedItem], reports: list[CountedReport], year: int) -> dict[str, Any]:
    """One table of `year` with last year's figures beside it."""
    now, before = _counts(spec, items, reports, year), _counts(spec, items, reports, year - 1)
    total, last_total = sum(now.values()), sum(before.values())
    present = set(now) | set(before)
    values = [value for value in spec.order if value in present]
    values += sorted(present - set(values), key=lambda value: (-now[value], value))
    rows = []
    for value in values:
        pct, last_pct = _pct(now[value], total) or 0.0, _pct(before[value], last_total)
        rows.append({"value": value, "count": now[value], "pct": pct, "last_year_count": before[value], "last_year_pct": last_pct,
                     "yoy_pct": (now[value] - before[value]) / before[value] * 100 if before[value] else None,
                     "pct_point_change": pct - last_pct if last_pct is not None else None})
    return {"name": spec.name, "title": spec.title, "unit": spec.unit, "total": total, "last_year_total": last_total, "rows": rows}


def statistics(items: list[CountedItem], reports: list[CountedReport], year: int) -> dict[str, Any]:
    """Every table of `year`, and the yearly trend of realistic AI items by media type."""
    years = sorted({item.year for item in items} | {year})
    trend = [{"year": each, **{media: sum(1 for item in _ai(items) if item.year == each and item.media_type == media) for media in MEDIA}}
             for each in range(years[0], year + 1)]
    return {"year": year, "tables": [table(spec, items, reports, year) for spec in SPECS], "trend": trend, "rules": list(RULES)}
