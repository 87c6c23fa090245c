"""The input schema, built from the passenger contract: one passenger, validated by pydantic."""

import math
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic_core import ErrorDetails

from titanic_model import contract


def _missing_to_none(value: object) -> object:
    """NaN is how pandas spells a missing value; treat it as null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _plain_number(value: object) -> object:
    """One rule for every numeric field, as the JSON schema documents them: a number, never a
    boolean or a number written as text ("1", "29")."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, str):
        raise ValueError("Input should be a valid number, not text")
    return value


def _whole_number(value: object) -> object:
    """Accept 1.0 (pandas stores integer columns with gaps as float) but not booleans."""
    value = _plain_number(_missing_to_none(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _count_or_zero(value: object) -> object:
    """A missing count means none."""
    value = _whole_number(value)
    return 0 if value is None else value


def _optional_number(value: object) -> object:
    return _plain_number(_missing_to_none(value))


def _spelling(values: tuple[str, ...]) -> Callable[[object], object]:
    """Text stripped, in the case the values are written in; empty text is missing."""
    case: Callable[[str], str] = str.upper if all(v.isupper() for v in values) else str.lower
    if not all(v == case(v) for v in values):
        case = str.strip

    def normalise(value: object) -> object:
        if isinstance(value, str):
            return case(value.strip()) or None
        return _missing_to_none(value)

    return normalise


def _annotation(declared: contract.Field) -> tuple[Any, Any]:
    """(type, default) of the pydantic field for a contract field."""
    match declared:
        case contract.Number(minimum=low, maximum=high):
            number = Annotated[float, Field(ge=low, le=high)]
            return Annotated[number | None, BeforeValidator(_optional_number)], None
        case contract.Count(minimum=low, maximum=high):
            return Annotated[int, Field(ge=low, le=high), BeforeValidator(_count_or_zero)], 0
        case contract.Category(values=values, required=required):
            allowed: Any = Literal[values]  # a tuple subscript: Literal[(a, b)] is Literal[a, b]
            if isinstance(values[0], int):
                normalise: Callable[[object], object] = _whole_number
            else:
                normalise = _spelling(values)
            if required:
                return Annotated[allowed, BeforeValidator(normalise)], ...
            return Annotated[allowed | None, BeforeValidator(normalise)], None
        case contract.Text():
            return Annotated[str | None, BeforeValidator(_missing_to_none)], None


def _passenger_input() -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for declared in contract.FIELDS:
        annotation, default = _annotation(declared)
        info = Field(default, description=declared.description, examples=[declared.example])
        fields[declared.name] = (annotation, info)
    return create_model(
        "PassengerInput",
        __config__=ConfigDict(extra="ignore", allow_inf_nan=False, frozen=True),
        __doc__="One passenger as the model sees it; unknown fields (boat, body, ticket …) "
        "are ignored.",
        __module__=__name__,
        **fields,
    )


PassengerInput = _passenger_input()
"""One passenger (titanic_model.contract's FIELDS), validated: missing values as None."""


class RowError(TypedDict):
    row: int | None
    field: str
    message: str


class Explanation(TypedDict):
    """Why a row scored as it did: intercept + sum(contributions) == log_odds (to rounding).

    Contributions are by feature (age, fare, sibsp, parch, pclass, sex, embarked, title, deck):
    a numeric feature's is relative to the training mean, a category's is its weight. `unknown`
    names the features the row does not give (a missing field; no deck without a cabin, no title
    without a name): theirs is the weight the model learned for an unknown value.
    """

    intercept: float
    contributions: dict[str, float]
    log_odds: float
    unknown: list[str]


class PredictionResult(TypedDict):
    predictions: list[int | None]
    probabilities: list[float | None]
    version: str
    errors: list[RowError] | None
    # Only with make_prediction(..., explain=True): one per row, None for a rejected row.
    explanations: NotRequired[list[Explanation | None]]
    # Only with make_prediction(..., record=True): one per row, the passenger's recorded form
    # (contract.recorded: the validated values and derived categories the model scored), None
    # for a rejected row.
    recorded: NotRequired[list[tuple[Any, ...] | None]]


def describe_validation_error(row: int | None, errors: Sequence[ErrorDetails]) -> list[RowError]:
    """pydantic's error list -> one RowError per bad field."""
    described: list[RowError] = []
    for error in errors:
        location = ".".join(str(part) for part in error["loc"]) or "record"
        message = str(error["msg"]).removeprefix("Value error, ")
        described.append({"row": row, "field": location, "message": message})
    return described
