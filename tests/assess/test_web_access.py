"""The web app lets nobody in without logging in, checks roles and CSRF tokens, and audits logins."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from clearsight.assess.accounts import Accounts
from clearsight.config import Settings
from clearsight.store.db import open_engine
from clearsight.web.app import create_app
from tests.cli_runner import clearsight
from tests.web_client import PASSWORD, csrf_of, log_in


@pytest.fixture
def site(db: str) -> TestClient:
    accounts = Accounts(open_engine(db), actor="test")
    accounts.add("ann", "analyst", PASSWORD)
    accounts.add("ada", "admin", PASSWORD)
    return TestClient(create_app(Settings(db=db)), follow_redirects=False)


@pytest.mark.parametrize("path", ["/", "/admin/users"])
def test_pages_send_visitors_without_a_session_to_the_login_page(site: TestClient, path: str) -> None:
    answer = site.get(path)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")


def test_the_api_refuses_requests_without_a_live_token(site: TestClient, db: str) -> None:
    assert site.get("/api/v1/whoami").status_code == 401
    assert site.get("/api/v1/whoami", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    accounts = Accounts(open_engine(db), actor="test")
    token = accounts.add_token("platform", ["known"])
    assert site.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"}).json() == {"token": "platform", "banks": ["known"]}
    accounts.revoke_token("platform")
    assert site.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"}).status_code == 401


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
