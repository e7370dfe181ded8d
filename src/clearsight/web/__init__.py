"""The assessment web app (FastAPI, server-rendered pages) and the machine API."""
