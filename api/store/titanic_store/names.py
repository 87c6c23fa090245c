"""The store's tables and columns by name, and the newest migration: what the API writes by.

No SQLAlchemy here (the API's writer uses these with its driver alone). tables.py declares the
same columns with their types for the migrations and the report; a test checks that they agree.
"""

from titanic_model import contract

TABLE_NAME = "predictions"
OUTCOMES_TABLE = "outcomes"
QUARANTINE_TABLE = "prediction_quarantine"

COLUMNS = (
    "created_at",
    "request_id",
    "row_index",
    "model_version",
    *contract.RECORDED_COLUMNS,  # the passenger's recorded form
    "probability",
    "prediction",
    "errors",
    "prediction_id",
)
"""A stored row is a tuple of these values, in this order (app/store/records.py builds them)."""

OUTCOME_COLUMNS = ("prediction_id", "survived", "received_at")
"""An outcome row is a tuple of these values, in this order."""

QUARANTINE_COLUMNS = ("quarantined_at", "request_id", "row_index", "reason", "row")

HEAD_REVISION = "0004"
"""The newest migration's id (a test checks it against the migrations themselves)."""
VERSION_TABLE = "alembic_version"
