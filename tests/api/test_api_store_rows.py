"""The store's inputs of an accepted row are exactly what PassengerInput makes of the raw row.

The writer skips pydantic for rows already in PassengerInput's own form, so every kind of raw
value the package accepts is compared here with pydantic's own answer, value and type.
"""

import math
from typing import Any

import pytest

from app.store.records import AnsweredRequest, store_rows
from titanic_model import PassengerInput, extract_deck, extract_title, make_prediction

RAW_ROWS: list[dict[str, Any]] = [
    {"pclass": 1, "sex": "female", "age": 29.0, "fare": 211.34, "embarked": "S",
     "name": "Allen, Miss. Elisabeth Walton", "cabin": "B5", "sibsp": 0, "parch": 0},
    {"pclass": 3, "sex": "male"},  # every optional field missing
    {"pclass": 2, "sex": "male", "age": None, "fare": None, "embarked": None, "name": None,
     "cabin": None, "sibsp": None, "parch": None},
    {"pclass": 2, "sex": "female", "age": 31, "fare": 26, "sibsp": 1, "parch": 2},  # ints
    {"pclass": 2.0, "sex": " Female ", "embarked": "s ", "sibsp": 1.0, "parch": 0.0},
    {"pclass": 3, "sex": "MALE", "age": "22.5", "fare": "7.25", "embarked": "q"},
    {"pclass": 1, "sex": "male", "age": math.nan, "fare": math.nan, "embarked": math.nan,
     "cabin": math.nan, "name": math.nan, "sibsp": math.nan},
    {"pclass": 1, "sex": "female", "embarked": "", "ticket": "PC 17599", "boat": "2"},
    {"pclass": 3, "sex": "male", "name": "Doe, Rev. John", "cabin": "  c22 C26"},
]


def pydantic_inputs(raw: dict[str, Any]) -> dict[str, Any]:
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


def typed(values: dict[str, Any]) -> dict[str, tuple[type, Any]]:
    """Values with their types: 31 == 31.0 in Python, but the store must get the float."""
    return {name: (type(value), value) for name, value in values.items()}


@pytest.mark.parametrize("raw", RAW_ROWS, ids=range(len(RAW_ROWS)))
def test_stored_inputs_of_an_accepted_row_are_pydantics(raw: dict[str, Any]) -> None:
    result = make_prediction(input_data=[raw])
    assert result["errors"] is None, "the package must accept every row of this test"
    [row] = store_rows(AnsweredRequest(0.0, "req", [raw], result))
    stored = {name: row[name] for name in pydantic_inputs(raw)}
    assert typed(stored) == typed(pydantic_inputs(raw))
