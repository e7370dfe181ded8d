"""Bulk statements on PostgreSQL: one array parameter per column instead of a parameter per value,
and binary COPY where nothing needs to come back.

psycopg rewrites a statement's placeholders on the client, and for a multi-row `VALUES` insert
(what executemany becomes) or an `IN` list of thousands of values that rewriting, not the
server, is where a batch's time goes: 22 of 44 s when 200,000 lifecycle events were imported
that way (under cProfile). `INSERT ... SELECT FROM unnest(arrays)` and `= ANY(array)` are short statements
whatever the batch size, so nothing is rewritten. Binary COPY also skips dumping the arrays:
5,000 lifecycle events took 0.10 s by COPY and 0.14-0.21 s by unnest (the server's own share,
foreign-key checks included, is 0.07 s).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Connection, CursorResult, any_, bindparam, text


def chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """`values` in slices of `size`: the values one statement binds (an IN list, a batch)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def member_of(conn: Connection, column: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN values`, as one array parameter on PostgreSQL."""
    if conn.dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))


def reserve_ids(conn: Connection, table: str, count: int) -> list[int]:
    """`count` new ids from the sequence of `table`'s id column, in order, for rows to insert:
    the caller knows each row's id without a RETURNING in parameter order."""
    query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
    return list(conn.execute(query, {"table": table, "count": count}).scalars().all())


def unnest_insert(conn: Connection, table: str, columns: Mapping[str, tuple[str, Sequence[Any]]],
                  constants: Mapping[str, Any] | None = None, suffix: str = "") -> CursorResult[Any]:
    """Insert one row per element of the `columns` arrays (name: (PostgreSQL type, values), all
    the same length), each row also given the `constants`; `suffix` ends the statement (an ON
    CONFLICT or RETURNING clause). Names are the code's own, never input."""
    fixed = dict(constants or {})
    names = [*columns, *fixed]
    arrays = ", ".join(f"CAST(:{name} AS {kind}[])" for name, (kind, _) in columns.items())
    selected = ", ".join([*columns, *(f":{name}" for name in fixed)])
    statement = f"INSERT INTO {table} ({', '.join(names)}) SELECT {selected} FROM unnest({arrays}) AS t ({', '.join(columns)}) {suffix}"
    return conn.execute(text(statement), {**{name: list(values) for name, (_, values) in columns.items()}, **fixed})


def copy_rows(conn: Connection, table: str, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]]) -> None:
    """Append `rows` to `table` by binary COPY in the caller's transaction; `columns` are (name,
    PostgreSQL type) pairs, in the rows' order. Names are the code's own, never input."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    names = ", ".join(name for name, _ in columns)
    with cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([kind for _, kind in columns])
        for row in rows:
            copy.write_row(row)
