"""The health answer: which API, model version and deploy are serving."""

from typing import Literal

from pydantic import BaseModel, Field


class HealthResponse(BaseModel):
    name: str
    api_version: str
    model_version: str
    release_id: str = Field(
        description="The deploy serving (RELEASE_ID; CI sets the commit), so a deploy that keeps "
        "the model version can still be told from the one before"
    )
    status: Literal["ok"]


class ReadyResponse(BaseModel):
    status: Literal["ready", "not ready"]
    reason: str | None = Field(
        default=None, description="Why not: the model, the store's schema, or draining"
    )
