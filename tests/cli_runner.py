"""Run the real `clearsight` command line in a subprocess, as scripts and analysts do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

COMMAND = [sys.executable, "-m", "clearsight"]


def clearsight(*args: str, check: bool = True, stdin: str | None = None, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command; `columns` widens Rich's tables so a test can read whole cells."""
    env = os.environ | {"COLUMNS": str(columns)} if columns else None
    completed = subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=300, input=stdin, check=False, env=env)
    if check and completed.returncode != 0:
        raise AssertionError(f"clearsight {' '.join(args)} exited {completed.returncode}:\n{completed.stderr}")
    return completed


def records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
