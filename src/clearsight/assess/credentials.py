"""What an account name and a password must be, checked wherever an account is made or a password set.

Names are shown on every page, in the audit trail and at the command line, so they are short,
printable text: no control or invisible formatting characters (a right-to-left override would
make one name read as another). Passwords need length and must not be guessable from a list:
the shipped list (`common_passwords.txt`) holds the most common passwords and password stems,
and a stem padded with digits or punctuation ("Password2024!") counts as the stem.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from clearsight.errors import ClearsightError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
"""Longer passwords are refused when set, so a login never hashes megabytes."""
MIN_DISTINCT_CHARACTERS = 5
MAX_NAME_LENGTH = 64
RESERVED_NAMES = frozenset({"anonymous", "auto", "web"})
"""Actors the app itself writes into the audit trail; `cli:` and `token:` actors are kept apart by the colon names may not have."""
_PADDING = string.digits + string.punctuation + " "


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("clearsight.assess").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_name(name: str) -> None:
    if not name.strip():
        raise ClearsightError("a name may not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ClearsightError(f"a name may have at most {MAX_NAME_LENGTH} characters")
    if name != name.strip():
        raise ClearsightError("a name may not start or end with spaces")
    if not name.isprintable():
        raise ClearsightError("a name may contain only printable characters (no control or formatting characters)")
    if ":" in name or name.lower() in RESERVED_NAMES:
        raise ClearsightError(f"the name {name} is kept for the audit trail's own actors; choose another")


def check_password(password: str, name: str) -> None:
    """Refuse a password that is short, overlong, repetitive, common, or contains the account's name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ClearsightError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ClearsightError(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        raise ClearsightError(f"a password needs at least {MIN_DISTINCT_CHARACTERS} different characters")
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip(_PADDING) in common_passwords():
        raise ClearsightError("that password is too common; choose another (a few unrelated words make a good one)")
    if len(name) >= 4 and name.lower() in lowered:
        raise ClearsightError("a password may not contain the account's name")
