"""Column-wise DataFrame validation accepts, rejects and words errors exactly as PassengerInput."""

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from titanic_model import contract
from titanic_model.processing.frame_validation import validate_frame
from titanic_model.processing.validation import validate_records

_anything = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.just(float("inf")),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(-10, 1e9, allow_nan=False),
    st.sampled_from(["male", "Female", "S", "q", "", "x", "1", "C85", "Doe, Mr. J"]),
)
_rows = st.lists(
    st.fixed_dictionaries(
        {},
        optional={field: _anything for field in contract.FIELD_NAMES},
    ),
    min_size=1,
    max_size=25,
)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return (a is None and b is None) or _is_nan(a) or _is_nan(b)
    return bool(a == b)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and np.isnan(value)


@settings(max_examples=150, deadline=None)
@given(_rows)
def test_frame_validation_matches_record_validation(rows: list[dict[str, Any]]) -> None:
    frame = pd.DataFrame(rows)
    # What a record looks like once it has been through a DataFrame (missing cells are NaN).
    records = frame.to_dict(orient="records")
    expected_valid, expected_errors = validate_records(records)

    positions, columns, errors = validate_frame(frame)

    assert positions.tolist() == [row for row, _ in expected_valid]
    assert sorted(errors, key=str) == sorted(expected_errors, key=str)
    for i, (_, values) in enumerate(expected_valid):
        for field, value in values.items():
            assert _same(columns[field][i], value), (field, columns[field][i], value)


def test_validation_does_not_modify_the_callers_frame() -> None:
    frame = pd.DataFrame(
        {"pclass": [1, 2], "sex": ["male", "Female"], "embarked": ["S", None], "sibsp": [None, 1]}
    )
    before = frame.copy()
    validate_frame(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_the_json_schema_states_every_range() -> None:
    """The API documents this schema: the bounds must be stated in it, not only enforced."""
    from titanic_model.processing.schemas import PassengerInput

    properties = PassengerInput.model_json_schema()["properties"]

    def bounds(field: str) -> tuple[object, object]:
        schema = properties[field]
        number = next((s for s in schema.get("anyOf", []) if s.get("type") == "number"), schema)
        return number.get("minimum"), number.get("maximum")

    assert bounds("age") == (0, 120)
    assert bounds("sibsp") == (0, 20)
    assert bounds("parch") == (0, 20)
    assert bounds("fare") == (0, None)
    assert properties["pclass"]["enum"] == [1, 2, 3]
