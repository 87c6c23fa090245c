"""Reads a window of the prediction store, through the store's own package (titanic_store).

Sized for production stores: counts and times are aggregated in SQL; the rows the drift test
compares, and the labelled rows the quality metrics use, are a random sample drawn in SQL when
the window holds more than the limit (the report then says it sampled). Only the probability of
every scored row is read in full: the estimated quality covers all of them.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from titanic_store.connection import driver_message
from titanic_store.engine import open_engine
from titanic_store.names import TABLE_NAME
from titanic_store.tables import outcomes, predictions

DRIFT_SAMPLE_ROWS = 50_000
"""Most rows the drift comparison reads: the distances' sampling noise at this size is a small
fraction of the thresholds (the 262 held-out rows alone sit 0.1 from the training data)."""
LABELLED_SAMPLE_ROWS = 20_000
"""Most labelled rows the quality metrics and their bootstrap read: the 1,000 resamples cost
time in proportion (100,000 rows: 35 s here), and at 20,000 the accuracy's interval is about
+-0.006 wide, a tenth of its tolerance."""


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


@dataclass(frozen=True)
class Window:
    """What the report needs of one window of the store."""

    rows: pd.DataFrame  # stored rows (every column), or a random sample of them
    total_rows: int
    scored_rows: int
    rejected_rows: int
    first_row_at: datetime
    last_row_at: datetime
    model_versions: dict[str, int]
    probabilities: npt.NDArray[np.float64]  # every scored row's
    labelled: pd.DataFrame  # probability, survived: scored rows with an outcome (or a sample)
    labelled_rows: int  # all scored rows with an outcome

    @property
    def sampled(self) -> bool:
        return len(self.rows) < self.total_rows

    @property
    def labelled_sampled(self) -> bool:
        return len(self.labelled) < self.labelled_rows


def _sample(query: sa.Select[Any], count: int, limit: int) -> sa.Select[Any]:
    """`query` itself, or `limit` of its rows drawn at random (SQLite and PostgreSQL's random())."""
    return query if count <= limit else query.order_by(sa.func.random()).limit(limit)


def _labelled(
    connection: sa.Connection, scored: sa.ColumnElement[bool], limit: int
) -> tuple[pd.DataFrame, int]:
    """The scored rows' probabilities with their outcomes (or a sample), and how many there are."""
    if not sa.inspect(connection).has_table(outcomes.name):  # a store from before outcomes
        return pd.DataFrame({"probability": [], "survived": []}), 0
    joined = predictions.join(outcomes, outcomes.c.prediction_id == predictions.c.prediction_id)
    count = connection.execute(
        sa.select(sa.func.count()).select_from(joined).where(scored)
    ).scalar_one()
    query = sa.select(predictions.c.probability, outcomes.c.survived).select_from(joined)
    return pd.read_sql(_sample(query.where(scored), count, limit), connection), count


def read_window(
    url: str,
    since: timedelta,
    now: datetime | None = None,
    drift_sample_rows: int = DRIFT_SAMPLE_ROWS,
    labelled_sample_rows: int = LABELLED_SAMPLE_ROWS,
) -> Window:
    """The rows answered within `since` before `now`."""
    start = (now or datetime.now(UTC)) - since
    try:
        engine = open_engine(url)  # connects to nothing yet
    except ValueError as error:
        raise StoreError(str(error)) from None
    _refuse_missing_sqlite_file(url)
    if engine.dialect.name == "sqlite":
        start = start.replace(tzinfo=None)  # SQLite keeps the API's UTC times without an offset
    in_window = predictions.c.created_at >= start
    scored = sa.and_(in_window, predictions.c.probability.is_not(None))
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(TABLE_NAME):
                raise StoreError(f"the store has no `{TABLE_NAME}` table: nothing recorded yet")
            total, scored_count, first, last = connection.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.count(predictions.c.probability),
                    sa.func.min(predictions.c.created_at),
                    sa.func.max(predictions.c.created_at),
                ).where(in_window)
            ).one()
            if not total:
                raise StoreError(f"no rows in the store since {start:%Y-%m-%d %H:%M} UTC")
            versions = connection.execute(
                sa.select(predictions.c.model_version, sa.func.count())
                .where(in_window)
                .group_by(predictions.c.model_version)
            ).all()
            rows = pd.read_sql(
                _sample(sa.select(predictions).where(in_window), total, drift_sample_rows),
                connection,
            ).sort_values("id", ignore_index=True)
            probabilities = np.array(  # fetched at once: row by row is ten times slower
                connection.execute(sa.select(predictions.c.probability).where(scored))
                .scalars()
                .all(),
                dtype=float,
            )
            labelled, labelled_count = _labelled(connection, scored, labelled_sample_rows)
    except sa.exc.SQLAlchemyError as error:
        reason = driver_message(error)
        raise StoreError(f"cannot read the prediction store: {reason}") from error
    finally:
        engine.dispose()
    rows["errors"] = rows["errors"].map(_parsed_errors)
    return Window(
        rows=rows,
        total_rows=total,
        scored_rows=scored_count,
        rejected_rows=total - scored_count,
        first_row_at=first,
        last_row_at=last,
        model_versions={str(version): count for version, count in versions},
        probabilities=probabilities,
        labelled=labelled,
        labelled_rows=labelled_count,
    )


def _parsed_errors(value: object) -> list[dict[str, str]] | None:
    """The JSON column comes back parsed (PostgreSQL) or as text (SQLite, reflected)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    parsed = json.loads(value) if isinstance(value, str) else value
    return parsed if isinstance(parsed, list) else None
