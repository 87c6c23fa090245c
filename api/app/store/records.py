"""One answer -> the store's rows: validated inputs, minimised and storable, or the row's errors.

Built where the answer is made (in the worker thread for offloaded batches), so that the queue
holds only this stored form: a tuple of small values per row, never the raw input (a 1 MB name
becomes its title). Text is made storable here, the same way for every database: NUL and lone
surrogates become U+FFFD. The answer the client got is not changed by it.

The inputs are stored in the passenger contract's recorded form
(titanic_model.contract.RECORDED_COLUMNS).
"""

import re
import secrets
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from titanic_model import PassengerInput, PredictionResult, RowError, contract

StoredRow = tuple[Any, ...]
"""The values of titanic_store.COLUMNS (the predictions table's), in that order."""
OutcomeRow = tuple[str, int, datetime]
"""The values of titanic_store.OUTCOME_COLUMNS: prediction id, survived, received at."""

# What one queued row costs in memory, as an upper bound the tests check with tracemalloc: the
# tuple, its floats and strings (title and deck are at most a few characters, the prediction id
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


def stored_inputs(raw: dict[str, Any]) -> tuple[Any, ...]:
    """The contract's recorded form of a row, by the package's own validation (PassengerInput):
    the values as the model saw them, derived text (title, deck) made storable."""
    values = PassengerInput.model_validate(raw).__dict__
    return (
        *(values[name] for name in contract.RECORDED_INPUTS),
        *(storable(how.rule(values[how.source])) for how in contract.DERIVED.values()),
    )


def _errors_by_row(errors: list[RowError] | None) -> dict[int, list[dict[str, str]]]:
    by_row: dict[int, list[dict[str, str]]] = defaultdict(list)
    for error in errors or ():
        if error["row"] is not None:
            by_row[error["row"]].append(
                {"field": storable(error["field"]), "message": storable(error["message"])}
            )
    return by_row


def prediction_ids(result: PredictionResult) -> list[str | None]:
    """A fresh random id per scored row (None for a rejected one): unguessable, and unique across
    workers and replicas without coordination (128 bits)."""
    return [None if label is None else secrets.token_hex(16) for label in result["predictions"]]


def stored_rows(
    answered_at: float,
    request_id: str,
    raw_rows: list[dict[str, Any]],
    result: PredictionResult,
    ids: list[str | None],
) -> list[StoredRow]:
    """One row per input row, in the table's COLUMNS order.

    A row the store cannot read although the package scored it is still recorded, with its
    answer and an error that says so: every answered row gets a row in the store.
    """
    created_at = datetime.fromtimestamp(answered_at, UTC)
    version = result["version"]
    errors = _errors_by_row(result["errors"])
    predictions, probabilities = result["predictions"], result["probabilities"]
    rows = []
    for index, raw in enumerate(raw_rows):
        row_errors = errors.get(index)
        inputs = _NO_INPUTS
        if row_errors is None:
            try:
                inputs = stored_inputs(raw)
            except Exception as error:  # any failure is recorded, not raised
                row_errors = [
                    {"field": "record", "message": f"not storable: {type(error).__name__}"}
                ]
        rows.append(
            (
                created_at,
                request_id,
                index,
                version,
                *inputs,
                probabilities[index],
                predictions[index],
                row_errors,
                ids[index],
            )
        )
    return rows


_ERRORS_AT = -2  # the errors column, before the prediction id


def queued_bytes(rows: list[StoredRow]) -> int:
    """The memory `rows` hold while queued, by the bounds above."""
    return len(rows) * ROW_BYTES + sum(ERRORS_BYTES for row in rows if row[_ERRORS_AT] is not None)
