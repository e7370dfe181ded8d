"""The statistics as files: JSON (unrounded), CSV (one row per table row), and the HTML page a data
lead publishes (charts as inline SVG, figures rounded as published, rules as footnotes), which is
also printed to PDF by a headless Chromium (Debian's `chromium`, or `$CLEARSIGHT_CHROMIUM`)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from clearsight.pdf import html_to_pdf
from clearsight.stats.removal import TIMED_KEYS

CSV_COLUMNS = ("table", "value", "count", "pct", "last_year_count", "last_year_pct", "yoy_pct", "pct_point_change",
               *TIMED_KEYS, *(f"last_year_{key}" for key in TIMED_KEYS))
"""One header for every table: the count tables leave the takedown columns empty, and the other way round."""
_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=select_autoescape(["html"]))


def whole_pct(value: float | None) -> str:
    """A percentage as published: whole per cent, thousands separators, a dash for none."""
    return "–" if value is None else f"{value:,.0f}%"


def signed_pct(value: float | None, unit: str = "%") -> str:
    return "–" if value is None else f"{value:+,.0f}{unit}"


def hours(value: float | None) -> str:
    """A time to removal as published: hours to one decimal, days past two days, a dash for none."""
    if value is None:
        return "–"
    return f"{value:,.1f} h" if value < 48 else f"{value / 24:,.1f} days"


_TEMPLATES.filters.update(whole_pct=whole_pct, signed_pct=signed_pct, hours=hours, thousands=lambda value: f"{value:,}")


def to_json(stats: dict[str, Any]) -> str:
    return json.dumps(stats, indent=2)


def to_csv(stats: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for table in stats["tables"]:
        for row in table["rows"]:
            writer.writerow([table["name"], *(("" if row.get(column) is None else row[column]) for column in CSV_COLUMNS[1:])])
    return out.getvalue()


def to_html(stats: dict[str, Any], downloads: list[tuple[str, str]] | None = None) -> str:
    """The published page; in the web app, with a year chooser and the `downloads` (label, link)."""
    return _TEMPLATES.get_template("report.html").render(stats=stats, downloads=downloads)


def to_pdf(stats: dict[str, Any]) -> bytes:
    """The HTML page printed by headless Chromium."""
    return html_to_pdf(to_html(stats))
