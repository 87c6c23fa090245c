"""The store's tables and columns by name, and the newest migration: what the API writes by.

No SQLAlchemy here (the API's writer uses these with its driver alone). tables.py declares the
same columns with their types for the migrations and the report; a test checks that they agree.
"""

from titanic_store.rows import PREDICTION_COLUMNS, OutcomeRow

TABLE_NAME = "predictions"
OUTCOMES_TABLE = "outcomes"
QUARANTINE_TABLE = "prediction_quarantine"
SHADOW_TABLE = "shadow_predictions"
"""A candidate's answers to mirrored rows, by the live row's id (docs/shadow.md): a table of
their own, so nothing that reads `predictions` (the live report, retraining) can count them."""

COLUMNS = PREDICTION_COLUMNS
"""The predictions table's columns, the passenger's recorded form among them (rows.py)."""

OUTCOME_COLUMNS = OutcomeRow._fields
"""The outcomes table's columns (rows.OutcomeRow)."""

QUARANTINE_COLUMNS = ("quarantined_at", "request_id", "row_index", "reason", "row")

HEAD_REVISION = "0005"
"""The newest migration's id (a test checks it against the migrations themselves)."""
VERSION_TABLE = "alembic_version"
