"""The page templates, shared by the app's routers, and the context every signed-in page gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

from clearsight.web.security import Visitor

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def render(request: Request, found: Visitor, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """A signed-in page: the account, the CSRF token and today's exposure (for the wellbeing banner) added."""
    exposure = request.app.state.wellbeing.exposure(found.account.name)
    base = {"account": found.account, "csrf": found.csrf, "exposure": exposure}
    return TEMPLATES.TemplateResponse(request, template, base | context, status_code=status_code)
