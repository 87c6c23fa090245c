"""Rows written into a real prediction store through the store package (titanic_store), as the
API writes them: what the traffic replay and the retraining tests read back."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from titanic_model import PassengerInput, extract_deck, extract_title
from titanic_store.engine import open_engine
from titanic_store.ids import new_ids
from titanic_store.inserts import insert_outcomes, insert_rows
from titanic_store.rows import OutcomeRow, PredictionRow
from titanic_store.schema import upgrade

REJECTED_ERRORS = [{"row": 0, "field": "pclass", "message": "Input should be 1, 2 or 3"}]


def stored_inputs(record: dict[str, Any]) -> dict[str, Any]:
    """What the API keeps of a valid row: the validated inputs, the name and cabin minimised."""
    passenger = PassengerInput.model_validate(record).model_dump()
    minimised = {key: value for key, value in passenger.items() if key not in ("name", "cabin")}
    return {
        **minimised,
        "title": extract_title(passenger["name"]),
        "deck": extract_deck(passenger["cabin"]),
    }


def stored_row(values: dict[str, Any]) -> PredictionRow:
    return PredictionRow.from_columns(values)


def write_traffic(
    url: str,
    records: Sequence[dict[str, Any]],
    truth: Sequence[int | None],
    *,
    rejected: int = 0,
    age: timedelta = timedelta(hours=1),
) -> list[str]:
    """Store `records` as scored rows answered `age` ago (outcomes where `truth` has one) and
    `rejected` rejected rows; return the prediction ids, in the order of `records` (ids as the
    API makes them, one millisecond apart: the later a record, the larger its id)."""
    created_at = datetime.now(UTC) - age
    start = created_at.timestamp()
    ids = [new_ids(1, start + i / 1000)[0] for i in range(len(records))]
    common = {"created_at": created_at, "request_id": "recorded", "model_version": "0.0.0"}
    rows = [
        stored_row(
            {
                **common,
                **stored_inputs(record),
                "row_index": i,
                "probability": 0.5,
                "prediction": 0,
                "prediction_id": prediction_id,
            }
        )
        for i, (record, prediction_id) in enumerate(zip(records, ids, strict=True))
    ]
    rows += [
        stored_row({**common, "row_index": i, "errors": REJECTED_ERRORS}) for i in range(rejected)
    ]
    labelled = [
        OutcomeRow(prediction_id, label, created_at)
        for prediction_id, label in zip(ids, truth, strict=True)
        if label is not None
    ]
    engine = open_engine(url, create_directory=True)
    try:
        with engine.begin() as connection:
            upgrade(connection)
            insert_rows(connection, rows)
            if labelled:
                insert_outcomes(connection, labelled)
    finally:
        engine.dispose()
    return ids
