"""The health answer: which API and which model version are serving."""

from typing import Literal

from pydantic import BaseModel


class HealthResponse(BaseModel):
    name: str
    api_version: str
    model_version: str
    status: Literal["ok"]
