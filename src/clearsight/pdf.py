"""HTML printed to PDF by a headless Chromium (Debian's `chromium`, or `$CLEARSIGHT_CHROMIUM`): one
renderer for every report a hotline hands on (the yearly statistics, authenticity reports), so
they print the same way and need no PDF library."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from clearsight.errors import ClearsightError

PDF_SECONDS = 120


def html_to_pdf(html: str) -> bytes:
    """The page printed by headless Chromium; a one-line error when there is no Chromium."""
    chromium = os.environ.get("CLEARSIGHT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise ClearsightError("PDF needs Chromium (install Debian's chromium or set CLEARSIGHT_CHROMIUM); HTML needs nothing")
    with tempfile.TemporaryDirectory() as work:
        page, pdf = Path(work) / "report.html", Path(work) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", f"--user-data-dir={work}/profile", "--no-pdf-header-footer",
                   f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            subprocess.run(command, capture_output=True, timeout=PDF_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ClearsightError(f"Chromium could not print the report: {exc}") from None
        if not pdf.is_file():
            raise ClearsightError("Chromium did not print the report to PDF")
        return pdf.read_bytes()
