"""HMA's health routes, its route list and its OpenAPI document.

`/status` is a readiness probe (503 `INDEX-NOT-LOADED` until the index is built, 503
`INDEX-STALE` when it has not caught up with the store for over a minute) and `/status/live` a
liveness probe; both answer without a token, as load balancers and orchestrators call them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from clearsight.web.api import Client
from clearsight.web.hma.common import HMA_VERSION, is_hma_path, json_response

router = APIRouter(tags=["hma"])
ALIVE = "I-AM-ALIVE"


@router.get("/status", summary="HMA: readiness (503 while the index is not loaded or stale; no token needed)", response_class=HTMLResponse)
def status(request: Request) -> HTMLResponse:
    why = request.app.state.api_matcher.readiness() if request.app.state.serves_api_only else None
    return HTMLResponse(why or ALIVE, 503 if why else 200)


@router.get("/status/live", summary="HMA: liveness, whatever the index (no token needed)", response_class=HTMLResponse)
def status_live() -> HTMLResponse:
    return HTMLResponse(ALIVE)


@router.get("/site-map", summary="HMA: every route of the server, as Flask names them")
def site_map(request: Request, client: Client) -> Response:
    paths = request.app.openapi()["paths"]
    return json_response(sorted(path.replace("{", "<").replace("}", ">") for path in paths))


@router.get("/openapi/openapi.json", summary="HMA: the OpenAPI document of the HMA routes")
def openapi(request: Request, client: Client) -> Response:
    whole: dict[str, Any] = request.app.openapi()
    return json_response({**whole, "info": {"title": "Open Media Match API", "version": HMA_VERSION,
                                            "description": f"Clearsight's routes compatible with Hasher-Matcher-Actioner {HMA_VERSION}"},
                          "paths": {path: spec for path, spec in whole["paths"].items() if is_hma_path(path)}})
