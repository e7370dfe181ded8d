"""The queue and the item page. No imagery unless the analyst reveals one item: first a blurred
greyscale preview, then, if they choose, the same item unblurred. Views and reveals are audited
(the reveals are what exposure time will be counted from)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse

from clearsight.errors import ItemError
from clearsight.media.preview import data_uri, preview_png
from clearsight.provenance.stage import public
from clearsight.web.security import Visitor, check_csrf, visitor
from clearsight.web.templating import TEMPLATES

router = APIRouter()
PageVisitor = Annotated[Visitor, Depends(visitor)]
REVEAL_STAGES = {"blurred": 12.0, "clear": 0.0}


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, found: PageVisitor, media_type: str = "", verdict: str = "", page: int = 0) -> Response:
    rows, total = request.app.state.items.queue(media_type or None, verdict or None, max(page, 0))
    context = {"title": "Queue", "account": found.account, "csrf": found.csrf, "rows": rows, "total": total, "media_type": media_type, "verdict": verdict}
    return TEMPLATES.TemplateResponse(request, "queue.html", context)


def _item_page(request: Request, found: Visitor, item_id: int, preview: str | None = None, stage: str | None = None, error: str | None = None) -> Response:
    item = request.app.state.items.item(item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such item")
    provenance: dict[str, Any] | None = public(item.provenance) if item.provenance else None
    context = {"title": f"Item {item_id}", "account": found.account, "csrf": found.csrf, "item": item, "provenance": provenance,
               "preview": preview, "stage": stage, "error": error}
    return TEMPLATES.TemplateResponse(request, "item.html", context)


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, found: PageVisitor, item_id: int) -> Response:
    request.app.state.accounts.audit.append(found.account.name, "item.view", str(item_id))
    return _item_page(request, found, item_id)


@router.post("/items/{item_id}/reveal", response_class=HTMLResponse)
def reveal(request: Request, found: PageVisitor, item_id: int, csrf_token: Annotated[str, Form()] = "", stage: Annotated[str, Form()] = "blurred") -> Response:
    check_csrf(found.csrf, csrf_token)
    if stage not in REVEAL_STAGES:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "unknown reveal stage")
    item = request.app.state.items.item(item_id)
    if item is None or item.media_type not in ("image", "video"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such image or video")
    try:
        png = preview_png(item.path, item.media_type, request.app.state.settings.limits, blur=REVEAL_STAGES[stage])
    except ItemError as exc:
        return _item_page(request, found, item_id, error=str(exc))
    request.app.state.accounts.audit.append(found.account.name, "item.reveal", str(item_id), {"stage": stage})
    return _item_page(request, found, item_id, preview=data_uri(png), stage=stage)
