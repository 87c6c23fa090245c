"""The rows the API writes, typed: what its queue holds, the statements bind and the quarantine
keeps. Columns are read by name; the tables' column lists (names.py) are derived from these.

Plain Python (no SQLAlchemy): the serving process loads it.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from titanic_model import contract

RowErrors = list[dict[str, str]]
"""A rejected row's errors: field and message each."""


class PredictionRow(NamedTuple):
    """A row of the predictions table. `passenger` is the contract's recorded form (the values of
    contract.RECORDED_COLUMNS, in that order; all None for a rejected row)."""

    created_at: datetime
    request_id: str
    row_index: int
    model_version: str
    passenger: tuple[Any, ...]
    probability: float | None
    prediction: int | None
    errors: RowErrors | None
    prediction_id: str | None

    def column_values(self) -> list[Any]:
        """The values in PREDICTION_COLUMNS order, the passenger's spread out."""
        return [*self[:_PASSENGER_AT], *self.passenger, *self[_PASSENGER_AT + 1 :]]

    @classmethod
    def from_columns(cls, values: Mapping[str, Any]) -> "PredictionRow":
        """A row from column name -> value (a missing column is None): for tools and tests."""
        own: dict[str, Any] = {name: values.get(name) for name in cls._fields}
        own["passenger"] = tuple(values.get(name) for name in contract.RECORDED_COLUMNS)
        return cls(**own)


_PASSENGER_AT = PredictionRow._fields.index("passenger")

PREDICTION_COLUMNS = (
    *PredictionRow._fields[:_PASSENGER_AT],
    *contract.RECORDED_COLUMNS,
    *PredictionRow._fields[_PASSENGER_AT + 1 :],
)
"""The predictions table's columns (its generated id aside), in the order the row binds them."""


class OutcomeRow(NamedTuple):
    """A row of the outcomes table: what really happened to a scored passenger."""

    prediction_id: str
    survived: int
    received_at: datetime
