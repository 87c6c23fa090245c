"""SQLAlchemy engines on the store (migrations, the report, tools): bounded waits, WAL mode."""

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url

from titanic_store.connection import backend, postgres_timeouts, set_wal_mode, sqlalchemy_url


def database_url(url: str) -> URL:
    """`url` as SQLAlchemy should open it: Railway's postgres:// and postgresql:// use psycopg 3."""
    return make_url(sqlalchemy_url(url))


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    set_wal_mode(dbapi_connection)


def open_engine(
    url: str,
    connect_timeout_s: float = 10.0,
    statement_timeout_s: float = 600.0,
    *,
    create_directory: bool = False,
) -> Engine:
    """An engine for `url` whose waits are bounded (connection.postgres_timeouts, SQLite's busy
    timeout); SQLite in WAL mode, its file's directory created when `create_directory` (a
    reader must not create an empty store). No pre-ping: a ping could hang like any statement.
    Any other URL is a ValueError naming the two taken (never quoting it: a password)."""
    kind = backend(url)
    parsed = database_url(url)
    if kind != "sqlite":
        timeouts = postgres_timeouts(connect_timeout_s, statement_timeout_s)
        return create_engine(parsed, pool_size=1, max_overflow=0, connect_args=timeouts)
    if create_directory and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": statement_timeout_s})  # busy timeout
    event.listen(engine, "connect", _sqlite_wal)
    return engine
