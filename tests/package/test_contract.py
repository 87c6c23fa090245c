"""Every consumer of the passenger contract, read from its own code, agrees with the contract.

Each test builds one consumer's set of fields (or columns) the way that consumer sees it: the
JSON schema PassengerInput publishes, the columns frame validation returns, the columns batch
scoring parses as numbers, the features config.yml may name. The API's store and the monitoring
report are checked in their own suites (tests/api/test_api_store_rows.py, tests/monitoring).
"""

from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError

from titanic_model import PassengerInput, contract
from titanic_model.batch.scoring import BatchError, check_columns, model_frame
from titanic_model.config import FeaturesConfig
from titanic_model.processing.frame_validation import validate_frame

EXAMPLE = {declared.name: declared.example for declared in contract.FIELDS}


def _schema_properties() -> dict[str, Any]:
    properties: dict[str, Any] = PassengerInput.model_json_schema()["properties"]
    return properties


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of a nullable field's value: the anyOf member that is not null."""
    members = [member for member in schema.get("anyOf", [schema]) if member.get("type") != "null"]
    assert len(members) == 1, schema
    return members[0]


def test_passenger_input_has_the_contracts_fields_in_order() -> None:
    schema = PassengerInput.model_json_schema()
    assert list(schema["properties"]) == list(contract.FIELD_NAMES)
    assert schema["required"] == list(contract.REQUIRED_FIELDS)


def test_passenger_input_allows_the_contracts_categories() -> None:
    properties = _schema_properties()
    enums = {
        name: tuple(_not_null(schema)["enum"])
        for name, schema in properties.items()
        if "enum" in _not_null(schema)
    }
    assert enums == contract.CATEGORIES


def test_passenger_input_states_the_contracts_ranges() -> None:
    properties = _schema_properties()
    numeric = {
        name: (_not_null(schema).get("minimum"), _not_null(schema).get("maximum"))
        for name, schema in properties.items()
        if _not_null(schema).get("type") in ("number", "integer") and "enum" not in schema
    }
    declared = {
        field.name: (field.minimum, field.maximum)
        for field in contract.FIELDS
        if isinstance(field, contract.Number | contract.Count)
    }
    assert numeric == declared
    assert set(numeric) == set(contract.NUMERIC_FIELDS)


def test_passenger_input_accepts_the_contracts_examples_unchanged() -> None:
    assert PassengerInput.model_validate(EXAMPLE).model_dump() == EXAMPLE


BOUNDED = [field for field in contract.FIELDS if not isinstance(field, contract.Text)]


@pytest.mark.parametrize("declared", BOUNDED, ids=lambda field: field.name)
def test_out_of_contract_values_are_refused(declared: contract.Field) -> None:
    """Free text (contract.Text) has no value out of contract; every other field has."""
    match declared:
        case contract.Category(values=values):
            bad: object = "not one of them" if isinstance(values[0], int) else "?"
        case contract.Number(minimum=low) | contract.Count(minimum=low):
            bad = low - 1
    with pytest.raises(ValidationError) as caught:
        PassengerInput.model_validate({**EXAMPLE, declared.name: bad})
    assert [error["loc"][0] for error in caught.value.errors()] == [declared.name]


def test_frame_validation_returns_the_contracts_fields_numbers_as_floats() -> None:
    positions, columns, errors = validate_frame(pd.DataFrame([EXAMPLE, EXAMPLE]))
    assert errors == []
    assert positions.tolist() == [0, 1]
    assert list(columns) == list(contract.FIELD_NAMES)
    floats = {name for name, values in columns.items() if values.dtype.kind == "f"}
    assert floats == set(contract.NUMERIC_FIELDS)


def test_frame_validation_refuses_out_of_category_values_of_each_category() -> None:
    for name, values in contract.CATEGORIES.items():
        outsider = max(values) + 1 if isinstance(values[0], int) else "?"
        frame = pd.DataFrame([EXAMPLE, {**EXAMPLE, name: outsider}])
        positions, _, errors = validate_frame(frame)
        assert positions.tolist() == [0], name
        assert [error["field"] for error in errors] == [name]


def test_batch_scoring_reads_the_contracts_number_fields_as_numbers() -> None:
    as_text = pd.DataFrame({name: ["1"] for name in contract.FIELD_NAMES}, dtype=object)
    read = model_frame(as_text)
    assert list(read) == list(contract.FIELD_NAMES)
    numbers = {name for name in read if pd.api.types.is_float_dtype(read[name])}
    assert numbers == set(contract.NUMBER_VALUED_FIELDS)
    assert set(contract.NUMERIC_FIELDS) < numbers


def test_batch_scoring_requires_the_contracts_required_fields() -> None:
    required = set()
    for name in contract.FIELD_NAMES:
        try:
            check_columns([other for other in contract.FIELD_NAMES if other != name])
        except BatchError:
            required.add(name)
    assert required == set(contract.REQUIRED_FIELDS)


def _accepted(kind: str) -> set[str]:
    candidates = [*contract.FIELD_NAMES, *contract.DERIVED, "boat", "ticket"]
    accepted = set()
    for name in candidates:
        features = {"numeric": [], "categorical": [], "engineered": [], kind: [name]}
        try:
            FeaturesConfig.model_validate(features)
        except ValidationError:
            continue
        accepted.add(name)
    return accepted


def test_the_config_may_name_only_the_contracts_features() -> None:
    assert _accepted("numeric") == set(contract.NUMERIC_FIELDS)
    assert _accepted("categorical") == set(contract.CATEGORICAL_FIELDS)
    assert _accepted("engineered") == set(contract.DERIVED)


def test_the_recorded_form_is_the_inputs_but_free_text_then_what_is_derived_from_it() -> None:
    text = {field.name for field in contract.FIELDS if isinstance(field, contract.Text)}
    assert {how.source for how in contract.DERIVED.values()} == text
    assert set(contract.RECORDED_COLUMNS) == (set(contract.FIELD_NAMES) - text) | set(
        contract.DERIVED
    )
    assert set(contract.RECORDED_NUMERIC) | set(contract.RECORDED_CATEGORICAL) == set(
        contract.RECORDED_COLUMNS
    )
