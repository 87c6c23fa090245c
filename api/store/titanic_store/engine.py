"""Opening the store's database: one URL rule, bounded waits, SQLite in WAL mode."""

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url


def database_url(url: str) -> URL:
    """`url` as SQLAlchemy should open it: Railway's postgres:// and postgresql:// use psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def driver_message(error: BaseException) -> str:
    """The driver's own message, first line only: never the SQL, its parameters (passengers) or
    the URL (a password)."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    """WAL: the report can read while the API writes; NORMAL sync is safe with WAL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_engine(
    url: str,
    connect_timeout_s: float = 10.0,
    statement_timeout_s: float = 600.0,
    *,
    create_directory: bool = False,
) -> Engine:
    """An engine for `url` whose waits are bounded; SQLite in WAL mode, its file's directory
    created when `create_directory` (the writer's; a reader must not create an empty store).

    PostgreSQL: connect_timeout for connecting, statement_timeout for a statement the server runs
    too long, tcp_user_timeout for a host that stopped acknowledging. A server that accepts but
    never answers (a hung process) is cut off by `statement_deadline`. No pre-ping: the writer
    disposes of the engine after any outage, and a ping could hang like any statement.
    """
    parsed = database_url(url)
    if parsed.get_backend_name() != "sqlite":
        timeouts = {
            "connect_timeout": max(1, round(connect_timeout_s)),
            "options": f"-c statement_timeout={round(statement_timeout_s * 1000)}",
            "tcp_user_timeout": round(statement_timeout_s * 1000),
        }
        return create_engine(parsed, pool_size=1, max_overflow=0, connect_args=timeouts)
    if create_directory and parsed.database and parsed.database != ":memory:":
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
