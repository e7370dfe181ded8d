"""`clearsight serve`: the assessment web app and the machine API."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from clearsight.cli.app import DbOption, app, console
from clearsight.config import load_settings


@app.command("serve")
def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on; keep it local unless behind a TLS proxy.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    api: Annotated[bool, typer.Option("--api", help="Serve the machine API (/api/v1/, bearer tokens) alone, without the analyst pages.")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Server processes on this port, one per core for the API; each holds its own PDQ index.")] = 1,
    fetch: Annotated[bool, typer.Option("--fetch/--no-fetch", help="Fetch the enabled exchanges on their schedule while serving "
                                                                  "(one fetcher per exchange across every replica on the database).")] = True,
) -> None:
    """Serve the assessment web app (log in with an account made by `clearsight users add`) and the API."""
    from clearsight.web.app import API_ONLY_ENV, FETCH_ENV  # FastAPI loads only for this command: every other command starts faster

    settings = load_settings(db)
    console.print(f"Serving the case database {settings.db} on http://{host}:{port}/" + (" (API only)" if api else "")
                  + (f" with {workers} processes" if workers > 1 else ""))
    # Each process builds the app itself from the environment (uvicorn starts workers by import).
    os.environ |= {"CLEARSIGHT_DB": settings.db, API_ONLY_ENV: "1" if api else "0", FETCH_ENV: "1" if fetch else "0"}
    uvicorn.run("clearsight.web.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)
