"""One log line per request, tagged with a request id that the client may supply.

A plain ASGI middleware (not BaseHTTPMiddleware): it adds a header, queues a log line (see
access_log.py) and counts the request in the Prometheus metrics (by route template), so it costs
microseconds on the hot path.
"""

import itertools
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import metrics
from app.core.access_log import AccessLog
from app.core.logging import REQUEST_ID

REQUEST_ID_HEADER = b"x-request-id"
# What we accept from a client: short and printable, so it cannot forge or break a log line.
ACCEPTED_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:+/=-]{1,128}")
# Fresh ids: a random per-process prefix plus a counter, unique without a syscall per request.
_ID_PREFIX = secrets.token_hex(8)
_ID_COUNTER = itertools.count()
UNMATCHED_ROUTE = "unmatched"  # the metrics' route label of a request no route matched
# Logged and counted for a request whose client hung up before its answer could be sent (nginx's
# convention): neither the app's failure nor a 500 that nobody received.
CLIENT_GONE = 499


def _logged_path(scope: Scope) -> str:
    """The path as sent (still percent-encoded): an encoded newline cannot split the log line."""
    raw_path = scope.get("raw_path")
    if isinstance(raw_path, bytes) and raw_path:
        return raw_path.decode("ascii", "backslashreplace")
    return str(scope["path"]).encode("unicode_escape").decode("ascii")


def _connection_gone(error: Exception) -> bool:
    """ASGI's signal for a closed connection is an OSError. uvicorn on uvloop raises this
    RuntimeError instead when a client hangs up with requests pipelined behind the one being
    answered: it marks only the last one parsed as disconnected."""
    return isinstance(error, OSError) or "handler is closed" in str(error)


def _request_id(scope: Scope) -> str:
    value: bytes
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and ACCEPTED_REQUEST_ID.fullmatch(value):
            return value.decode("ascii")
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


class RequestLogMiddleware:
    """Echoes X-Request-ID (or a fresh one); queues the log line; counts the request's metrics."""

    def __init__(self, app: ASGIApp, access_log: AccessLog) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id  # for the 500 handler
        header = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        status = 500  # what the client gets if the app raises before responding

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if status == CLIENT_GONE:
                return  # nobody to send the rest to
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            try:
                await send(message)
            except (OSError, RuntimeError) as error:
                if not _connection_gone(error):
                    raise
                status = CLIENT_GONE

        started = time.perf_counter()
        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("route")
            metrics.observe_request(getattr(route, "path", UNMATCHED_ROUTE), status, seconds)
            duration_ms = round(seconds * 1000, 3)
            path = _logged_path(scope)
            self.access_log.add(scope["method"], path, status, duration_ms, request_id)
            REQUEST_ID.reset(token)
