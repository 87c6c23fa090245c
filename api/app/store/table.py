"""The prediction store's tables (SQLAlchemy Core), and how to open its database with timeouts.

Data minimisation: a passenger's name is kept only as the title the model uses, the cabin only as
its deck. A rejected row keeps its errors and no inputs. A row the database refused even alone is
kept in the quarantine table, as JSON text, with the reason.
"""

import json
import os
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.types import TypeEngine

from titanic_model import contract

TABLE_NAME = "predictions"
# Room for every derived category (a title, a deck letter).
DERIVED_LENGTH = 16

metadata = MetaData()


def _input_type(name: str) -> TypeEngine[Any]:
    """The SQL type of a recorded input column, from the passenger contract's field."""
    match contract.field(name):
        case contract.Number():
            return Float()
        case contract.Count():
            return SmallInteger()
        case contract.Category(values=values) if isinstance(values[0], int):
            return SmallInteger()
        case contract.Category(values=values):
            return String(max(len(str(value)) for value in values))
        case declared:
            raise TypeError(f"{name} ({type(declared).__name__}) is not recorded as it is")


# The passenger's recorded form: the contract's recorded inputs, then its derived categories.
_PASSENGER_COLUMNS = [
    *(Column(name, _input_type(name)) for name in contract.RECORDED_INPUTS),
    *(Column(name, String(DERIVED_LENGTH)) for name in contract.DERIVED),
]

predictions = Table(
    TABLE_NAME,
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("request_id", String(128), nullable=False),
    Column("row_index", Integer, nullable=False),
    Column("model_version", String(64), nullable=False),
    *_PASSENGER_COLUMNS,
    Column("probability", Float),
    Column("prediction", SmallInteger),
    Column("errors", JSON(none_as_null=True)),
)

quarantine = Table(
    "prediction_quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("quarantined_at", DateTime(timezone=True), nullable=False),
    Column("request_id", String(128)),
    Column("row_index", Integer),
    Column("reason", String(300), nullable=False),
    Column("row", Text, nullable=False),  # ASCII JSON of the refused row (escapes included)
)

COLUMNS = tuple(column.name for column in predictions.columns if column.name != "id")
"""A stored row is a tuple of these values, in this order (app/store/records.py builds them)."""


# SQLite: many rows per INSERT statement, values bound by the driver from one flat list. Plain
# executemany runs one step per row, and the sqlite3 module releases the GIL around each: under
# load the writer thread then fights the event loop for the GIL once per row (measured: 270 µs of
# wall time per row, and the serving thread slowed with it); this way it is ~10 µs per row.
# Statement sizes are powers of two only: the driver prepares and caches one statement per SQL
# text, and one per batch remainder (1..255 rows, each a large prepared statement) would be
# compiled at nearly every flush and kept in its cache, ~20 MiB of RSS under load.
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


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    """WAL: the report can read while the API writes; NORMAL sync is safe with WAL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_engine(url: str, connect_timeout_s: float, statement_timeout_s: float) -> Engine:
    """An engine for `url` whose waits are bounded; a SQLite file's directory is created, WAL on.

    PostgreSQL: connect_timeout for connecting, statement_timeout for a statement the server runs
    too long, tcp_user_timeout for a host that stopped acknowledging. A server that accepts but
    never answers (a hung process) is cut off by `statement_deadline`. No pre-ping: the writer
    disposes of the engine after any outage, and a ping could hang like any statement.
    """
    parsed = make_url(url)
    if parsed.drivername in {"postgres", "postgresql"}:  # Railway's DATABASE_URL: use psycopg 3
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        timeouts = {
            "connect_timeout": max(1, round(connect_timeout_s)),
            "options": f"-c statement_timeout={round(statement_timeout_s * 1000)}",
            "tcp_user_timeout": round(statement_timeout_s * 1000),
        }
        return create_engine(parsed, pool_size=1, max_overflow=0, connect_args=timeouts)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": statement_timeout_s})  # busy timeout
    event.listen(engine, "connect", _sqlite_wal)
    return engine


def _sever(dbapi_connection: Any) -> None:
    """Make a blocked statement fail now: SQLite is interrupted, a socket is shut down."""
    with suppress(Exception):  # the work may have ended and the connection closed meanwhile
        if hasattr(dbapi_connection, "interrupt"):  # sqlite3
            dbapi_connection.interrupt()
            return
        with socket.socket(fileno=os.dup(dbapi_connection.pgconn.socket)) as sock:
            sock.shutdown(socket.SHUT_RDWR)


@contextmanager
def statement_deadline(connection: Connection, seconds: float) -> Iterator[None]:
    """Work on `connection` that outlasts `seconds` fails with a driver error instead of hanging."""
    timer = threading.Timer(seconds, _sever, [connection.connection.dbapi_connection])
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
