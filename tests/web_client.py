"""Driving the web app in tests: a logged-in client, the CSRF token of a page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match[1]


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log in and return the session's CSRF token (from the page it lands on)."""
    form = client.get("/login")
    done = client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(form.text)})
    assert done.status_code == 303 and done.headers["location"] == "/"
    return csrf_of(client.get("/").text)
