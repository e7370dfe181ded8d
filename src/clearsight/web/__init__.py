"""The assessment web app (FastAPI, server-rendered pages) and the machine API."""

from clearsight.web import ids as ids  # registers the `rowid` path convertor before any route is declared
