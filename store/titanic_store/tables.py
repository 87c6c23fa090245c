"""The prediction store's tables (SQLAlchemy Core): what the migrations must produce.

Data minimisation: a passenger's name is kept only as the title the model uses, the cabin only as
its deck. A rejected row keeps its errors and no inputs. A row the database refused even alone is
kept in the quarantine table, as JSON text, with the reason.

The passenger's columns come from the passenger contract (titanic_model.contract): a field added
there becomes a column here, and needs a migration (README.md); the tests check that the declared
tables, the migrations and names.py agree.
"""

from typing import Any

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
from sqlalchemy.types import TypeEngine

from titanic_model import contract
from titanic_store.names import OUTCOMES_TABLE, QUARANTINE_TABLE, SHADOW_TABLE, TABLE_NAME

DERIVED_LENGTH = 16  # room for every derived category (a title, a deck letter)

metadata = MetaData()


def _input_type(name: str) -> TypeEngine[Any]:
    """The SQL type of a recorded input column, from the passenger contract's field."""
    match contract.field(name):
        case contract.Number():
            return Float()
        case contract.Count():
            return SmallInteger()
        case contract.Category(values=values) if isinstance(values[0], int):
            return SmallInteger()
        case contract.Category(values=values):
            return String(max(len(str(value)) for value in values))
        case declared:
            raise TypeError(f"{name} ({type(declared).__name__}) is not recorded as it is")


# The passenger's recorded form: the contract's recorded inputs, then its derived categories.
PASSENGER_COLUMNS = [
    *(Column(name, _input_type(name)) for name in contract.RECORDED_INPUTS),
    *(Column(name, String(DERIVED_LENGTH)) for name in contract.DERIVED),
]

predictions = Table(
    TABLE_NAME,
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("request_id", String(128), nullable=False),
    Column("row_index", Integer, nullable=False),
    Column("model_version", String(64), nullable=False),
    *PASSENGER_COLUMNS,
    Column("probability", Float),
    Column("prediction", SmallInteger),
    Column("errors", JSON(none_as_null=True)),
    # The id the answer gave a scored row (32 hex characters, random): what outcomes refer to.
    # None for a rejected row, and for rows stored before ids existed.
    Column("prediction_id", String(32), unique=True),
)

outcomes = Table(
    OUTCOMES_TABLE,
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("prediction_id", String(32), nullable=False, unique=True),
    Column("survived", SmallInteger, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

quarantine = Table(
    QUARANTINE_TABLE,
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("quarantined_at", DateTime(timezone=True), nullable=False),
    Column("request_id", String(128)),
    Column("row_index", Integer),
    Column("reason", String(300), nullable=False),
    Column("row", Text, nullable=False),  # ASCII JSON of the refused row (escapes included)
)

# A shadow candidate's answer to a mirrored row (docs/shadow.md): the live row's prediction id, not
# a foreign key (the live row may still be queued when the shadow's answer is written), and the
# candidate's own version; no inputs (the live row has them).
shadow_predictions = Table(
    SHADOW_TABLE,
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("live_prediction_id", String(32), nullable=False, index=True),
    Column("model_version", String(64), nullable=False),
    Column("probability", Float, nullable=False),
    Column("prediction", SmallInteger, nullable=False),
    Column("latency_ms", Float, nullable=False),
)
