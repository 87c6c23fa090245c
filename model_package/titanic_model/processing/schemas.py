"""The input contract, shared by the package and the API: one passenger, validated by pydantic."""

import math
from collections.abc import Sequence
from typing import Annotated, Literal, NotRequired, TypedDict

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import ErrorDetails

AGE_RANGE = (0.0, 120.0)
FAMILY_COUNT_RANGE = (0, 20)
CATEGORIES: dict[str, tuple[object, ...]] = {
    "pclass": (1, 2, 3),
    "sex": ("male", "female"),
    "embarked": ("C", "Q", "S"),
}


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
    """sibsp/parch: a missing count means none."""
    value = _whole_number(value)
    return 0 if value is None else value


def _lowercase(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else _missing_to_none(value)


def _uppercase(value: object) -> object:
    if isinstance(value, str):
        return value.strip().upper() or None
    return _missing_to_none(value)


def _optional_text(value: object) -> object:
    return _missing_to_none(value)


def _optional_number(value: object) -> object:
    return _plain_number(_missing_to_none(value))


Count = Annotated[
    Annotated[int, Field(ge=FAMILY_COUNT_RANGE[0], le=FAMILY_COUNT_RANGE[1])],
    BeforeValidator(_count_or_zero),
]
OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]


class PassengerInput(BaseModel):
    """One passenger as the model sees it; unknown fields (boat, body, ticket …) are ignored."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, frozen=True)

    pclass: Annotated[Literal[1, 2, 3], BeforeValidator(_whole_number)] = Field(
        description="Ticket class: 1, 2 or 3", examples=[3]
    )
    sex: Annotated[Literal["male", "female"], BeforeValidator(_lowercase)] = Field(
        examples=["female"]
    )
    age: Annotated[
        Annotated[float, Field(ge=AGE_RANGE[0], le=AGE_RANGE[1])] | None,
        BeforeValidator(_optional_number),
    ] = Field(default=None, description="Age in years; null if unknown", examples=[29.0])
    sibsp: Count = Field(default=0, description="Siblings and spouses aboard", examples=[0])
    parch: Count = Field(default=0, description="Parents and children aboard", examples=[0])
    fare: Annotated[Annotated[float, Field(ge=0)] | None, BeforeValidator(_optional_number)] = (
        Field(default=None, description="Ticket fare in pounds; null if unknown", examples=[7.25])
    )
    cabin: OptionalText = Field(default=None, examples=["C85"])
    embarked: Annotated[Literal["C", "Q", "S"] | None, BeforeValidator(_uppercase)] = Field(
        default=None, description="Port: C Cherbourg, Q Queenstown, S Southampton", examples=["S"]
    )
    name: OptionalText = Field(
        default=None, description="Full name; only its title is used", examples=["Doe, Mrs. Jane"]
    )


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


def describe_validation_error(row: int | None, errors: Sequence[ErrorDetails]) -> list[RowError]:
    """pydantic's error list -> one RowError per bad field."""
    described: list[RowError] = []
    for error in errors:
        location = ".".join(str(part) for part in error["loc"]) or "record"
        message = str(error["msg"]).removeprefix("Value error, ")
        described.append({"row": row, "field": location, "message": message})
    return described
