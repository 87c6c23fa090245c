"""Opening the store with its driver alone (sqlite3 or psycopg): the API's connections.

The API's writer and its outcome look-ups run in the serving process, where SQLAlchemy would cost
memory and start-up for a handful of fixed statements; nothing here imports it. The URL rule is
shared with the SQLAlchemy engines (engine.py) of the migrations and the report.
"""

import os
import re
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

# Railway's postgres:// and a bare postgresql:// are opened with psycopg 3.
POSTGRES_URL = re.compile(r"postgres(?:ql)?(?:\+psycopg)?://")
SQLITE_URL = re.compile(r"sqlite(?:\+pysqlite)?://(?:/(?P<path>[^?]*))?(?:\?.*)?$")

Result = TypeVar("Result")


def sqlalchemy_url(url: str) -> str:
    """`url` as SQLAlchemy should open it: PostgreSQL through psycopg 3."""
    start = POSTGRES_URL.match(url)
    return url if start is None else "postgresql+psycopg://" + url[start.end() :]


def backend(url: str) -> str:
    """ "sqlite" or "postgresql"; ValueError for any other URL (never quoting it: a password)."""
    if SQLITE_URL.match(url):
        return "sqlite"
    if POSTGRES_URL.match(url):
        return "postgresql"
    raise ValueError("the store's URL is neither sqlite:/// nor postgresql://")


def sqlite_path(url: str) -> str:
    """The database file of a sqlite:/// URL (":memory:" for sqlite://)."""
    match = SQLITE_URL.match(url)
    if match is None:
        raise ValueError("not a sqlite:/// URL")
    return match["path"] or ":memory:"


def postgres_timeouts(connect_timeout_s: float, statement_timeout_s: float) -> dict[str, Any]:
    """libpq's bounds: connect_timeout for connecting, statement_timeout for a statement the
    server runs too long, tcp_user_timeout for a host that stopped acknowledging. A server that
    accepts but never answers (a hung process) is cut off by `statement_deadline`."""
    return {
        "connect_timeout": max(1, round(connect_timeout_s)),
        "options": f"-c statement_timeout={round(statement_timeout_s * 1000)}",
        "tcp_user_timeout": round(statement_timeout_s * 1000),
    }


def connect(
    url: str, connect_timeout_s: float, statement_timeout_s: float, *, create_directory: bool
) -> Any:
    """A driver connection whose waits are bounded; SQLite in WAL mode (its busy timeout is the
    statement timeout), its file's directory created when `create_directory`."""
    postgres = POSTGRES_URL.match(url)
    if postgres is not None:
        import psycopg  # only a PostgreSQL store loads it

        timeouts = postgres_timeouts(connect_timeout_s, statement_timeout_s)
        return psycopg.connect("postgresql://" + url[postgres.end() :], **timeouts)
    path = sqlite_path(url)
    if create_directory and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # the writer's thread uses it; `close` may run on another, and `interrupt` always does
    connection = sqlite3.connect(path, timeout=statement_timeout_s, check_same_thread=False)
    set_wal_mode(connection)
    return connection


def set_wal_mode(connection: Any) -> None:
    """WAL: the report can read while the API writes; NORMAL sync is safe with WAL."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def in_transaction(connection: Any, work: Callable[[Any], Result]) -> Result:
    """`work(cursor)` committed, or rolled back and its error raised."""
    cursor = connection.cursor()
    try:
        result = work(cursor)
        connection.commit()
        return result
    except BaseException:
        with suppress(Exception):  # a lost connection cannot roll back; is_outage says so
            connection.rollback()
        raise
    finally:
        with suppress(Exception):
            cursor.close()


def close(connection: Any) -> None:
    with suppress(Exception):  # it may be broken already: that is why it is closed
        connection.close()


def _sever(connection: Any) -> None:
    """Make a blocked statement fail now: SQLite is interrupted, a socket is shut down."""
    with suppress(Exception):  # the work may have ended and the connection closed meanwhile
        if isinstance(connection, sqlite3.Connection):
            connection.interrupt()
            return
        with socket.socket(fileno=os.dup(connection.pgconn.socket)) as sock:
            sock.shutdown(socket.SHUT_RDWR)


@contextmanager
def statement_deadline(connection: Any, seconds: float) -> Iterator[None]:
    """Work on `connection` that outlasts `seconds` fails with a driver error instead of hanging
    (a server that accepts but never answers is not cut off by its own statement timeout)."""
    timer = threading.Timer(seconds, _sever, [connection])
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def driver_message(error: BaseException) -> str:
    """The driver's own message, first line only: never the SQL, its parameters (passengers) or
    the URL (a password). SQLAlchemy's wrapped errors give their driver's (`orig`)."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def is_outage(error: BaseException, connection: Any) -> bool:
    """The database, not the rows: unreachable, timed out, interrupted, locked or full (PEP 249's
    OperationalError and InterfaceError, and the socket's own errors), or a connection that is
    lost, whatever its error said."""
    outages: list[type[BaseException]] = [OSError, sqlite3.OperationalError, sqlite3.InterfaceError]
    psycopg = sys.modules.get("psycopg")  # loaded when the store is PostgreSQL
    if psycopg is not None:
        outages += [psycopg.OperationalError, psycopg.InterfaceError]
    if isinstance(error, tuple(outages)):
        return True
    return bool(getattr(connection, "broken", False) or getattr(connection, "closed", False))
