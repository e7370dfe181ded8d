"""Who is asking: browser sessions (cookie + CSRF token) and API tokens, and the role checks.

Every page but the login page needs a session, every API route a bearer token; a page asked for
without a session redirects to the login page and says nothing else. State-changing forms carry
the session's CSRF token; the login form, made before there is a session, carries a double-submit
token (a random cookie repeated in the form). Cookies are HttpOnly and SameSite=Strict, and
Secure whenever the app is reached over HTTPS.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request, status
from starlette.datastructures import FormData

from clearsight.assess.accounts import Account, Accounts
from clearsight.web.tokens import ApiClient, TokenCheck

SESSION_COOKIE = "clearsight_session"
LOGIN_CSRF_COOKIE = "clearsight_login_csrf"


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the login page."""


@dataclass(frozen=True)
class Visitor:
    account: Account
    csrf: str
    cookie: str


def visitor(request: Request) -> Visitor:
    """The logged-in user of a page request, or LoginRequired."""
    accounts: Accounts = request.app.state.accounts
    cookie = request.cookies.get(SESSION_COOKIE)
    found = accounts.session(cookie) if cookie else None
    if found is None or cookie is None:
        raise LoginRequired
    return Visitor(found[0], found[1], cookie)


def require_role(found: Visitor, *roles: str) -> None:
    if found.account.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not do this")


def check_csrf(expected: str, given: str | None) -> None:
    if not given or not secrets.compare_digest(expected, given):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token; reload the page")


async def checked_form(request: Request, found: Visitor) -> FormData:
    """The posted form of a signed-in page, once its CSRF token is checked."""
    form = await request.form()
    check_csrf(found.csrf, str(form.get("csrf_token") or ""))
    return form


async def api_client(request: Request) -> ApiClient:
    """(token name, banks it may use) of an API request with a live bearer token, else 401; 429
    with Retry-After when the token is over its rate. Async, so a lookup never waits for a
    thread-pool hand-off just to check its token (`web.tokens`)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    tokens: TokenCheck = request.app.state.tokens
    found = tokens.client(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if found is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a valid API token is needed", headers={"WWW-Authenticate": "Bearer"})
    wait = request.app.state.rate_limiter.retry_after(found[0])
    if wait:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many requests for this token", headers={"Retry-After": str(wait)})
    return found
