"""`/stats`: the published figures of a year, as the page `clearsight stats --format html` writes
(aggregate counts only, no imagery), with a year chooser and the JSON, CSV and PDF downloads,
for reviewers and admins (who publish figures)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from clearsight.errors import ClearsightError
from clearsight.stats.render import to_csv, to_html, to_json, to_pdf
from clearsight.stats.yearly import yearly_statistics
from clearsight.web.security import Visitor, require_role, visitor

router = APIRouter()
PageVisitor = Annotated[Visitor, Depends(visitor)]


FORMATS = {"json": ("application/json", to_json), "csv": ("text/csv; charset=utf-8", to_csv), "pdf": ("application/pdf", to_pdf)}
"""The downloads, as `clearsight stats --format` writes them (the same figures, from the same code)."""


def _figures(request: Request, found: Visitor, year: int | None, fmt: str) -> tuple[int, dict[str, Any]]:
    """Reviewers and admins only: the year's figures, the export audited as the CLI's is."""
    require_role(found, "reviewer", "admin")
    shown = year or datetime.now(UTC).year
    request.app.state.accounts.audit.append(found.account.name, "export.stats", str(shown), {"format": fmt, "out": "/stats"})
    return shown, yearly_statistics(request.app.state.items.engine, shown)


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, found: PageVisitor, year: Annotated[int | None, Query(ge=1990, le=9999)] = None) -> HTMLResponse:
    shown, figures = _figures(request, found, year, "html")
    return HTMLResponse(to_html(figures, [(name.upper(), f"/stats/download?year={shown}&format={name}") for name in FORMATS]))


@router.get("/stats/download")
def stats_download(request: Request, found: PageVisitor, format: Annotated[str, Query(pattern="^(json|csv|pdf)$")],
                   year: Annotated[int | None, Query(ge=1990, le=9999)] = None) -> Response:
    shown, figures = _figures(request, found, year, format)
    media_type, render = FORMATS[format]
    try:
        body = render(figures)
    except ClearsightError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="clearsight-statistics-{shown}.{format}"'})
