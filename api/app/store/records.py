"""One answer -> the store's rows: the recorded inputs, storable, or the row's errors.

Built where the answer is made (in the worker thread for offloaded batches), so that the queue
holds only this stored form: a few small values per row, never the raw input (a 1 MB name
becomes its title). The inputs are the passenger contract's recorded form as the package scored
them (make_prediction(..., record=True)): nothing is validated or derived again here. Text is made
storable here, the same way for every database: NUL and lone surrogates become U+FFFD. The answer
the client got is not changed by it.
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from titanic_model import PredictionResult, RowError, contract
from titanic_store.ids import new_ids
from titanic_store.rows import PredictionRow, RowErrors

# What one queued row costs in memory, as an upper bound the tests check with tracemalloc: the
# row, its floats and strings (title and deck are at most a few characters, the prediction id
# 32), plus its errors.
ROW_BYTES = 768
ERRORS_BYTES = 2048
OUTCOME_BYTES = 256

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NO_INPUTS = (None,) * len(contract.RECORDED_COLUMNS)


def storable(text: str) -> str:
    """Text every database takes: NUL (refused by PostgreSQL) and lone surrogates (refused by
    every UTF-8 encoder) become U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def _storable_inputs(recorded: tuple[Any, ...]) -> tuple[Any, ...]:
    """A recorded form with its text made storable: the same tuple when it already is (the
    derived text, a deck letter, is taken from free text the client sent)."""
    if any(type(value) is str and _UNSTORABLE.search(value) for value in recorded):
        return tuple(storable(value) if type(value) is str else value for value in recorded)
    return recorded


def _errors_by_row(errors: list[RowError] | None) -> dict[int, RowErrors]:
    by_row: dict[int, RowErrors] = defaultdict(list)
    for error in errors or ():
        if error["row"] is not None:
            by_row[error["row"]].append(
                {"field": storable(error["field"]), "message": storable(error["message"])}
            )
    return by_row


def prediction_ids(result: PredictionResult, answered_at: float) -> list[str | None]:
    """A fresh id per scored row (None for a rejected one): time-ordered, with 80 random bits
    (titanic_store.ids)."""
    labels = result["predictions"]
    fresh = iter(new_ids(len(labels) - labels.count(None), answered_at))
    return [None if label is None else next(fresh) for label in labels]


def stored_rows(
    answered_at: float, request_id: str, result: PredictionResult, ids: list[str | None]
) -> list[PredictionRow]:
    """One row per input row, from a result made with record=True: a rejected row keeps its
    errors and no inputs."""
    created_at = datetime.fromtimestamp(answered_at, UTC)
    version = result["version"]
    errors = _errors_by_row(result["errors"])
    answers = zip(result["recorded"], result["probabilities"], result["predictions"], strict=True)
    return [
        PredictionRow(
            created_at,
            request_id,
            index,
            version,
            _NO_INPUTS if recorded is None else _storable_inputs(recorded),
            probability,
            prediction,
            errors.get(index),
            ids[index],
        )
        for index, (recorded, probability, prediction) in enumerate(answers)
    ]


def queued_bytes(rows: Sequence[PredictionRow]) -> int:
    """The memory `rows` hold while queued, by the bounds above."""
    return len(rows) * ROW_BYTES + sum(ERRORS_BYTES for row in rows if row.errors is not None)
