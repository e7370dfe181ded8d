"""Report intake: reports entered by hand (optionally with a scan run's items), imported from CSV or
JSONL with row-level errors, their actions, their items and report-level figures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response, UploadFile, status
from fastapi.responses import RedirectResponse

from clearsight.assess.counting import report_figures
from clearsight.errors import ClearsightError
from clearsight.intake import reports as intake
from clearsight.intake.lifecycle_rows import RECIPIENTS, parse_recipient
from clearsight.intake.reports import MAX_NOTES, parse_action, read_reports, report_record
from clearsight.web.ids import row_id
from clearsight.web.items import REFRESH_SECONDS, item_page
from clearsight.web.security import Visitor, check_csrf, checked_form, visitor
from clearsight.web.templating import render

router = APIRouter()
PageVisitor = Annotated[Visitor, Depends(visitor)]
MAX_UPLOAD_BYTES = 32 * 1024 * 1024
LIFECYCLE_KEYS = (("notice", "n"), ("acknowledged", "a"), ("removed", "r"), ("still_live", "l"), ("reappeared", "p"), ("escalated", "e"))
"""The report page's lifecycle buttons and their letters (pressed outside a text field, or with Alt as access keys)."""


def _list_page(request: Request, found: Visitor, site_type: str = "", **extra: Any) -> Response:
    context = {"title": "Reports", "reports": request.app.state.reports.all(site_type or None), "site_type": site_type, "intake": intake} | extra
    return render(request, found, "reports.html", context, status_code=400 if extra.get("error") else 200)


@router.get("/reports")
def report_list(request: Request, found: PageVisitor, site_type: str = "") -> Response:
    return _list_page(request, found, site_type)


@router.post("/reports")
async def report_add(request: Request, found: PageVisitor) -> Response:
    form = await checked_form(request, found)
    state = request.app.state
    try:
        record = report_record({key: form.get(key) for key in form})
        run_text = str(form.get("scan_run") or "").strip()
        run = row_id(run_text)
        if run_text and run is None:
            raise ClearsightError("scan run must be a run number")
        items = state.reports.run_items(run) if run is not None else []
    except ClearsightError as exc:
        return _list_page(request, found, error=str(exc))
    report_id = state.reports.add([record], found.account.name)[0]
    state.reports.attach(report_id, items)
    state.accounts.audit.append(found.account.name, "report.add", str(report_id), {"items": len(items), "scan_run": run})
    return RedirectResponse(f"/reports/{report_id}", status.HTTP_303_SEE_OTHER)


@router.post("/reports/import")
async def report_import(request: Request, found: PageVisitor, file: UploadFile, csrf_token: Annotated[str, Form()] = "",
                        fmt: Annotated[str, Form(alias="format")] = "auto") -> Response:
    check_csrf(found.csrf, csrf_token)
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _list_page(request, found, error=f"report files are limited to {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB")
    try:
        rows = list(read_reports(data, fmt))
    except ClearsightError as exc:
        return _list_page(request, found, error=str(exc))
    ids, errors = request.app.state.reports.import_rows(rows, found.account.name)
    request.app.state.accounts.audit.append(found.account.name, "report.import", file.filename, {"added": len(ids), "row_errors": len(errors)})
    return _list_page(request, found, imported=len(ids), row_errors=errors)


@router.get("/reports/{report_id:rowid}")
def report_view(request: Request, found: PageVisitor, report_id: int) -> Response:
    state = request.app.state
    state.known.refresh_for(REFRESH_SECONDS)
    report = state.reports.get(report_id)
    figures = report_figures(report["items"], state.grading.confirmed_grades(report["items"]))
    return render(request, found, "report.html", {"title": f"Report {report_id}", "report": report, "figures": figures, "intake": intake,
                                                  "lifecycle": LIFECYCLE_KEYS, "recipients": RECIPIENTS})


@router.post("/reports/{report_id:rowid}/actions")
def report_action(request: Request, found: PageVisitor, report_id: int, action: Annotated[str, Form()] = "", event: Annotated[str, Form()] = "",
                  at: Annotated[str, Form()] = "", to: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
                  csrf_token: Annotated[str, Form()] = "") -> Response:
    """An action or lifecycle event entered on the report page: `event` is a lifecycle button
    (each has an access key), `action` the list of every action; whom it went to and a note are optional."""
    check_csrf(found.csrf, csrf_token)
    try:
        name, when = parse_action(event or action, at)
        recipient = parse_recipient({"to": to})
    except ClearsightError as exc:
        return _list_page(request, found, error=str(exc))
    request.app.state.reports.add_action(report_id, name, when, found.account.name, recipient, note.strip()[:MAX_NOTES] or None)
    request.app.state.accounts.audit.append(found.account.name, "report.action", str(report_id), {"action": name, "at": when.isoformat(), "to": recipient})
    return RedirectResponse(f"/reports/{report_id}", status.HTTP_303_SEE_OTHER)


@router.post("/items/{item_id:rowid}/report")
def item_attach(request: Request, found: PageVisitor, item_id: int, report: Annotated[str, Form()], csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(found.csrf, csrf_token)
    try:
        report_id = row_id(report)
        if report_id is None:
            raise ClearsightError("the report must be a report number")
        request.app.state.reports.attach(report_id, [item_id])
    except ClearsightError as exc:
        return item_page(request, found, item_id, error=str(exc))
    request.app.state.accounts.audit.append(found.account.name, "report.attach", report, {"item": item_id})
    return RedirectResponse(f"/items/{item_id}", status.HTTP_303_SEE_OTHER)
