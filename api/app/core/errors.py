"""Error responses: a malformed body names its row and field; anything unexpected is an opaque 500.

Under /v2 every error is the Open Inference Protocol's `{"error": "..."}` and a malformed body is
its 400, not 422 (app/core/responses.error_body).

Neither echoes the input back: an echoed value can be huge, can be someone's secret, and is what
made Starlette's default 422 fail to encode a lone surrogate.
"""

import sys
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from loguru import logger
from starlette.exceptions import HTTPException
from starlette.responses import Response

from app.core.responses import SafeJSONResponse, error_body
from titanic_model import RowError

ROWS_FIELD = "inputs"
MAX_NAMED_ERRORS = 20  # a 10,000-row batch of bad rows gets a readable message, not 10,000 lines


def describe_rows_rejected(errors: list[RowError]) -> str:
    """'row 1, field pclass: Input should be 1, 2 or 3; ...' for the protocol's one-string error."""
    named = [
        f"row {error['row']}, field {error['field']}: {error['message']}"
        for error in errors[:MAX_NAMED_ERRORS]
    ]
    more = len(errors) - len(named)
    return "; ".join(named) + (f"; and {more} more" if more else "")


def describe_request_error(error: dict[str, Any]) -> dict[str, object]:
    """One of pydantic's/FastAPI's errors -> {row, field, message, type} for the client."""
    location: Sequence[int | str] = error.get("loc", ())
    if location and location[0] == "body":
        location = location[1:]
    message = str(error.get("msg", "invalid request"))
    if error.get("type") == "json_invalid":
        reason = error.get("ctx", {}).get("error", "")
        position = location[0] if location else "?"
        return {
            "row": None,
            "field": "body",
            "message": f"{message}: {reason} at character {position}",
            "type": "json_invalid",
        }
    row: int | None = None
    if len(location) >= 2 and location[0] == ROWS_FIELD and isinstance(location[1], int):
        row = location[1]
        location = [ROWS_FIELD, *location[2:]]
    field = ".".join(str(part) for part in location) or "body"
    return {"row": row, "field": field, "message": message, "type": str(error.get("type"))}


async def request_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if "error" in error_body(request.url.path, ""):  # the protocol's one string, and its 400
        return SafeJSONResponse({"error": describe_tensor_errors(exc.errors())}, status_code=400)
    details = [describe_request_error(dict(error)) for error in exc.errors()]
    return SafeJSONResponse({"detail": details}, status_code=422)


def describe_tensor_errors(errors: Sequence[Any]) -> str:
    """'inputs.0.datatype: Input should be ...; ...': where in the body, and what is wrong."""
    named = []
    for error in errors[:MAX_NAMED_ERRORS]:
        if error.get("type") == "json_invalid":
            named.append(str(describe_request_error(dict(error))["message"]))
            continue
        location = [str(part) for part in error.get("loc", ()) if part != "body"]
        named.append(f"{'.'.join(location) or 'body'}: {error.get('msg', 'invalid request')}")
    return "; ".join(named)


def _unparsable_body_reason(exc: HTTPException) -> str | None:
    """Why FastAPI could not parse the body, when that is what its 400 means."""
    cause = exc.__cause__
    if exc.status_code != 400 or cause is None:
        return None
    if isinstance(cause, RecursionError):
        return "JSON nested too deeply"
    if isinstance(cause, UnicodeDecodeError):
        return "body is not valid UTF-8"
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        return f"body has a number of over {sys.get_int_max_str_digits():,} digits"
    if isinstance(cause, ValueError):
        return "body is not valid JSON"
    return None


def _compressed_body(request: Request) -> Response | None:
    """415 naming the coding, for a body sent compressed (RFC 9110: with the one taken, in
    Accept-Encoding). Checked only once a body could not be parsed, so it costs the others
    nothing; otherwise a gzip body was refused as "not valid UTF-8"."""
    coding = request.headers.get("content-encoding", "identity")
    if coding.strip().lower() == "identity":
        return None
    message = f"the body must be sent uncompressed, not with Content-Encoding: {coding[:100]}"
    body = error_body(request.url.path, message)
    return SafeJSONResponse(body, status_code=415, headers={"Accept-Encoding": "identity"})


async def http_error(request: Request, exc: Exception) -> Response:
    """FastAPI answers 400 to a body json.loads cannot take; as a malformed body, that is 422
    (415 when it was sent compressed)."""
    assert isinstance(exc, HTTPException)
    reason = _unparsable_body_reason(exc)
    if reason and (compressed := _compressed_body(request)):
        return compressed
    body = error_body(request.url.path, reason or str(exc.detail))
    if "error" in body:
        status = 400 if reason else exc.status_code
        return SafeJSONResponse(body, status_code=status, headers=exc.headers)
    if reason is None:
        return await http_exception_handler(request, exc)
    detail = {"row": None, "field": "body", "message": reason, "type": "json_invalid"}
    return SafeJSONResponse({"detail": [detail]}, status_code=422)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """Last resort: the traceback goes to the (redacted) log, the client gets only an id."""
    request_id = request.scope.get("state", {}).get("request_id", "-")
    # The server logs the traceback; this line ties the error to the request id.
    logger.bind(request_id=request_id).error(
        "unhandled {kind} answered 500: {error}", kind=type(exc).__name__, error=str(exc)
    )
    body = {**error_body(request.url.path, "internal server error"), "request_id": request_id}
    return SafeJSONResponse(body, status_code=500, headers={"x-request-id": request_id})


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, request_validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
