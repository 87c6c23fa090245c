"""Error bodies: 422 names the row and field; 413 and others carry one message."""

from pydantic import BaseModel


class RequestErrorDetail(BaseModel):
    row: int | None  # index into `inputs`, or null when the problem is not one row's
    field: str
    message: str
    type: str


class RequestErrorResponse(BaseModel):
    detail: list[RequestErrorDetail]


class MessageResponse(BaseModel):
    detail: str
