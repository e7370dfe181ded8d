"""Wellbeing and oversight pages: each analyst's preview preferences and exposure, the admin's
limits, and the audit trail for reviewers and admins."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import RedirectResponse

from clearsight.assess.wellbeing import WellbeingSettings
from clearsight.errors import ClearsightError
from clearsight.web.security import Visitor, checked_form, require_role, visitor
from clearsight.web.templating import render

router = APIRouter()
PageVisitor = Annotated[Visitor, Depends(visitor)]
AUDIT_PAGE = 200


def _preferences_page(request: Request, found: Visitor, error: str | None = None) -> Response:
    prefs = request.app.state.wellbeing.preferences(found.account.id)
    return render(request, found, "preferences.html", {"title": "Preferences", "prefs": prefs, "error": error}, status_code=400 if error else 200)


@router.get("/preferences")
def preferences(request: Request, found: PageVisitor) -> Response:
    return _preferences_page(request, found)


@router.post("/preferences")
async def change_preferences(request: Request, found: PageVisitor) -> Response:
    form = await checked_form(request, found)
    try:
        request.app.state.wellbeing.change_preferences(found.account.id, found.account.name, dict(form))
    except ClearsightError as exc:
        return _preferences_page(request, found, str(exc))
    return RedirectResponse("/preferences", status.HTTP_303_SEE_OTHER)


def _settings_page(request: Request, found: Visitor, error: str | None = None) -> Response:
    settings = asdict(request.app.state.wellbeing.settings())
    return render(request, found, "settings.html", {"title": "Settings", "settings": settings, "bounds": WellbeingSettings.BOUNDS, "error": error},
                  status_code=400 if error else 200)


@router.get("/admin/settings")
def settings_page(request: Request, found: PageVisitor) -> Response:
    require_role(found, "admin")
    return _settings_page(request, found)


@router.post("/admin/settings")
async def change_settings(request: Request, found: PageVisitor) -> Response:
    require_role(found, "admin")
    form = await checked_form(request, found)
    try:
        request.app.state.wellbeing.change_settings(found.account.name, dict(form))
    except ClearsightError as exc:
        return _settings_page(request, found, str(exc))
    return RedirectResponse("/admin/settings", status.HTTP_303_SEE_OTHER)


@router.get("/audit")
def audit_page(request: Request, found: PageVisitor) -> Response:
    require_role(found, "reviewer", "admin")
    audit = request.app.state.accounts.audit
    audit.append(found.account.name, "audit.view", None)
    return render(request, found, "audit.html", {"title": "Audit trail", "entries": audit.entries(AUDIT_PAGE), "verification": audit.verify()})
