"""One answered request -> the store's rows: validated inputs, minimised, or the row's errors.

Runs in the writer thread, never on the request path, but it holds the GIL the event loop needs:
so a row the package accepted is not validated a second time by pydantic when its values are
already what PassengerInput would make of them (the usual JSON body); only the other rows
(strings to strip, 2.0 for 2, NaN for null ...) go through PassengerInput again.
"""

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, NamedTuple

from titanic_model import PassengerInput, PredictionResult, RowError, extract_deck, extract_title


class AnsweredRequest(NamedTuple):
    """What the predict route queues: the facts of one answer, nothing computed yet."""

    answered_at: float  # epoch seconds
    request_id: str
    rows: list[dict[str, Any]]
    result: PredictionResult


_PCLASSES = frozenset({1, 2, 3})
_SEXES = frozenset({"male", "female"})
_PORTS = frozenset({"C", "Q", "S"})


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


def _canonical_inputs(raw: dict[str, Any]) -> dict[str, Any]:
    """The stored inputs straight from the raw row; _RedoError if pydantic would change a value."""
    pclass, sex, embarked = raw.get("pclass"), raw.get("sex"), raw.get("embarked")
    if (
        type(pclass) is not int
        or pclass not in _PCLASSES
        or type(sex) is not str
        or sex not in _SEXES
        or (embarked is not None and (type(embarked) is not str or embarked not in _PORTS))
    ):
        raise _RedoError
    return {
        "pclass": pclass,
        "sex": sex,
        "age": _number(raw.get("age")),
        "sibsp": _count(raw.get("sibsp")),
        "parch": _count(raw.get("parch")),
        "fare": _number(raw.get("fare")),
        "embarked": embarked,
        "title": extract_title(_text(raw.get("name"))),
        "deck": extract_deck(_text(raw.get("cabin"))),
    }


def _inputs(raw: dict[str, Any]) -> dict[str, Any]:
    try:
        return _canonical_inputs(raw)
    except _RedoError:
        return validated_inputs(raw)


def validated_inputs(raw: dict[str, Any]) -> dict[str, Any]:
    """The stored inputs by way of the package's own validation: the reference for the fast path."""
    passenger = PassengerInput.model_validate(raw)
    return {
        "pclass": passenger.pclass,
        "sex": passenger.sex,
        "age": passenger.age,
        "sibsp": passenger.sibsp,
        "parch": passenger.parch,
        "fare": passenger.fare,
        "embarked": passenger.embarked,
        "title": extract_title(passenger.name),
        "deck": extract_deck(passenger.cabin),
    }


def _errors_by_row(errors: list[RowError] | None) -> dict[int, list[dict[str, str]]]:
    by_row: dict[int, list[dict[str, str]]] = defaultdict(list)
    for error in errors or ():
        if error["row"] is not None:
            by_row[error["row"]].append({"field": error["field"], "message": error["message"]})
    return by_row


def store_rows(request: AnsweredRequest) -> list[dict[str, Any]]:
    """One row per input row, in the table's columns."""
    answered_at = datetime.fromtimestamp(request.answered_at, UTC)
    result = request.result
    errors = _errors_by_row(result["errors"])
    rows = []
    for index, raw in enumerate(request.rows):
        row: dict[str, Any] = {
            "created_at": answered_at,
            "request_id": request.request_id,
            "row_index": index,
            "model_version": result["version"],
            "probability": result["probabilities"][index],
            "prediction": result["predictions"][index],
            "errors": errors.get(index),
        }
        row.update(_EMPTY_INPUTS if index in errors else _inputs(raw))
        rows.append(row)
    return rows


_EMPTY_INPUTS: dict[str, Any] = dict.fromkeys(
    ("pclass", "sex", "age", "sibsp", "parch", "fare", "embarked", "title", "deck")
)
