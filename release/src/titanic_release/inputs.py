"""The fixed input set every model version is scored on: the held-out split plus edge cases.

The held-out rows carry the truth, so metric deltas can be computed; the edge cases exercise what
the held-out split rarely or never contains (missing values, unseen categories, extreme numbers),
which is where a lost preprocessing step shows first. The set is written to a JSON file that the
capture script reads on both sides, so baseline and candidate see byte-identical input.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from titanic_model import PassengerInput, reference_data

INPUT_FIELDS = tuple(PassengerInput.model_fields)
TARGET = "survived"
HELD_OUT = "held_out"
EDGE_CASE = "edge_case"

_TYPICAL = {
    "pclass": 3,
    "sex": "male",
    "age": 30.0,
    "sibsp": 0,
    "parch": 0,
    "fare": 8.05,
    "cabin": None,
    "embarked": "S",
    "name": "Doe, Mr. John",
}

# case name -> the fields that differ from a typical third-class passenger.
EDGE_CASES: dict[str, dict[str, Any]] = {
    "missing_age": {"age": None},
    "missing_age_first_class_woman": {
        "age": None,
        "pclass": 1,
        "sex": "female",
        "name": "Doe, Mrs. Jane",
        "fare": 80.0,
        "cabin": "C85",
    },
    "missing_fare": {"fare": None},
    "missing_fare_first_class": {"fare": None, "pclass": 1, "cabin": "B20"},
    "missing_age_and_fare": {"age": None, "fare": None},
    "only_required_fields": {
        "age": None,
        "fare": None,
        "cabin": None,
        "embarked": None,
        "name": None,
    },
    "missing_embarked": {"embarked": None, "sex": "female", "name": "Doe, Miss. Ann"},
    "missing_name": {"name": None},
    "name_without_title": {"name": "John Doe"},
    "unseen_title_admiral": {"name": "Doe, Admiral. John", "pclass": 1, "fare": 60.0},
    "unseen_title_woman": {"name": "Doe, Lady Dr. Jane", "sex": "female", "pclass": 2},
    "unseen_cabin_deck": {"cabin": "Z99", "pclass": 1, "fare": 50.0},
    "rare_cabin_deck_t": {"cabin": "T", "pclass": 1, "fare": 35.5},
    "zero_fare": {"fare": 0.0},
    "highest_training_fare": {"fare": 512.3292, "pclass": 1, "cabin": "B51 B53 B55"},
    "extreme_fare": {"fare": 5000.0, "pclass": 1},
    "extreme_fare_third_class": {"fare": 100000.0},
    "newborn": {"age": 0.0, "sibsp": 1, "parch": 2, "name": "Doe, Master. Jim"},
    "oldest_allowed_age": {"age": 120.0},
    "largest_family": {"sibsp": 20, "parch": 20},
}


@dataclass(frozen=True)
class InputSet:
    """Rows in a fixed order, with what each row is and, for held-out rows, the truth."""

    row_ids: list[str]
    subsets: list[str]
    records: list[dict[str, Any]]
    truth: list[int | None]

    def held_out_positions(self) -> list[int]:
        return [i for i, subset in enumerate(self.subsets) if subset == HELD_OUT]


def _plain(value: Any) -> Any:
    """NumPy scalars and NaN -> JSON-ready Python values (NaN becomes null)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def edge_case_records() -> dict[str, dict[str, Any]]:
    return {case: {**_TYPICAL, **changes} for case, changes in EDGE_CASES.items()}


def build_input_set() -> InputSet:
    held_out: pd.DataFrame = reference_data("held_out")
    row_ids = [f"titanic3:{index}" for index in held_out.index]
    subsets = [HELD_OUT] * len(held_out)
    records = [
        {field: _plain(row[field]) for field in INPUT_FIELDS}
        for row in held_out.to_dict(orient="records")
    ]
    truth: list[int | None] = [int(value) for value in held_out[TARGET]]
    for case, record in edge_case_records().items():
        row_ids.append(f"edge:{case}")
        subsets.append(EDGE_CASE)
        records.append(record)
        truth.append(None)
    return InputSet(row_ids, subsets, records, truth)


def write_input_file(inputs: InputSet, path: Path) -> Path:
    """What the capture script reads: row ids and records, nothing that depends on a version."""
    payload = {"row_ids": inputs.row_ids, "records": inputs.records}
    path.write_text(json.dumps(payload, allow_nan=False) + "\n", encoding="utf-8")
    return path
