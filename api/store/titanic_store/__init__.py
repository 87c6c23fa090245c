"""The Titanic API's prediction store: tables, migrations, and how to open the database."""

from titanic_store.engine import database_url, driver_message, open_engine, statement_deadline
from titanic_store.inserts import insert_rows
from titanic_store.outcomes import (
    OUTCOME_COLUMNS,
    insert_outcomes,
    known_predictions,
    recorded_outcomes,
)
from titanic_store.schema import HEAD_REVISION, SchemaBehindError, schema_status, upgrade
from titanic_store.tables import (
    COLUMNS,
    TABLE_NAME,
    metadata,
    outcomes,
    predictions,
    quarantine,
)

__all__ = [
    "COLUMNS",
    "HEAD_REVISION",
    "OUTCOME_COLUMNS",
    "TABLE_NAME",
    "SchemaBehindError",
    "database_url",
    "driver_message",
    "insert_outcomes",
    "insert_rows",
    "known_predictions",
    "metadata",
    "open_engine",
    "outcomes",
    "predictions",
    "quarantine",
    "recorded_outcomes",
    "schema_status",
    "statement_deadline",
    "upgrade",
]
