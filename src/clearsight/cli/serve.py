"""`clearsight serve`: the assessment web app and the machine API."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from clearsight.cli.app import DbOption, app, console
from clearsight.config import load_settings
from clearsight.web.app import create_app


@app.command("serve")
def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on; keep it local unless behind a TLS proxy.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    api: Annotated[bool, typer.Option("--api", help="Serve the machine API (/api/v1/, bearer tokens) alone, without the analyst pages.")] = False,
) -> None:
    """Serve the assessment web app (log in with an account made by `clearsight users add`) and the API."""
    settings = load_settings(db)
    console.print(f"Serving the case database {settings.db} on http://{host}:{port}/" + (" (API only)" if api else ""))
    uvicorn.run(create_app(settings, api_only=api), host=host, port=port, log_level="warning")
