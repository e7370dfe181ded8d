"""The assessment web app: login, the case overview, and the routers for the queue and item pages
(`items`), grading and review (`grading`), report intake (`reports`), and wellbeing, settings and
the audit trail (`wellbeing`).

Pages are rendered on the server (Jinja2, with htmx served from the package, never a CDN),
answer with strict security headers, and show no imagery unless an analyst asks for one item.
Every login, view, reveal, grade, review, import and settings change goes into the audit trail.
"""

from __future__ import annotations

import html
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Request, Response, status
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy import func, select

from clearsight.assess.accounts import Accounts
from clearsight.assess.grading import Grading
from clearsight.assess.known import KnownItems
from clearsight.assess.wellbeing import Wellbeing
from clearsight.banks.matcher import Matcher
from clearsight.config import Settings
from clearsight.errors import ClearsightError
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.items import ItemStore
from clearsight.store.models import BankEntry, ItemProvenance, MediaItem
from clearsight.store.reports import ReportStore
from clearsight.web import grading, items, reports, wellbeing
from clearsight.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE, LoginRequired, Visitor, api_client, check_csrf, require_role, visitor
from clearsight.web.templating import TEMPLATES, render

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
PageVisitor = Annotated[Visitor, Depends(visitor)]
STATIC = Path(__file__).with_name("static")


def _set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="Clearsight", docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json")
    engine = open_engine(settings.db)
    app.state.accounts = accounts = Accounts(engine, actor="web")
    app.state.items = ItemStore(engine)
    app.state.settings = settings
    app.state.grading = Grading(engine, accounts.audit)
    app.state.known = KnownItems(engine, accounts.audit, lambda: Matcher(BankStore(engine)))
    app.state.reports = ReportStore(engine)
    app.state.wellbeing = Wellbeing(engine, accounts.audit)
    for module in (items, grading, reports, wellbeing):
        app.include_router(module.router)

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)

    @app.exception_handler(ClearsightError)
    async def refused(request: Request, exc: ClearsightError) -> Response:
        return HTMLResponse(f"<!doctype html><title>Clearsight</title><p>{html.escape(str(exc))}</p><p><a href=\"/\">Back</a></p>",
                            status.HTTP_400_BAD_REQUEST)

    @app.get("/static/htmx.min.js")
    def htmx(found: PageVisitor) -> Response:
        return FileResponse(STATIC / "htmx.min.js", media_type="text/javascript")

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> Response:
        token = secrets.token_urlsafe(32)
        response = TEMPLATES.TemplateResponse(request, "login.html", {"title": "Log in", "csrf": token, "account": None})
        _set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
        return response

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()], csrf_token: Annotated[str, Form()] = "") -> Response:
        check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token)
        account = app.state.accounts.authenticate(name, password)
        if account is None:
            token = secrets.token_urlsafe(32)
            refused = TEMPLATES.TemplateResponse(request, "login.html", {"title": "Log in", "csrf": token, "account": None,
                                                                          "error": "Wrong name or password, or the account is disabled."},
                                                  status_code=status.HTTP_401_UNAUTHORIZED)
            _set_cookie(refused, request, LOGIN_CSRF_COOKIE, token)
            return refused
        cookie, _ = app.state.accounts.start_session(account)
        response = RedirectResponse("/", status.HTTP_303_SEE_OTHER)
        _set_cookie(response, request, SESSION_COOKIE, cookie)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    @app.post("/logout")
    def logout(request: Request, found: PageVisitor, csrf_token: Annotated[str, Form()] = "") -> Response:
        check_csrf(found.csrf, csrf_token)
        app.state.accounts.end_session(found.cookie)
        app.state.accounts.audit.append(found.account.name, "logout", found.account.name)
        response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request, found: PageVisitor) -> Response:
        with engine.connect() as conn:
            counts = {
                "items": conn.execute(select(func.count()).select_from(MediaItem)).scalar_one(),
                "ai": conn.execute(select(func.count()).select_from(ItemProvenance).where(ItemProvenance.verdict == "ai")).scalar_one(),
                "bank_entries": conn.execute(select(func.count()).select_from(BankEntry)).scalar_one(),
            }
        return render(request, found, "home.html", {"title": "Overview", "counts": counts})

    @app.get("/admin/users", response_class=HTMLResponse)
    def users(request: Request, found: PageVisitor) -> Response:
        require_role(found, "admin")
        return render(request, found, "users.html", {"title": "Accounts", "users": app.state.accounts.all()})

    @app.get("/api/v1/whoami")
    def whoami(client: Annotated[tuple[str, list[str] | None], Depends(api_client)]) -> JSONResponse:
        return JSONResponse({"token": client[0], "banks": client[1]})

    return app
