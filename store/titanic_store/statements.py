"""The API's reads and writes, as SQL run on a driver cursor (sqlite3 or psycopg).

One implementation for every caller: the API's writer passes its own connection's cursor, the
SQLAlchemy helpers (inserts.py) the cursor of theirs. Values are bound as SQLAlchemy's column types
would bind them (tables.py), so the report reads these rows like any other.
"""

import json
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from titanic_store.names import (
    COLUMNS,
    HEAD_REVISION,
    OUTCOME_COLUMNS,
    OUTCOMES_TABLE,
    QUARANTINE_COLUMNS,
    QUARANTINE_TABLE,
    TABLE_NAME,
    VERSION_TABLE,
)
from titanic_store.rows import OutcomeRow, PredictionRow

# SQLite: many rows per INSERT statement, values bound by the driver from one flat list. Plain
# executemany runs one step per row, and the sqlite3 module releases the GIL around each: under
# load the writer thread then fights the event loop for the GIL once per row, and the serving
# thread slows with it. Statement sizes are powers of two only: the driver prepares and caches one
# statement per SQL text, and one per batch remainder (1..255 rows, each a large prepared
# statement) would be compiled at nearly every flush and kept in its cache. Figures:
# docs/performance.md#measured-choices-in-the-code.
SQLITE_ROWS_PER_STATEMENT = 256  # x 16 columns: well under SQLite's 32,766 bound variables


_CREATED_AT, _ERRORS = COLUMNS.index("created_at"), COLUMNS.index("errors")  # by name


class SchemaBehindError(Exception):
    """The database's schema is not the one this code writes."""


def _marker(backend: str) -> str:
    """The driver's placeholder: sqlite3's qmark, psycopg's format style."""
    return "?" if backend == "sqlite" else "%s"


def _insert(backend: str, table: str, columns: Sequence[str], rows: int = 1) -> str:
    values = "(" + ", ".join([_marker(backend)] * len(columns)) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([values] * rows)


def _sqlite_datetime(value: datetime) -> str:
    """SQLAlchemy's SQLite DateTime text, "%Y-%m-%d %H:%M:%S.%f" without the zone (isoformat is
    several times cheaper than strftime)."""
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _bound(backend: str, value: Any) -> Any:
    """A datetime as SQLAlchemy binds it for `backend`; psycopg takes it as it is."""
    return _sqlite_datetime(value) if backend == "sqlite" and isinstance(value, datetime) else value


def _prediction_values(backend: str, row: PredictionRow) -> list[Any]:
    """The JSON column as text (as SQLAlchemy's JSON type sends it), the time as above."""
    values = row.column_values()
    values[_CREATED_AT] = _bound(backend, row.created_at)
    values[_ERRORS] = None if row.errors is None else json.dumps(row.errors)
    return values


@lru_cache(maxsize=16)
def _sqlite_insert(rows: int) -> str:
    return _insert("sqlite", TABLE_NAME, COLUMNS, rows)


def _sqlite_statement_sizes(count: int) -> Iterator[int]:
    """`count` split into full statements, then the remainder's powers of two (largest first)."""
    yield from [SQLITE_ROWS_PER_STATEMENT] * (count // SQLITE_ROWS_PER_STATEMENT)
    size = SQLITE_ROWS_PER_STATEMENT
    while size := size // 2:
        if count & size:
            yield size


# PostgreSQL takes a write's rows as one COPY: cheaper for the writer than a pipelined executemany
# (docs/performance.md#measured-choices-in-the-code).
_POSTGRES_COPY = f"COPY {TABLE_NAME} ({', '.join(COLUMNS)}) FROM STDIN"


def insert_predictions(cursor: Any, backend: str, rows: Sequence[PredictionRow]) -> None:
    """Insert prediction rows in as few statements as the driver allows: PostgreSQL takes them as
    one COPY, SQLite many rows per statement."""
    if backend != "sqlite":
        with cursor.copy(_POSTGRES_COPY) as copy:
            for row in rows:
                copy.write_row(_prediction_values(backend, row))
        return
    start = 0
    for size in _sqlite_statement_sizes(len(rows)):
        chunk = rows[start : start + size]
        cursor.execute(
            _sqlite_insert(size), [v for row in chunk for v in _prediction_values(backend, row)]
        )
        start += size


def insert_predictions_unless_committed(
    cursor: Any, backend: str, rows: Sequence[PredictionRow]
) -> None:
    """Insert stored rows again after an attempt that lost its connection: its commit may have
    reached the database before the connection broke. A transaction is all or nothing, so one
    scored row's id tells whether it did (rows all rejected have no id, and are inserted again)."""
    witness = next((row.prediction_id for row in rows if row.prediction_id is not None), None)
    if witness is None or not known_predictions(cursor, backend, [witness]):
        insert_predictions(cursor, backend, rows)


def insert_outcomes(cursor: Any, backend: str, rows: Sequence[OutcomeRow]) -> None:
    """Insert outcome rows; one already recorded for the same prediction stays as it was (the
    first label wins, also between replicas that checked at the same time)."""
    statement = _insert(backend, OUTCOMES_TABLE, OUTCOME_COLUMNS)
    cursor.executemany(
        statement + " ON CONFLICT (prediction_id) DO NOTHING",
        [[_bound(backend, value) for value in row] for row in rows],
    )


def insert_quarantined(cursor: Any, backend: str, entry: dict[str, Any]) -> None:
    """Keep a refused row aside: `entry` has QUARANTINE_COLUMNS' keys."""
    values = [_bound(backend, entry[column]) for column in QUARANTINE_COLUMNS]
    cursor.execute(_insert(backend, QUARANTINE_TABLE, QUARANTINE_COLUMNS), values)


def _select_where_id_in(
    cursor: Any, backend: str, select: str, table: str, ids: Collection[str]
) -> list[Any]:
    if not ids:
        return []
    markers = ", ".join([_marker(backend)] * len(ids))
    cursor.execute(f"SELECT {select} FROM {table} WHERE prediction_id IN ({markers})", list(ids))
    return list(cursor.fetchall())


def known_predictions(cursor: Any, backend: str, ids: Collection[str]) -> set[str]:
    """Those of `ids` that a stored prediction has."""
    return {
        row[0] for row in _select_where_id_in(cursor, backend, "prediction_id", TABLE_NAME, ids)
    }


def recorded_outcomes(cursor: Any, backend: str, ids: Collection[str]) -> dict[str, int]:
    """prediction id -> the label already recorded for it, for those of `ids` that have one."""
    found = _select_where_id_in(cursor, backend, "prediction_id, survived", OUTCOMES_TABLE, ids)
    return {row[0]: row[1] for row in found}


def has_table(cursor: Any, backend: str, table: str) -> bool:
    if backend == "sqlite":
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
        return cursor.fetchone() is not None
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
    return bool(cursor.fetchone()[0])


def current_revision(cursor: Any, backend: str) -> str | None:
    """The database's migration; None when Alembic never ran on it."""
    if not has_table(cursor, backend, VERSION_TABLE):
        return None
    cursor.execute(f"SELECT version_num FROM {VERSION_TABLE}")
    row = cursor.fetchone()
    return None if row is None else str(row[0])


def require_current_schema(cursor: Any, backend: str) -> None:
    """Raise SchemaBehindError, naming the revisions and the fix, unless the schema is current."""
    revision = current_revision(cursor, backend)
    if revision != HEAD_REVISION:
        found = revision or "no migrations applied"
        raise SchemaBehindError(
            f"the store's schema is at {found}, this code writes {HEAD_REVISION}: "
            "run `titanic-store upgrade` (the deploy's pre-deploy step)"
        )
