"""The prediction store's tables (SQLAlchemy Core): what the migrations must produce.

Data minimisation: a passenger's name is kept only as the title the model uses, the cabin only as
its deck. A rejected row keeps its errors and no inputs. A row the database refused even alone is
kept in the quarantine table, as JSON text, with the reason.

A change here needs a migration (README.md); the tests check that the two agree.
"""

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

TABLE_NAME = "predictions"

metadata = MetaData()
predictions = Table(
    TABLE_NAME,
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("request_id", String(128), nullable=False),
    Column("row_index", Integer, nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("pclass", SmallInteger),
    Column("sex", String(8)),
    Column("age", Float),
    Column("sibsp", SmallInteger),
    Column("parch", SmallInteger),
    Column("fare", Float),
    Column("embarked", String(1)),
    Column("title", String(16)),
    Column("deck", String(16)),
    Column("probability", Float),
    Column("prediction", SmallInteger),
    Column("errors", JSON(none_as_null=True)),
    # The id the answer gave a scored row (32 hex characters, random): what outcomes refer to.
    # None for a rejected row, and for rows stored before ids existed.
    Column("prediction_id", String(32), unique=True),
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("prediction_id", String(32), nullable=False, unique=True),
    Column("survived", SmallInteger, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

quarantine = Table(
    "prediction_quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("quarantined_at", DateTime(timezone=True), nullable=False),
    Column("request_id", String(128)),
    Column("row_index", Integer),
    Column("reason", String(300), nullable=False),
    Column("row", Text, nullable=False),  # ASCII JSON of the refused row (escapes included)
)

COLUMNS = tuple(column.name for column in predictions.columns if column.name != "id")
"""A stored row is a tuple of these values, in this order (app/store/records.py builds them)."""
