"""One answer -> the store's rows: validated inputs, minimised and storable, or the row's errors.

Built where the answer is made (in the worker thread for offloaded batches), so that the queue
holds only this stored form: a tuple of small values per row, never the raw input (a 1 MB name
becomes its title). Text is made storable here, the same way for every database: NUL and lone
surrogates become U+FFFD. The answer the client got is not changed by it.

A row the package accepted is not validated a second time by pydantic when its values are
already what PassengerInput would make of them (the usual JSON body); only the other rows
(strings to strip, 2.0 for 2, NaN for null ...) go through PassengerInput again. Both ways give
the passenger contract's recorded form (titanic_model.contract.RECORDED_COLUMNS).
"""

import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping
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


class _RedoError(Exception):
    """A value not in PassengerInput's own form: pydantic must normalise the row."""


def _number(value: object) -> float | None:
    """An optional float field: None, a finite float, or an int (which pydantic makes a float)."""
    if value is None:
        return None
    if type(value) is float and value - value == 0.0:  # NaN and inf are not: pydantic decides
        return value
    if type(value) is int:
        return float(value)
    raise _RedoError


def _count(value: object) -> int:
    """sibsp/parch: an int, or 0 for a missing count."""
    if value is None:
        return 0
    if type(value) is int:
        return value
    raise _RedoError


def _text(value: object) -> str | None:
    if value is None or type(value) is str:
        return value
    raise _RedoError


def _category(declared: contract.Category) -> Callable[[object], object]:
    """A category exactly as PassengerInput spells it (1, not 1.0; "S", not "s")."""
    kind, allowed = type(declared.values[0]), frozenset(declared.values)

    def read(value: object) -> object:
        if value is None and not declared.required:
            return None
        if type(value) is kind and value in allowed:
            return value
        raise _RedoError

    return read


def _reader(declared: contract.Field) -> Callable[[object], object]:
    match declared:
        case contract.Number():
            return _number
        case contract.Count():
            return _count
        case contract.Category():
            return _category(declared)
        case contract.Text():
            return _text


_READERS = {declared.name: _reader(declared) for declared in contract.FIELDS}


def _recorded(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """The contract's recorded form of validated values, derived text made storable."""
    return (
        *(values[name] for name in contract.RECORDED_INPUTS),
        *(storable(how.rule(values[how.source])) for how in contract.DERIVED.values()),
    )


def _canonical_inputs(raw: dict[str, Any]) -> tuple[Any, ...]:
    """The stored inputs straight from the raw row; _RedoError if pydantic would change a value."""
    return _recorded({name: read(raw.get(name)) for name, read in _READERS.items()})


def validated_inputs(raw: dict[str, Any]) -> tuple[Any, ...]:
    """The stored inputs by way of the package's own validation: the reference for the fast path."""
    return _recorded(PassengerInput.model_validate(raw).__dict__)


def _inputs(raw: dict[str, Any]) -> tuple[Any, ...]:
    try:
        return _canonical_inputs(raw)
    except _RedoError:
        return validated_inputs(raw)


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
                inputs = _inputs(raw)
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
