"""Inserting rows through a SQLAlchemy connection (tests, benchmarks, the replay): the same
statements as the API's writer (statements.py), on the connection's driver cursor."""

from collections.abc import Sequence
from contextlib import closing
from typing import Any

from sqlalchemy import Connection

from titanic_store import statements


def insert_rows(connection: Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Insert stored rows (tuples in names.COLUMNS order) in the connection's transaction."""
    with closing(connection.connection.cursor()) as cursor:
        statements.insert_predictions(cursor, connection.dialect.name, rows)


def insert_outcomes(connection: Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Insert outcome rows (names.OUTCOME_COLUMNS order); the first label per prediction wins."""
    with closing(connection.connection.cursor()) as cursor:
        statements.insert_outcomes(cursor, connection.dialect.name, rows)
