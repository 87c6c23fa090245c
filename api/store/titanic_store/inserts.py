"""Inserting stored rows: SQLAlchemy's executemany, or for SQLite multi-row statements."""

import json
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from titanic_store.tables import COLUMNS, TABLE_NAME, predictions

# SQLite: many rows per INSERT statement, values bound by the driver from one flat list. Plain
# executemany runs one step per row, and the sqlite3 module releases the GIL around each: under
# load the writer thread then fights the event loop for the GIL once per row, and the serving
# thread slows with it. Statement sizes are powers of two only: the driver prepares and caches one
# statement per SQL text, and one per batch remainder (1..255 rows, each a large prepared
# statement) would be compiled at nearly every flush and kept in its cache. Figures:
# docs/performance.md#measured-choices-in-the-code.
SQLITE_ROWS_PER_STATEMENT = 256  # x 16 columns: well under SQLite's 32,766 bound variables


@lru_cache(maxsize=16)
def _sqlite_insert(rows: int) -> str:
    placeholders = "(" + ", ".join("?" * len(COLUMNS)) + ")"
    return f"INSERT INTO {TABLE_NAME} ({', '.join(COLUMNS)}) VALUES " + ", ".join(
        [placeholders] * rows
    )


def _sqlite_statement_sizes(count: int) -> Iterator[int]:
    """`count` split into full statements, then the remainder's powers of two (largest first)."""
    yield from [SQLITE_ROWS_PER_STATEMENT] * (count // SQLITE_ROWS_PER_STATEMENT)
    size = SQLITE_ROWS_PER_STATEMENT
    while size := size // 2:
        if count & size:
            yield size


_CREATED_AT, _ERRORS = COLUMNS.index("created_at"), COLUMNS.index("errors")


def _sqlite_values(row: Sequence[Any]) -> list[Any]:
    """What SQLAlchemy's DateTime and JSON types would bind for SQLite; the rest as they are."""
    values = list(row)
    # SQLAlchemy's SQLite DateTime text, "%Y-%m-%d %H:%M:%S.%f" without the zone (isoformat is
    # several times cheaper than strftime)
    values[_CREATED_AT] = row[_CREATED_AT].replace(tzinfo=None).isoformat(" ", "microseconds")
    values[_ERRORS] = None if row[_ERRORS] is None else json.dumps(row[_ERRORS])
    return values


def insert_rows(connection: Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (tuples in COLUMNS order) in as few statements as the driver allows."""
    if connection.dialect.name != "sqlite":
        connection.execute(
            predictions.insert(), [dict(zip(COLUMNS, row, strict=True)) for row in rows]
        )
        return
    start = 0
    for size in _sqlite_statement_sizes(len(rows)):
        values = [value for row in rows[start : start + size] for value in _sqlite_values(row)]
        connection.exec_driver_sql(_sqlite_insert(size), tuple(values))
        start += size
