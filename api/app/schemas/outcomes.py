"""The outcomes body and answer: what really happened to passengers the API scored."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.predict import DocumentedAs

PredictionId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="A predict answer's id")]


class Outcome(BaseModel):
    """One outcome: the id a predict answer gave a row, and whether that passenger survived."""

    model_config = ConfigDict(extra="forbid")

    id: PredictionId
    survived: Annotated[int, Field(strict=True, ge=0, le=1)] = Field(
        description='1 survived, 0 did not (a number: not true/false, not "1")'
    )


# Validated item by item by the route (a bad item is that item's error), documented as Outcome.
OutcomeItem = Annotated[dict[str, Any], DocumentedAs(Outcome)]


class OutcomeError(BaseModel):
    row: int = Field(description="Index into the request's list")
    field: str
    message: str


class OutcomesResponse(BaseModel):
    stored: int = Field(description="Outcomes queued for the store")
    duplicates: int = Field(description="Outcomes already recorded with the same label")
    conflicts: int = Field(description="Outcomes whose id already has the other label (kept)")
    errors: list[OutcomeError] | None = Field(
        description="One entry per refused item: unknown id, bad label, conflict"
    )
