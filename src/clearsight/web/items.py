"""The queue and the item page. No imagery unless the analyst reveals one item: first a blurred
preview (greyscale, blur and size as the analyst set them), then, if they choose, the same item
unblurred; no prompt unless they reveal it. Views and reveals are audited, and reveals are what
exposure time is counted from: past the daily limit, previews are refused for the day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response, status

from clearsight.assess import schema
from clearsight.assess.grading import DECIDERS, QUICK_GRADES
from clearsight.assess.known import banks_key
from clearsight.errors import ItemError
from clearsight.intake.reports import SITE_TYPES
from clearsight.media.preview import data_uri, preview_png
from clearsight.provenance.authenticity.record import with_authenticity
from clearsight.provenance.stage import public
from clearsight.store.grades import PENDING
from clearsight.store.items import PAGE, QUEUES, QueueFilter
from clearsight.web import shortcuts
from clearsight.web.ids import MAX_ID, row_id
from clearsight.web.security import Visitor, check_csrf, visitor
from clearsight.web.templating import render

router = APIRouter()
PageVisitor = Annotated[Visitor, Depends(visitor)]
REVEAL_STAGES = ("blurred", "clear")
REFRESH_SECONDS = 2.0
"""How long a queue view may spend matching new items against the banks before leaving the rest to the background."""


def score_floor(raw: str) -> float | None:
    """The queue's minimum detector score from its form field: a number from 0 to 1, else none."""
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


@router.get("/queue")
def queue(request: Request, found: PageVisitor, queue: str = "unassessed", media_type: str = "", verdict: str = "", matched: str = "",
          report: str = "", site_type: str = "", min_score: str = "", sort: str = "", page: int = 0) -> Response:
    waiting = request.app.state.known.refresh_for(REFRESH_SECONDS)
    request.app.state.clusters.refresh_for(REFRESH_SECONDS)
    wanted = QueueFilter(queue if queue in QUEUES else "unassessed", media_type, verdict, matched, row_id(report), site_type,
                         score_floor(min_score), "score" if sort == "score" else "")
    page = min(max(page, 0), MAX_ID // PAGE)  # an offset past 64 bits would overflow the query
    rows, total = request.app.state.items.queue(wanted, found.account.name, page, banks_key(request.app.state.items.engine))
    context = {"title": "Queue", "rows": rows, "total": total, "waiting": waiting, "wanted": wanted, "queues": QUEUES, "site_types": SITE_TYPES, "page": page,
               "page_size": PAGE, "shortcuts": shortcuts.QUEUE}
    return render(request, found, "queue.html", context)


def cluster_members(request: Request, item_id: int) -> list[int]:
    """The other items of the near-duplicate cluster `item_id` represents (none for a member or an
    item alone: a grade is offered to a cluster from its representative)."""
    store = request.app.state.clusters.store
    return [member for member in store.members(item_id) if member != item_id] if store.cluster_of(item_id) == item_id else []


def item_page(request: Request, found: Visitor, item_id: int, **shown: Any) -> Response:
    """The item page; `shown` carries what this request revealed (preview, stage, prompts) or an error."""
    state = request.app.state
    item = state.items.item(item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such item")
    current = state.grading.current(item_id)
    me = found.account
    matches = state.known.matches(item_id)
    provenance = public(item.provenance, show_prompts=bool(shown.get("prompts"))) if item.provenance else None
    if provenance is not None:
        with_authenticity(provenance, matches, item.first_seen, state.settings.generators_since)
    context = {
        "title": f"Item {item_id}", "item": item, "schema": schema, "provenance": provenance,
        "matches": matches, "neighbours": state.items.neighbours(item_id, item.hashes.get("pdq")),
        "current": current, "history": state.grading.history(item_id), "duplicates": state.grading.duplicates(item_id),
        "reports": state.reports.of_item(item_id), "all_reports": state.reports.all(limit=50),
        "can_grade": current is None or (current["analyst"] == me.name and current["review_state"] == PENDING),
        "can_review": current is not None and current["review_state"] == PENDING and current["analyst"] != me.name and current["source_id"] is None,
        "can_decide": current is not None and current["review_state"] == "disputed" and me.role in DECIDERS and current["analyst"] != me.name
                      and state.grading.may_decide(current["id"], me.name),
        "labels": current["labels"] if current else None,
        "shortcuts": shortcuts.ITEM, "quick_grades": QUICK_GRADES, "carried": state.grading.carried(me.name),
        "cluster": cluster_members(request, item_id), "cluster_distance": state.clusters.distance(),
    } | shown
    return render(request, found, "item.html", context)


@router.get("/items/{item_id:rowid}")
def item_view(request: Request, found: PageVisitor, item_id: int) -> Response:
    request.app.state.accounts.audit.append(found.account.name, "item.view", str(item_id))
    return item_page(request, found, item_id)


@router.post("/items/{item_id:rowid}/reveal")
def reveal(request: Request, found: PageVisitor, item_id: int, csrf_token: Annotated[str, Form()] = "", stage: Annotated[str, Form()] = "blurred") -> Response:
    check_csrf(found.csrf, csrf_token)
    if stage not in REVEAL_STAGES:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "unknown reveal stage")
    state = request.app.state
    item = state.items.item(item_id)
    if item is None or item.media_type not in ("image", "video"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such image or video")
    if stage == "clear" and not _blurred_first(request, found, item_id):
        return item_page(request, found, item_id, error="Reveal the blurred preview first; then you may remove the blur.")
    exposure = state.wellbeing.exposure(found.account.name)
    if exposure.limit_reached:
        return item_page(request, found, item_id, error=f"You have reached today's exposure limit ({int(exposure.limit_seconds // 60)} minutes): "
                                                        "no more previews today. You can still grade from hashes and metadata.")
    prefs = state.wellbeing.preferences(found.account.id)
    try:
        png = preview_png(item.path, item.media_type, state.settings.limits, blur=float(prefs.blur) if stage == "blurred" else 0.0,
                          greyscale=prefs.greyscale, side=prefs.side)
    except ItemError as exc:
        return item_page(request, found, item_id, error=str(exc))
    state.accounts.audit.append(found.account.name, "item.reveal", str(item_id), {"stage": stage})
    return item_page(request, found, item_id, preview=data_uri(png), stage=stage)


def _blurred_first(request: Request, found: Visitor, item_id: int) -> bool:
    """Whether this analyst's latest reveal of the item today was the blurred one."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    latest = request.app.state.accounts.audit.latest(found.account.name, "item.reveal", str(item_id), today)
    return latest is not None and (latest["details"] or {}).get("stage") == "blurred"


@router.post("/items/{item_id:rowid}/prompts")
def reveal_prompts(request: Request, found: PageVisitor, item_id: int, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(found.csrf, csrf_token)
    request.app.state.accounts.audit.append(found.account.name, "item.reveal_prompts", str(item_id))
    return item_page(request, found, item_id, prompts=True)
