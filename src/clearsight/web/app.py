"""The assessment web app and the machine API, one router per area: `pages` (login, overview,
accounts), `items` (queue and item pages), `grading` (grades and review), `reports` (intake),
`wellbeing` (preferences, settings, audit trail) and `api` (tokens only; alone with `--api`).

Pages are rendered on the server (Jinja2, with htmx served from the package, never a CDN),
answer with strict security headers, and show no imagery unless an analyst asks for one item.
Every login, view, reveal, grade, review, import and settings change goes into the audit trail.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clearsight.assess.accounts import Accounts
from clearsight.assess.clusters import Clusters
from clearsight.assess.grading import Grading
from clearsight.assess.known import KnownItems
from clearsight.assess.wellbeing import Wellbeing
from clearsight.banks.matcher import Matcher, MatchOptions
from clearsight.banks.snapshot import snapshot_path
from clearsight.config import Settings, database_url, load_settings
from clearsight.errors import ClearsightError
from clearsight.exchanges.fetch import Scheduler
from clearsight.intake.url_fetch import MAX_FETCH_BYTES, FetchPolicy
from clearsight.store.app_settings import AppSettings
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.exchanges import ExchangeStore
from clearsight.store.items import ItemStore
from clearsight.store.reports import ReportStore
from clearsight.web import api, clusters, grading, hma, items, pages, reports, stats, wellbeing
from clearsight.web.bodylimit import BodyLimit
from clearsight.web.lookups import SharedMatcher
from clearsight.web.ratelimit import RateLimiter
from clearsight.web.refusals import AUDITED, RefusalAudit
from clearsight.web.security import LoginRequired
from clearsight.web.throttle import LoginThrottle
from clearsight.web.tokens import TokenCheck
from clearsight.web.uploads import MAX_UPLOAD_BYTES, is_upload_path

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_SECURITY_RAW = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
_SECURITY_NAMES = {name for name, _ in _SECURITY_RAW}


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response; plain ASGI, since Starlette's BaseHTTPMiddleware
    costs a task and a stream per request, a large share of a hash lookup's time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [header for header in message.get("headers", ()) if header[0].lower() not in _SECURITY_NAMES] + _SECURITY_RAW
            await send(message)

        await self.app(scope, receive, with_headers)


_SLASHES = re.compile(r"//+")


class MergeSlashes:
    """Treats `//c/banks` as `/c/banks`, as HMA's Flask does (some HMA clients join a base URL
    ending in a slash to a path starting with one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            scope = {**scope, "path": _SLASHES.sub("/", scope["path"])}
        await self.app(scope, receive, send)


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[None]:
    """What a server process runs beside its routes. An API server starts building its PDQ index
    as it starts, so the first lookups do not wait for it (the analyst app builds it on its first
    API lookup, if there is one), and keeps it current while idle, so `/status` can say when it is
    stale. With exchange fetching on, each process runs the exchange scheduler; the lease in the
    database lets one of them fetch each exchange."""
    keeping = None
    if app.state.serves_api_only:
        app.state.api_matcher.start()
        keeping = asyncio.create_task(app.state.api_matcher.keep_current())
    scheduler = Scheduler(app.state.exchange_store, app.state.settings) if app.state.fetches_exchanges else None
    if scheduler is not None:
        scheduler.start()
    yield
    if keeping is not None:
        keeping.cancel()
    if scheduler is not None:
        scheduler.stop()


def create_app(settings: Settings, api_only: bool = False, fetch_exchanges: bool = False) -> FastAPI:
    """The app on the case database of `settings`; with `api_only`, the machine API alone; with
    `fetch_exchanges`, the exchange scheduler running while it serves."""
    app = FastAPI(title="Clearsight", docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json", lifespan=_serving)
    engine = open_engine(settings.db)
    app.state.accounts = accounts = Accounts(engine, actor="web")
    app.state.items = ItemStore(engine)
    app.state.settings = settings
    app.state.grading = Grading(engine, accounts.audit)
    app.state.known = KnownItems(engine, accounts.audit, lambda: Matcher(BankStore(engine)))
    app.state.clusters = Clusters(engine)
    app.state.reports = ReportStore(engine)
    app.state.wellbeing = Wellbeing(engine, accounts.audit)
    app.state.bank_store = BankStore(engine)
    app.state.exchange_store = ExchangeStore(engine)
    app.state.app_settings = AppSettings(engine)
    app.state.url_fetch = FetchPolicy.parse(settings.url_fetch_allow, MAX_FETCH_BYTES)
    app.state.serves_api_only = api_only
    app.state.fetches_exchanges = fetch_exchanges
    snapshot = snapshot_path(settings.cache_dir, database_url(settings.db), "pdq")
    api_options = MatchOptions(quarantine_per_hour=settings.quarantine_matches_per_hour)
    app.state.api_matcher = SharedMatcher(lambda: Matcher(BankStore(engine), api_options, snapshot=snapshot))
    app.state.rate_limiter = RateLimiter(settings.api_rate)
    app.state.login_throttle = LoginThrottle()
    app.state.tokens = TokenCheck(accounts)
    for router in hma.ROUTERS:
        app.include_router(router)
    for module in (api,) if api_only else (api, pages, items, grading, clusters, reports, stats, wellbeing):
        app.include_router(module.router)
    app.router.routes[:0] = hma.fast_routes()

    app.add_middleware(BodyLimit, limit=settings.max_json_bytes, upload_limit=MAX_UPLOAD_BYTES, is_upload=is_upload_path)
    app.add_middleware(SecurityHeaders)  # so a refusal of BodyLimit carries the headers too
    app.add_middleware(MergeSlashes)

    app.state.refusals = RefusalAudit(accounts.audit)

    @app.exception_handler(StarletteHTTPException)
    async def audited_refusal(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in AUDITED:
            await run_in_threadpool(app.state.refusals.record, request, exc.status_code, str(exc.detail))
        if hma.is_hma_path(request.url.path):
            return JSONResponse({"message": str(exc.detail)}, exc.status_code, headers=exc.headers)
        return await http_exception_handler(request, exc)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)

    @app.exception_handler(ClearsightError)
    async def refused(request: Request, exc: ClearsightError) -> Response:
        if hma.is_hma_path(request.url.path):
            return JSONResponse({"message": str(exc)}, status.HTTP_400_BAD_REQUEST)
        return HTMLResponse(f"<!doctype html><title>Clearsight</title><p>{html.escape(str(exc))}</p><p><a href=\"/\">Back</a></p>",
                            status.HTTP_400_BAD_REQUEST)

    return app


API_ONLY_ENV = "CLEARSIGHT_API_ONLY"
FETCH_ENV = "CLEARSIGHT_FETCH_EXCHANGES"


def app_from_environment() -> FastAPI:
    """The app as `clearsight serve` starts it in each server process (uvicorn imports it by name
    to start several): settings from the environment, CLEARSIGHT_DB included, and the API alone
    when CLEARSIGHT_API_ONLY is 1, fetching exchanges when CLEARSIGHT_FETCH_EXCHANGES is 1."""
    return create_app(load_settings(), api_only=os.environ.get(API_ONLY_ENV) == "1", fetch_exchanges=os.environ.get(FETCH_ENV) == "1")
