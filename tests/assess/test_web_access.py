"""The web app lets nobody in without logging in, checks roles and CSRF tokens, and audits logins."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from clearsight.assess.accounts import Accounts
from clearsight.config import Settings
from clearsight.store.db import open_engine
from clearsight.web.app import create_app
from clearsight.web.tokens import TOKEN_TTL, TokenCheck
from tests.cli_runner import clearsight
from tests.web_client import PASSWORD, csrf_of, log_in


@pytest.fixture
def site(db: str) -> TestClient:
    accounts = Accounts(open_engine(db), actor="test")
    accounts.add("ann", "analyst", PASSWORD)
    accounts.add("ada", "admin", PASSWORD)
    return TestClient(create_app(Settings(db=db)), follow_redirects=False)


API_PREFIXES = ("/api/", "/m/", "/h/", "/c/", "/openapi/", "/site-map")
"""The machine API and its HMA routes: bearer tokens only."""
OPEN = ("/login", "/api/v1/status/live", "/status", "/status/live")
"""The only routes anyone may reach: the login page, and the health probes for load balancers
(they say "ok" or "I-AM-ALIVE", nothing else)."""


def _routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every route of the app but the login page, path parameters filled with 1."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [(method.upper(), re.sub(r"{[^}]+}", "1", path)) for path, methods in sorted(paths.items()) if path not in OPEN for method in methods]


def test_every_route_sends_visitors_without_a_session_to_the_login_page_or_refuses_them(site: TestClient) -> None:
    routes = _routes(site)
    assert len(routes) > 20
    for method, path in routes:
        answer = site.request(method, path, data={"csrf_token": "x"}, files={"file": ("r.csv", b"url\n")} if path.endswith("import") else None)
        if path.startswith(API_PREFIXES):
            assert answer.status_code == 401, (method, path)
        else:
            assert (answer.status_code, answer.headers.get("location")) == (303, "/login"), (method, path)
        assert "<img" not in answer.text and "Clearsight" not in answer.text


def test_an_analyst_cannot_reach_admin_routes_and_no_post_is_taken_without_its_csrf_token(site: TestClient) -> None:
    log_in(site, "ann")
    routes = _routes(site)
    for method, path in routes:
        if path.startswith("/admin/"):
            assert site.request(method, path, data={}).status_code == 403, (method, path)
    for method, path in routes:
        if method == "POST":
            answer = site.post(path, data={"csrf_token": "forged", "report": "1", "action": "notice"},
                               files={"file": ("r.csv", b"url\n")} if path.endswith("import") else None)
            # the API ignores the session cookie (a bearer token or nothing), so a forged page cannot use it either
            assert answer.status_code == (401 if path.startswith(API_PREFIXES) else 403), path
    assert site.get("/audit").status_code == 403


def test_the_api_refuses_requests_without_a_live_token(site: TestClient, db: str) -> None:
    assert site.get("/api/v1/whoami").status_code == 401
    assert site.get("/api/v1/whoami", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    accounts = Accounts(open_engine(db), actor="test")
    token = accounts.add_token("platform", ["known"])
    assert site.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"}).json() == {"token": "platform", "banks": ["known"]}
    accounts.revoke_token("platform")  # as `clearsight tokens revoke` would, from another process
    revoked = time.monotonic()
    while site.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"}).status_code != 401:
        assert time.monotonic() - revoked < TOKEN_TTL + 0.5, "a revoked token still works"
        time.sleep(0.05)


def test_an_api_token_answer_is_remembered_for_at_most_a_second(db: str) -> None:
    accounts = Accounts(open_engine(db), actor="test")
    token = accounts.add_token("platform", None)
    now = [0.0]
    check = TokenCheck(accounts, clock=lambda: now[0])
    assert check.client(token) == ("platform", None)
    accounts.revoke_token("platform")
    now[0] = TOKEN_TTL - 0.01
    assert check.client(token) == ("platform", None)
    now[0] = TOKEN_TTL
    assert check.client(token) is None


def test_logging_in_roles_and_logging_out(site: TestClient) -> None:
    csrf = log_in(site, "ann")
    page = site.get("/")
    assert page.status_code == 200 and "ann (analyst)" in page.text
    assert site.cookies.get("clearsight_session")
    assert site.get("/admin/users").status_code == 403
    assert site.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert site.post("/logout", data={"csrf_token": csrf}).status_code == 303
    assert site.get("/").status_code == 303


def test_an_admin_sees_the_accounts(site: TestClient) -> None:
    log_in(site, "ada")
    page = site.get("/admin/users")
    assert page.status_code == 200 and "ann" in page.text and "analyst" in page.text


def test_login_needs_the_forms_csrf_token_and_the_right_password(site: TestClient, db: str) -> None:
    site.get("/login")
    assert site.post("/login", data={"name": "ann", "password": PASSWORD}).status_code == 403
    form = site.get("/login")
    refused = site.post("/login", data={"name": "ann", "password": "not the password", "csrf_token": csrf_of(form.text)})
    assert refused.status_code == 401 and "Wrong name or password" in refused.text
    actions = [entry["action"] for entry in Accounts(open_engine(db), actor="test").audit.entries(limit=1)]
    assert actions == ["login.failed"]


def test_pages_carry_security_headers_and_secure_cookies(site: TestClient) -> None:
    page = site.get("/login")
    assert page.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_serve_is_on_the_command_line() -> None:
    assert "Serve the assessment web app" in clearsight("serve", "--help").stdout
