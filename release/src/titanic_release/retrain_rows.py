"""Which labelled rows of the prediction store a retrained candidate may learn from.

The rows come from the traffic replay (titanic_release.traffic), so they are the model inputs the
gate replays. Two kinds are left out and counted: rows whose id appears more than once (which
copy's outcome would be the truth?) and rows whose stored inputs the passenger contract rejects
today. What is kept is written as a CSV snapshot whose sha256 the candidate's metadata records.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from titanic_model import PassengerInput
from titanic_release.inputs import INPUT_FIELDS, TARGET, InputSet

DUPLICATE_ID = "duplicate_id"
REJECTED_BY_CONTRACT = "rejected_by_contract"


@dataclass(frozen=True)
class TrainingRows:
    """The usable labelled rows, validated, and how many were left out and why."""

    row_ids: list[str]
    records: list[dict[str, Any]]
    truth: list[int]
    left_out: dict[str, int]


def usable_rows(inputs: InputSet) -> TrainingRows:
    """The labelled rows of `inputs` that appear once and that the contract accepts."""
    seen = Counter(inputs.row_ids)
    row_ids, records, truth = [], [], []
    left_out = {DUPLICATE_ID: 0, REJECTED_BY_CONTRACT: 0}
    for row_id, record, label in zip(inputs.row_ids, inputs.records, inputs.truth, strict=True):
        if label is None:
            continue
        if seen[row_id] > 1:
            left_out[DUPLICATE_ID] += 1
            continue
        try:
            passenger = PassengerInput.model_validate(record)
        except ValidationError:
            left_out[REJECTED_BY_CONTRACT] += 1
            continue
        row_ids.append(row_id)
        records.append(passenger.model_dump())
        truth.append(label)
    return TrainingRows(row_ids, records, truth, left_out)


def write_snapshot(rows: TrainingRows, path: Path) -> Path:
    """The rows as CSV: prediction_id, the contract's inputs, the outcome (empty = missing)."""
    frame = pd.DataFrame.from_records(rows.records, columns=list(INPUT_FIELDS))
    frame.insert(0, "prediction_id", [row_id.removeprefix("store:") for row_id in rows.row_ids])
    frame[TARGET] = rows.truth
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path
