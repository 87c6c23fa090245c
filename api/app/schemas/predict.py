"""The predict body and answer.

One schema: each row is documented as the package's `PassengerInput`, but validated here only as
"a JSON object". The package validates the values, row by row, so a bad value in one row becomes
that row's error while the other rows are still scored; only a body whose shape is wrong (not an
object with a non-empty `inputs` list of objects) is refused as a whole with 422.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, GetJsonSchemaHandler, StrictBool
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from titanic_model import PassengerInput, contract


class DocumentedAs:
    """Annotation: validate as the annotated type, document as `model` in JSON schema."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(self.model.__pydantic_core_schema__)


PassengerRow = Annotated[dict[str, Any], DocumentedAs(PassengerInput)]

EXAMPLE_PASSENGER = contract.EXAMPLE_PASSENGER


class PredictionRequest(BaseModel):
    inputs: list[PassengerRow] = Field(
        min_length=1,
        description="Passengers to score; rows align with the answer's lists",
        examples=[[EXAMPLE_PASSENGER]],
    )
    explain: StrictBool = Field(
        default=False,
        description="Also return, per row, each feature's contribution to the log-odds "
        "(the answer's `explanations`); off by default",
    )


class RowError(BaseModel):
    row: int | None
    field: str
    message: str


Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Explanation(BaseModel):
    """The package's `Explanation`: intercept + sum of contributions = log_odds."""

    intercept: float = Field(description="The model's log-odds before any feature")
    contributions: dict[str, float] = Field(
        description="Log-odds added by each feature (age, fare, sibsp, parch, pclass, sex, "
        "embarked, title, deck); numeric ones relative to the training average"
    )
    log_odds: float = Field(description="The row's log-odds: its probability is 1/(1+e^-x)")
    unknown: list[str] = Field(
        description="Features the row does not give (a missing field; no deck without a cabin, "
        "no title without a name): each contributes the weight of an unknown value"
    )


class PredictionResponse(BaseModel):
    """The package's `make_prediction` result, with an id per scored row."""

    predictions: list[Literal[0, 1] | None] = Field(description="1 survived; null for a bad row")
    probabilities: list[Probability | None] = Field(description="Survival probability per row")
    version: str = Field(description="Version of the model package that scored the rows")
    errors: list[RowError] | None = Field(description="One entry per bad field of a bad row")
    ids: list[str | None] = Field(
        description="Per row, the prediction's id (32 hex characters, random; null for a bad "
        "row): send it back with the true outcome to POST /api/v1/outcomes"
    )
    explanations: list[Explanation | None] | None = Field(
        default=None,
        description='Only when the request has "explain": true: one per row, null for a bad row',
    )
