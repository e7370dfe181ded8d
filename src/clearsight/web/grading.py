"""Grading and four-eyes review from the item page; the labels of other schemes shown before saving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from clearsight.assess.jurisdictions import derived_labels
from clearsight.assess.known import banks_key
from clearsight.assess.schema import Grade, parse_grade
from clearsight.errors import ClearsightError
from clearsight.web.ids import row_id
from clearsight.web.items import cluster_members, item_page
from clearsight.web.security import Visitor, checked_form, visitor
from clearsight.web.templating import TEMPLATES

router = APIRouter()
PageVisitor = Annotated[Visitor, Depends(visitor)]


def _grade(form: FormData) -> Grade:
    return parse_grade({key: form.get(key) for key in form}, [str(flag) for flag in form.getlist("flags")])


def _back(item_id: int) -> Response:
    return RedirectResponse(f"/items/{item_id}", status.HTTP_303_SEE_OTHER)


@router.post("/grading/labels", response_class=HTMLResponse)
async def labels(request: Request, found: PageVisitor) -> Response:
    """The derived labels of the grade being entered (asked by htmx as the form changes)."""
    form = await checked_form(request, found)
    context: dict[str, Any]
    try:
        context = {"labels": derived_labels(_grade(form)), "problem": None}
    except ClearsightError as exc:
        context = {"labels": None, "problem": str(exc)}
    return TEMPLATES.TemplateResponse(request, "labels.html", context)


def _refused(request: Request, found: Visitor, item_id: int, record: Callable[[float], int]) -> Response | None:
    """Record a grade with the analyst's exposure to the item; the item page with the reason if
    the grade is refused, None when it was recorded."""
    try:
        record(request.app.state.wellbeing.exposure(found.account.name, subject=str(item_id)).seconds)
    except ClearsightError as exc:
        return item_page(request, found, item_id, grade_error=str(exc))
    return None


@router.post("/items/{item_id:rowid}/grade")
async def grade(request: Request, found: PageVisitor, item_id: int) -> Response:
    form = await checked_form(request, found)
    grading = request.app.state.grading
    return _refused(request, found, item_id, lambda exposure: grading.grade(item_id, found.account.name, _grade(form), exposure,
                                                                             to_duplicates=form.get("to_duplicates") == "yes")) or _back(item_id)


def _next_item(request: Request, found: Visitor, item_id: int | None) -> Response:
    """Where grading goes on: the item page of `item_id` (the queue when None). For htmx, the
    page itself, for the browser to swap its main content and push the address: no reload."""
    target = f"/items/{item_id}" if item_id is not None else "/queue"
    if request.headers.get("HX-Request") != "true":
        return RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    if item_id is None:
        return Response(headers={"HX-Redirect": target})
    page = item_page(request, found, item_id)
    page.headers["HX-Push-Url"] = target
    return page


@router.post("/items/{item_id:rowid}/quick-grade")
async def quick_grade(request: Request, found: PageVisitor, item_id: int) -> Response:
    """A one-key grade (`assess.grading.QUICK_GRADES`), then the next ungraded item."""
    form = await checked_form(request, found)
    state = request.app.state
    others = cluster_members(request, item_id) if form.get("to_cluster") == "yes" else []
    refused = _refused(request, found, item_id, lambda exposure: state.grading.quick_grade(item_id, found.account.name, str(form.get("key") or ""), exposure,
                                                                                         others))
    return refused or _next_item(request, found, state.items.next_ungraded(found.account.name, banks_key(state.items.engine)))


@router.post("/grading/undo")
async def undo(request: Request, found: PageVisitor) -> Response:
    """Withdraw this analyst's last grade while it awaits review, and go back to its item."""
    await checked_form(request, found)
    return _next_item(request, found, request.app.state.grading.withdraw_last(found.account.name))


@router.post("/assessments/{assessment_id:rowid}/review")
async def review(request: Request, found: PageVisitor, assessment_id: int) -> Response:
    """A second person's confirm or dispute, or a reviewer's uphold or overrule of a dispute."""
    form = await checked_form(request, found)
    state = request.app.state
    decision = str(form.get("decision") or "")
    item_id = row_id(str(form.get("item_id") or "")) or 0
    try:
        if decision == "confirm":
            state.grading.confirm(assessment_id, found.account.name)
        elif decision == "dispute":
            state.grading.dispute(assessment_id, found.account.name, str(form.get("note") or ""))
        elif decision in ("uphold", "overrule"):
            replacement = _grade(form) if decision == "overrule" else None
            state.grading.decide(assessment_id, found.account.name, found.account.role, replacement, str(form.get("note") or ""))
        else:
            raise ClearsightError("decision must be confirm, dispute, uphold or overrule")
    except ClearsightError as exc:
        return item_page(request, found, item_id, grade_error=str(exc))
    return _back(item_id)
