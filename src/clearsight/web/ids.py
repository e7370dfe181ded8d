"""Row ids in paths, forms and query strings: whole numbers a database integer column can hold.

A path like `/items/{item_id:rowid}` matches only 1 to 18 digits, so an id past 64 bits (which
SQLite and PostgreSQL cannot even compare with) finds no route and is a 404, as any unknown id
is, instead of an overflow deep in a query. Form and query fields holding ids go through
`row_id`. The convertor is registered when `clearsight.web` is first imported, before any route.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.convertors import Convertor, register_url_convertor

MAX_ID = 10**18 - 1
"""The largest id taken: every 18-digit number fits a signed 64-bit integer."""

ROW_ID_PATTERN = "[0-9]{1,18}"


class RowIdConvertor(Convertor[int]):
    regex = ROW_ID_PATTERN

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("rowid", RowIdConvertor())

QueryId = Annotated[int, Query(ge=0, le=MAX_ID)]
"""A query parameter holding an id (or a count of rows): out of range is a 422, never an overflow."""


def row_id(text: str) -> int | None:
    """The id a form or query field holds, or None when it is not one (not digits, or too large)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and int(text) <= MAX_ID else None
