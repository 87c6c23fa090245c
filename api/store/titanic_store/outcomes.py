"""Outcomes: what the API needs to know before it queues one, and how they are inserted."""

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from titanic_store.tables import outcomes, predictions

OUTCOME_COLUMNS = ("prediction_id", "survived", "received_at")
"""An outcome row is a tuple of these values, in this order."""


def known_predictions(connection: Connection, ids: Collection[str]) -> set[str]:
    """Those of `ids` that a stored prediction has."""
    query = select(predictions.c.prediction_id).where(predictions.c.prediction_id.in_(ids))
    return {row[0] for row in connection.execute(query)}


def recorded_outcomes(connection: Connection, ids: Collection[str]) -> dict[str, int]:
    """prediction id -> the label already recorded for it, for those of `ids` that have one."""
    query = select(outcomes.c.prediction_id, outcomes.c.survived).where(
        outcomes.c.prediction_id.in_(ids)
    )
    return {row[0]: row[1] for row in connection.execute(query)}


def insert_outcomes(connection: Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Insert outcome rows; one already recorded for the same prediction stays as it was (the
    first label wins, also between replicas that checked at the same time)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    values = [dict(zip(OUTCOME_COLUMNS, row, strict=True)) for row in rows]
    statement = dialect.insert(outcomes).on_conflict_do_nothing(index_elements=["prediction_id"])
    connection.execute(statement, values)
