"""A near-duplicate cluster as a grid: its items listed without imagery until one reveal action
for the page, then as blurred (and, by preference, greyscale) thumbnails, each recorded as a
reveal of that item (so each counts as exposure); items are selected with the keyboard (Tab and
Space on their checkboxes) and a one-key grade is applied to the selected ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse

from clearsight.assess.grading import QUICK_GRADES
from clearsight.assess.wellbeing import REVEAL
from clearsight.errors import ClearsightError, ItemError
from clearsight.media.preview import data_uri, preview_png
from clearsight.web import shortcuts
from clearsight.web.ids import row_id
from clearsight.web.security import Visitor, checked_form, visitor
from clearsight.web.templating import render

router = APIRouter()
PageVisitor = Annotated[Visitor, Depends(visitor)]
GRID_SIDE = 160
"""Thumbnail size: enough to tell crops and re-encodes of one picture apart, no more."""


def _members(request: Request, cluster_id: int) -> list[int]:
    members: list[int] = request.app.state.clusters.store.members(cluster_id)
    if not members or members[0] != cluster_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such cluster")
    return members


def _grid(request: Request, found: Visitor, cluster_id: int, thumbnails: dict[int, str] | None = None, error: str | None = None) -> Response:
    state = request.app.state
    members = _members(request, cluster_id)
    rows = [{"id": member, "grade": state.grading.current(member)} for member in members]
    return render(request, found, "cluster.html", {"title": f"Cluster {cluster_id}", "cluster_id": cluster_id, "rows": rows, "thumbnails": thumbnails,
                                                   "error": error, "quick_grades": QUICK_GRADES, "shortcuts": shortcuts.GRID,
                                                   "exposure": state.wellbeing.exposure(found.account.name)})


@router.get("/clusters/{cluster_id:rowid}")
def cluster_page(request: Request, found: PageVisitor, cluster_id: int) -> Response:
    return _grid(request, found, cluster_id)


@router.post("/clusters/{cluster_id:rowid}/reveal")
async def reveal_grid(request: Request, found: PageVisitor, cluster_id: int) -> Response:
    """One action reveals the page's thumbnails, blurred; each is audited as a reveal of its item."""
    await checked_form(request, found)
    state = request.app.state
    if state.wellbeing.exposure(found.account.name).limit_reached:
        return _grid(request, found, cluster_id, error="You have reached today's exposure limit: no more previews today.")
    prefs = state.wellbeing.preferences(found.account.id)
    thumbnails: dict[int, str] = {}
    for member in _members(request, cluster_id):
        item = state.items.item(member)
        try:
            thumbnails[member] = data_uri(preview_png(item.path, item.media_type, state.settings.limits, blur=max(float(prefs.blur), 1.0),
                                                      greyscale=prefs.greyscale, side=GRID_SIDE))
        except ItemError:
            continue
    state.accounts.audit.append_many(found.account.name, REVEAL, [(str(member), {"stage": "grid", "cluster": cluster_id}) for member in thumbnails])
    return _grid(request, found, cluster_id, thumbnails)


@router.post("/clusters/{cluster_id:rowid}/grade")
async def grade_selected(request: Request, found: PageVisitor, cluster_id: int) -> Response:
    """A one-key grade for the selected items of the cluster (graded from the first of them)."""
    form = await checked_form(request, found)
    members = set(_members(request, cluster_id))
    selected = sorted({item_id for raw in form.getlist("item") if (item_id := row_id(str(raw))) in members})
    if not selected:
        return _grid(request, found, cluster_id, error="Select the items to grade first (Tab to an item, Space to select it).")
    try:
        request.app.state.grading.quick_grade(selected[0], found.account.name, str(form.get("key") or ""), 0.0, others=selected[1:])
    except ClearsightError as exc:
        return _grid(request, found, cluster_id, error=str(exc))
    return RedirectResponse(f"/clusters/{cluster_id}", status.HTTP_303_SEE_OTHER)
