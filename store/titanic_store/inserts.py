"""Inserting rows through a SQLAlchemy connection (tests, benchmarks, the replay): the same
statements as the API's writer (statements.py), on the connection's driver cursor."""

from collections.abc import Sequence
from contextlib import closing

from sqlalchemy import Connection

from titanic_store import statements
from titanic_store.rows import OutcomeRow, PredictionRow


def insert_rows(connection: Connection, rows: Sequence[PredictionRow]) -> None:
    """Insert prediction rows in the connection's transaction."""
    with closing(connection.connection.cursor()) as cursor:
        statements.insert_predictions(cursor, connection.dialect.name, rows)


def insert_outcomes(connection: Connection, rows: Sequence[OutcomeRow]) -> None:
    """Insert outcome rows; the first label per prediction wins."""
    with closing(connection.connection.cursor()) as cursor:
        statements.insert_outcomes(cursor, connection.dialect.name, rows)
