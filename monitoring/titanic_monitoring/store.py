"""Reads a window of the prediction store, through the store's own package (titanic_store)."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from titanic_store import TABLE_NAME, open_engine, predictions


class StoreError(Exception):
    """The store cannot be read: unreachable, no table, or nothing in the window."""


def _refuse_missing_sqlite_file(url: str) -> None:
    """SQLite creates a database file on connect; a report must not leave an empty one behind."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    if not Path(parsed.database).exists():
        raise StoreError(
            f"no prediction store at {parsed.database} (the file does not exist; `make run` "
            "creates it)"
        )


def read_window(url: str, since: timedelta, now: datetime | None = None) -> pd.DataFrame:
    """Every stored row answered within `since` before `now`, oldest first."""
    start = (now or datetime.now(UTC)) - since
    _refuse_missing_sqlite_file(url)
    engine = open_engine(url)
    if engine.dialect.name == "sqlite":
        start = start.replace(tzinfo=None)  # SQLite keeps the API's UTC times without an offset
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(TABLE_NAME):
                raise StoreError(f"the store has no `{TABLE_NAME}` table: nothing recorded yet")
            query = (
                sa.select(predictions)
                .where(predictions.c.created_at >= start)
                .order_by(predictions.c.id)
            )
            frame = pd.read_sql(query, connection)
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise StoreError(f"cannot read the prediction store: {reason}") from error
    finally:
        engine.dispose()
    if frame.empty:
        raise StoreError(f"no rows in the store since {start:%Y-%m-%d %H:%M} UTC")
    frame["errors"] = frame["errors"].map(_parsed_errors)
    return frame


def _parsed_errors(value: object) -> list[dict[str, str]] | None:
    """The JSON column comes back parsed (PostgreSQL) or as text (SQLite, reflected)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    parsed = json.loads(value) if isinstance(value, str) else value
    return parsed if isinstance(parsed, list) else None
