"""Evidence made inert before it reaches a terminal.

Metadata, bank names, LoRA names and account names come from files and people the analyst does
not control. Printed raw, an ANSI escape in a PNG's `Model` field can erase the real verdict and
write another, a bidirectional override can reorder what is read, and Rich markup such as `[/]`
in a name crashes the command. Every value a command prints goes through `shown` (for Rich
output, markup escaped too) or `plain` (for plain `print`); JSON output needs neither, because
`json_text` writes JSON whose strings keep the same values but carry every such character as a
`\\uXXXX` escape (json.dumps alone leaves C1 controls, bidirectional overrides and lone
surrogates raw, and the last fail to print).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from typing import Any

from rich.markup import escape
from rich.table import Table

_FORMAT_CHARACTERS_SHOWN = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
"""Format characters that are harmless and common in real text (soft hyphen, zero-width joiners,
byte-order mark): kept. Every other format character (the bidirectional controls among them) is
escaped."""


def _escaped(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escaped(character: str) -> str:
    return f"\\u{ord(character):04x}"


def _is_active(character: str) -> bool:
    """Whether a terminal could act on `character` or fail to print it."""
    category = unicodedata.category(character)
    return category in ("Cc", "Zl", "Zp", "Cs") or (category == "Cf" and character not in _FORMAT_CHARACTERS_SHOWN)


def _replaced(text: str, escape_one: Callable[[str], str], keep: str = "") -> str:
    if text.isprintable():
        return text
    return "".join(escape_one(character) if _is_active(character) and character not in keep else character for character in text)


def plain(value: object) -> str:
    """`value` as text with every control character and bidirectional or other format control
    replaced by a visible escape (`\\x1b`, `\\u202e`), so it prints as exactly one inert line.
    Surrogates (the undecodable bytes of a path read as surrogate escapes) are shown the same way
    rather than failing to encode."""
    return _replaced(str(value), _escaped)


def shown(value: object) -> str:
    """`plain(value)` with Rich markup escaped, for interpolation into a Rich message or cell."""
    return escape(plain(value))


def json_text(value: Any, indent: int | None = None, default: Callable[[Any], Any] | None = None) -> str:
    """`value` as JSON, readable non-ASCII kept, every active character `\\u`-escaped.

    json.dumps already escapes newline, tab and the other C0 controls inside strings, and leaves
    the rest raw; outside strings its output is plain ASCII (newlines only from `indent`), so
    escaping what is left, newlines apart, stays valid JSON."""
    return _replaced(json.dumps(value, indent=indent, default=default, ensure_ascii=False), _json_escaped, keep="\n")


def add_inert_row(table: Table, *cells: object) -> None:
    """Add a row whose every cell is evidence: each made inert."""
    table.add_row(*(shown(cell) for cell in cells))
