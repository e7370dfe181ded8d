"""`/stats`: the published figures of a year, as the page `clearsight stats --format html` writes
(aggregate counts only, no imagery), for any signed-in account."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from clearsight.stats.render import to_html
from clearsight.stats.yearly import yearly_statistics
from clearsight.web.security import Visitor, visitor

router = APIRouter()
PageVisitor = Annotated[Visitor, Depends(visitor)]


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, found: PageVisitor, year: Annotated[int | None, Query(ge=1990, le=9999)] = None) -> HTMLResponse:
    shown = year or datetime.now(UTC).year
    page = to_html(yearly_statistics(request.app.state.items.engine, shown))
    request.app.state.accounts.audit.append(found.account.name, "export.stats", str(shown), {"format": "html", "out": "/stats"})
    return HTMLResponse(page)
