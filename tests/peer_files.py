"""Where the tests find other projects' public test files (picklescan's pickles, sd-parsers'
samples, the C2PA ecosystem's signed images).

They are not in this repository: files fetched from other projects are kept out of its commits,
like the ThreatExchange reference vectors beside it. Each set's source, commit, licence and the
expectations its project's tests give are committed in `tests/fixtures/<set>/` (README.md,
expected.json); the files themselves are read from `$CLEARSIGHT_PEER_FILES/<set>/` (by default
`peer-files/` beside the repository). Tests over a set that is not there are skipped, saying
where it was looked for.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
PEER_FILES = Path(os.environ.get("CLEARSIGHT_PEER_FILES", REPOSITORY.parent / "peer-files"))
EXPECTATIONS = REPOSITORY / "tests" / "fixtures"


def peer_folder(name: str) -> Path:
    """The folder of one set of peer test files; skips the calling module when it is missing."""
    folder = PEER_FILES / name
    if not folder.is_dir():
        pytest.skip(f"{name}: the peer test files are not at {folder} (set CLEARSIGHT_PEER_FILES; tests/fixtures/{name}/README.md says what they are)",
                    allow_module_level=True)
    return folder
