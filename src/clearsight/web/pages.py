"""The pages around the work: logging in and out, the case overview (no imagery), the accounts
list for admins, and the scripts of signed-in pages (the vendored htmx, the keyboard shortcuts)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from clearsight.assess.credentials import MAX_NAME_LENGTH
from clearsight.store.overview import STATES, overview
from clearsight.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Visitor, check_csrf, require_role, visitor
from clearsight.web.templating import TEMPLATES, render
from clearsight.web.throttle import LoginThrottle

router = APIRouter()
PageVisitor = Annotated[Visitor, Depends(visitor)]
STATIC = Path(__file__).with_name("static")


def _set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")


@router.get("/static/htmx.min.js")
def htmx(found: PageVisitor) -> Response:
    return FileResponse(STATIC / "htmx.min.js", media_type="text/javascript")


@router.get("/static/shortcuts.js")
def shortcuts(found: PageVisitor) -> Response:
    return FileResponse(STATIC / "shortcuts.js", media_type="text/javascript")

@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    token = secrets.token_urlsafe(32)
    response = TEMPLATES.TemplateResponse(request, "login.html", {"title": "Log in", "csrf": token, "account": None})
    _set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    return response

def _refused(request: Request, error: str, status_code: int, headers: dict[str, str] | None = None) -> Response:
    """The login page again, with why, and a fresh login CSRF token."""
    token = secrets.token_urlsafe(32)
    refused = TEMPLATES.TemplateResponse(request, "login.html", {"title": "Log in", "csrf": token, "account": None, "error": error},
                                         status_code=status_code, headers=headers)
    _set_cookie(refused, request, LOGIN_CSRF_COOKIE, token)
    return refused

@router.post("/login", response_class=HTMLResponse)
def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()], csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token)
    throttle: LoginThrottle = request.app.state.login_throttle
    address, key = request.client.host if request.client else "unknown", name[:2 * MAX_NAME_LENGTH]
    wait = throttle.retry_after(key, address)
    if wait:
        return _refused(request, f"Too many failed logins for this name or from this address: try again in {wait} seconds.",
                        status.HTTP_429_TOO_MANY_REQUESTS, {"Retry-After": str(wait)})
    account = request.app.state.accounts.authenticate(name, password, address)
    if account is None:
        throttle.failed(key, address)
        return _refused(request, "Wrong name or password, or the account is disabled.", status.HTTP_401_UNAUTHORIZED)
    throttle.succeeded(key)
    cookie, _ = request.app.state.accounts.start_session(account)
    response = RedirectResponse("/", status.HTTP_303_SEE_OTHER)
    _set_cookie(response, request, SESSION_COOKIE, cookie)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response

@router.post("/logout")
def logout(request: Request, found: PageVisitor, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(found.csrf, csrf_token)
    request.app.state.accounts.end_session(found.cookie)
    request.app.state.accounts.audit.append(found.account.name, "logout", found.account.name)
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

@router.get("/", response_class=HTMLResponse)
def home(request: Request, found: PageVisitor) -> Response:
    """The case overview: how far the work has come, and the analyst's own day (no imagery)."""
    state = request.app.state
    figures = overview(state.items.engine, found.account.name, datetime.now(UTC))
    exposure = state.wellbeing.exposure(found.account.name)
    return render(request, found, "home.html", {"title": "Overview", "overview": figures, "states": STATES, "exposure_minutes": exposure.seconds / 60,
                                                "limit_minutes": exposure.limit_seconds / 60})

@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, found: PageVisitor) -> Response:
    require_role(found, "admin")
    return render(request, found, "users.html", {"title": "Accounts", "users": request.app.state.accounts.all()})
