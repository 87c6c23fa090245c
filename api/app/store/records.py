"""One answered request -> the store's rows: validated inputs, minimised, or the row's errors.

Runs in the writer thread, never on the request path.
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


def _inputs(raw: dict[str, Any]) -> dict[str, Any]:
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
