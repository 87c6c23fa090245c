"""The store's inputs of an accepted row are exactly what PassengerInput makes of the raw row.

The writer skips pydantic for rows already in PassengerInput's own form, so every kind of raw
value the package accepts is compared here with pydantic's own answer, value and type. And SQLite
gets every row of a batch, whatever its size, though it is split into statements of a few sizes.
"""

import gc
import json
import math
import tracemalloc
from typing import Any

import pytest
import sqlalchemy as sa

from app.store.records import prediction_ids, queued_bytes, stored_rows, validated_inputs
from titanic_model import make_prediction
from titanic_store import COLUMNS, insert_rows, metadata, predictions

RAW_ROWS: list[dict[str, Any]] = [
    {
        "pclass": 1,
        "sex": "female",
        "age": 29.0,
        "fare": 211.34,
        "embarked": "S",
        "name": "Allen, Miss. Elisabeth Walton",
        "cabin": "B5",
        "sibsp": 0,
        "parch": 0,
    },
    {"pclass": 3, "sex": "male"},  # every optional field missing
    {
        "pclass": 2,
        "sex": "male",
        "age": None,
        "fare": None,
        "embarked": None,
        "name": None,
        "cabin": None,
        "sibsp": None,
        "parch": None,
    },
    {"pclass": 2, "sex": "female", "age": 31, "fare": 26, "sibsp": 1, "parch": 2},  # ints
    {"pclass": 2.0, "sex": " Female ", "embarked": "s ", "sibsp": 1.0, "parch": 0.0},
    {"pclass": 3, "sex": "MALE", "age": "22.5", "fare": "7.25", "embarked": "q"},
    {
        "pclass": 1,
        "sex": "male",
        "age": math.nan,
        "fare": math.nan,
        "embarked": math.nan,
        "cabin": math.nan,
        "name": math.nan,
        "sibsp": math.nan,
    },
    {"pclass": 1, "sex": "female", "embarked": "", "ticket": "PC 17599", "boat": "2"},
    {"pclass": 3, "sex": "male", "name": "Doe, Rev. John", "cabin": "  c22 C26"},
]


INPUT_COLUMNS = ("pclass", "sex", "age", "sibsp", "parch", "fare", "embarked", "title", "deck")


def typed(values: dict[str, Any]) -> dict[str, tuple[type, Any]]:
    """Values with their types: 31 == 31.0 in Python, but the store must get the float."""
    return {name: (type(value), value) for name, value in values.items()}


@pytest.mark.parametrize("raw", RAW_ROWS, ids=range(len(RAW_ROWS)))
def test_stored_inputs_of_an_accepted_row_are_pydantics(raw: dict[str, Any]) -> None:
    result = make_prediction(input_data=[raw])
    assert result["errors"] is None, "the package must accept every row of this test"
    [row] = stored_rows(0.0, "req", [raw], result, prediction_ids(result))
    stored = dict(zip(COLUMNS, row, strict=True))
    expected = dict(zip(INPUT_COLUMNS, validated_inputs(raw), strict=True))
    assert typed({name: stored[name] for name in INPUT_COLUMNS}) == typed(expected)


@pytest.mark.parametrize("count", [1, 3, 255, 256, 257, 700])
def test_sqlite_gets_every_row_of_a_batch_in_order(count: int) -> None:
    raw = RAW_ROWS[0]
    result = make_prediction(input_data=[raw] * count)
    rows = stored_rows(1_700_000_000.25, "req", [raw] * count, result, prediction_ids(result))
    engine = sa.create_engine("sqlite://")
    try:
        with engine.begin() as connection:
            metadata.create_all(connection)
            insert_rows(connection, rows)
            stored = connection.execute(sa.select(predictions).order_by(predictions.c.id)).all()
    finally:
        engine.dispose()
    assert [row.row_index for row in stored] == list(range(count))
    assert {row.created_at.isoformat() for row in stored} == {"2023-11-14T22:13:20.250000"}
    assert {(row.title, row.deck, row.age) for row in stored} == {("Miss", "B", 29.0)}


def _memory_kept_by_stored_rows(raw_rows: list[dict[str, Any]]) -> tuple[int, int]:
    """(bytes still allocated once only the stored rows are left, their queued_bytes bound)."""
    body = json.dumps({"inputs": raw_rows})
    make_prediction(input_data=json.loads(body)["inputs"])  # warm: caches are not the rows'
    gc.collect()
    tracemalloc.start()
    try:
        rows = json.loads(body)["inputs"]  # fresh objects, as a request parses them
        result = make_prediction(input_data=rows)
        stored = stored_rows(
            1_700_000_000.0, "req-" + "0" * 60, rows, result, prediction_ids(result)
        )
        del rows, result
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return kept, queued_bytes(stored)


@pytest.mark.parametrize(
    "raw",
    [
        {**RAW_ROWS[0], "name": "Doe, Mrs. " + "J" * 100_000, "cabin": "ŉ" * 1000, "age": 0.5},
        {"pclass": 2.0, "sex": " Female ", "age": "22.5", "fare": "7.25", "embarked": "q"},
        {"pclass": 9, "sex": "x", "age": -1, "sibsp": -1, "parch": 99, "fare": -5, "embarked": "Z"},
    ],
    ids=["long text", "pydantic path", "every field rejected"],
)
def test_a_queued_row_holds_no_more_memory_than_its_bound(raw: dict[str, Any]) -> None:
    kept, bound = _memory_kept_by_stored_rows([raw] * 200)
    assert kept <= bound, f"{kept / 200:.0f} bytes per row kept, bound {bound / 200:.0f}"
