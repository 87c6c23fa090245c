"""The store's inputs of an accepted row are the values the model saw, in the contract's form.

Every kind of raw value the package accepts (ints for floats, padded or mixed-case categories,
NaN and empty text for missing) is checked against a hand-written expectation, value and type.
And SQLite gets every row of a batch, whatever its size, though it is split into statements of a
few sizes.
"""

import gc
import json
import math
import tracemalloc
from typing import Any

import pytest
import sqlalchemy as sa

from app.store.records import prediction_ids, queued_bytes, stored_rows
from titanic_model import contract, make_prediction
from titanic_store import names
from titanic_store.inserts import insert_rows
from titanic_store.names import COLUMNS
from titanic_store.tables import metadata, outcomes, predictions, quarantine

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
    {"pclass": 3, "sex": "MALE", "age": 22.5, "fare": 7.25, "embarked": "q"},
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


# By hand, per RAW_ROWS entry: pclass, sex, age, sibsp, parch, fare, embarked, title, deck.
EXPECTED_INPUTS: list[tuple[Any, ...]] = [
    (1, "female", 29.0, 0, 0, 211.34, "S", "Miss", "B"),
    (3, "male", None, 0, 0, None, None, "Unknown", "Unknown"),
    (2, "male", None, 0, 0, None, None, "Unknown", "Unknown"),
    (2, "female", 31.0, 1, 2, 26.0, None, "Unknown", "Unknown"),
    (2, "female", None, 1, 0, None, "S", "Unknown", "Unknown"),
    (3, "male", 22.5, 0, 0, 7.25, "Q", "Unknown", "Unknown"),
    (1, "male", None, 0, 0, None, None, "Unknown", "Unknown"),
    (1, "female", None, 0, 0, None, None, "Unknown", "Unknown"),
    (3, "male", None, 0, 0, None, None, "Rare", "C"),
]

INPUT_COLUMNS = contract.RECORDED_COLUMNS


def typed(values: dict[str, Any]) -> dict[str, tuple[type, Any]]:
    """Values with their types: 31 == 31.0 in Python, but the store must get the float."""
    return {name: (type(value), value) for name, value in values.items()}


def test_the_table_records_the_passenger_contracts_columns() -> None:
    """The store's own declaration of the table, read back from the database, is the contract's
    recorded form between the row's bookkeeping and its answer."""
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.connect() as connection:
        created = [column["name"] for column in sa.inspect(connection).get_columns("predictions")]
    bookkeeping = ["id", "created_at", "request_id", "row_index", "model_version"]
    answer = ["probability", "prediction", "errors", "prediction_id"]
    assert created == [*bookkeeping, *contract.RECORDED_COLUMNS, *answer]
    [recorded] = make_prediction(input_data=RAW_ROWS[0], record=True)["recorded"]
    assert recorded is not None
    assert len(recorded) == len(contract.RECORDED_COLUMNS)


@pytest.mark.parametrize(
    ("declared", "written"),
    [
        (predictions, names.COLUMNS),
        (outcomes, names.OUTCOME_COLUMNS),
        (quarantine, names.QUARANTINE_COLUMNS),
    ],
    ids=["predictions", "outcomes", "quarantine"],
)
def test_the_writers_column_names_are_the_declared_tables(
    declared: sa.Table, written: tuple[str, ...]
) -> None:
    """The API writes by names.py's names (no SQLAlchemy in the serving process): they must be
    the declared table's columns, in order, its generated id aside."""
    assert tuple(column.name for column in declared.columns if column.name != "id") == written


@pytest.mark.parametrize(
    ("raw", "expected_inputs"),
    zip(RAW_ROWS, EXPECTED_INPUTS, strict=True),
    ids=range(len(RAW_ROWS)),
)
def test_stored_inputs_of_an_accepted_row_are_what_the_model_saw(
    raw: dict[str, Any], expected_inputs: tuple[Any, ...]
) -> None:
    result = make_prediction(input_data=[raw], record=True)
    assert result["errors"] is None, "the package must accept every row of this test"
    [row] = stored_rows(0.0, "req", result, prediction_ids(result, 0.0))
    stored = dict(zip(COLUMNS, row.column_values(), strict=True))
    expected = dict(zip(INPUT_COLUMNS, expected_inputs, strict=True))
    assert typed({name: stored[name] for name in INPUT_COLUMNS}) == typed(expected)


def test_prediction_ids_lead_with_the_answer_time_so_later_ids_sort_after() -> None:
    result = make_prediction(input_data=[RAW_ROWS[0], {"pclass": 9}, *RAW_ROWS[:2]], record=True)
    earlier = prediction_ids(result, 1_700_000_000.25)
    later = prediction_ids(result, 1_700_000_000.26)

    assert earlier[1] is None, "a rejected row has no id"
    assert later[1] is None
    scored = [earlier[0], *earlier[2:], later[0], *later[2:]]
    assert all(isinstance(i, str) and len(i) == 32 and int(i, 16) >= 0 for i in scored)
    assert len(set(scored)) == 6
    assert {int(str(i)[:12], 16) for i in earlier if i} == {1_700_000_000_250}  # milliseconds
    assert max(i for i in earlier if i) < min(i for i in later if i)


@pytest.mark.parametrize("count", [1, 3, 255, 256, 257, 700])
def test_sqlite_gets_every_row_of_a_batch_in_order(count: int) -> None:
    raw = RAW_ROWS[0]
    result = make_prediction(input_data=[raw] * count, record=True)
    rows = stored_rows(1_700_000_000.25, "req", result, prediction_ids(result, 0.0))
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
    # warm: caches are not the rows'
    make_prediction(input_data=json.loads(body)["inputs"], record=True)
    gc.collect()
    tracemalloc.start()
    try:
        rows = json.loads(body)["inputs"]  # fresh objects, as a request parses them
        result = make_prediction(input_data=rows, record=True)
        ids = prediction_ids(result, 0.0)
        stored = stored_rows(1_700_000_000.0, "req-" + "0" * 60, result, ids)
        del rows, result, ids
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return kept, queued_bytes(stored)


@pytest.mark.parametrize(
    "raw",
    [
        {**RAW_ROWS[0], "name": "Doe, Mrs. " + "J" * 100_000, "cabin": "ŉ" * 1000, "age": 0.5},
        {"pclass": 2.0, "sex": " Female ", "age": 22.5, "fare": 7.25, "embarked": "q"},
        {"pclass": 9, "sex": "x", "age": -1, "sibsp": -1, "parch": 99, "fare": -5, "embarked": "Z"},
    ],
    ids=["long text", "pydantic path", "every field rejected"],
)
def test_a_queued_row_holds_no_more_memory_than_its_bound(raw: dict[str, Any]) -> None:
    kept, bound = _memory_kept_by_stored_rows([raw] * 200)
    assert kept <= bound, f"{kept / 200:.0f} bytes per row kept, bound {bound / 200:.0f}"
