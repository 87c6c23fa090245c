"""Admission: sheds load instead of queueing it, and never lets slow clients hold the service.

Without a bound every accepted batch holds its parsed rows until it is scored, so many concurrent
near-limit batches multiply the process's memory (docs/performance.md#measured-choices-in-the-code).
So, per request:

1. Requests without a body (health, model, metrics, the page) have a budget of their own,
   MAX_REQUESTS_IN_FLIGHT, that requests with a body never use up.
2. A large body (over SMALL_BODY_BYTES, by its Content-Length; a streamed body without one counts
   as MAX_BODY_BYTES) takes its share of MAX_BODY_BYTES_IN_FLIGHT before it is read: memory held
   by requests in flight grows with their body bytes, so this budget bounds peak RSS.
3. The body is read here, within BODY_READ_TIMEOUT_S (else 408 and the connection is closed), so a
   client dribbling its body holds no slot of the work budget and is cut off at the deadline.
4. Only then does the request take one of MAX_REQUESTS_IN_FLIGHT work slots, and the app gets the
   body it would have read.

A refused request's body is read and discarded first (within the same deadline), so that its
client, even one that sent `Connection: close`, reads the 503 instead of a connection reset.
One event loop, so plain counters suffice. Figures: docs/operations.md.
"""

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.body_limit import BodyTooLargeError
from app.core.responses import SafeJSONResponse, error_body

SMALL_BODY_BYTES = 64 * 1024  # a few hundred rows: cheap enough to need no share of the budget
RETRY_AFTER_S = 1
BUSY = "server busy: too much work in flight, retry shortly"


class BodyTimeoutError(Exception):
    """The client did not send its whole body within the deadline."""


def declared_body_bytes(scope: Scope, unknown: int) -> int:
    """The request's Content-Length; `unknown` when it streams its body; 0 when it has none."""
    streamed = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else unknown
        if name == b"transfer-encoding":
            streamed = True
    return unknown if streamed else 0


async def read_body(receive: Receive, deadline: float, keep: bool = True) -> bytes:
    """The whole body (nothing when not `keep`: a refused body is read only to be discarded, so
    that 200 refused requests do not hold 200 bodies), or BodyTimeoutError once the monotonic
    `deadline` passes."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise BodyTimeoutError
        try:
            message = await asyncio.wait_for(receive(), remaining)
        except TimeoutError:
            raise BodyTimeoutError from None
        if message["type"] != "http.request":  # the client went away
            return b"".join(chunks)
        if keep:
            chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then waits as the server's does."""
    delivered = False

    async def receive_again() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive_again


async def refuse(
    scope: Scope, receive: Receive, send: Send, status: int, detail: str, deadline: float | None
) -> None:
    """Answer `status`; read the body first (until `deadline`) so the client can read the answer."""
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else {}
    if deadline is not None:
        try:
            await read_body(receive, deadline, keep=False)
        except (BodyTimeoutError, BodyTooLargeError):
            headers["Connection"] = "close"
    await SafeJSONResponse(error_body(scope["path"], detail), status_code=status, headers=headers)(
        scope, receive, send
    )


class LoadShedMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        max_requests: int,
        max_body_bytes: int,
        unknown_body_bytes: int,
        body_timeout_s: float,
    ) -> None:
        self.app = app
        self.max_requests = max_requests
        self.max_body_bytes = max_body_bytes
        self.unknown_body_bytes = unknown_body_bytes
        self.body_timeout_s = body_timeout_s
        self.requests = 0  # requests with a body, past reading it
        self.bodiless_requests = 0
        self.body_bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_bytes = declared_body_bytes(scope, self.unknown_body_bytes)
        if body_bytes == 0:
            await self._bodiless(scope, receive, send)
            return
        deadline = time.monotonic() + self.body_timeout_s
        charged = 0 if body_bytes <= SMALL_BODY_BYTES else body_bytes
        if charged and self.body_bytes + charged > self.max_body_bytes:
            await refuse(scope, receive, send, 503, BUSY, deadline)
            return
        self.body_bytes += charged
        try:
            await self._with_body(scope, receive, send, deadline)
        finally:
            self.body_bytes -= charged

    async def _bodiless(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.bodiless_requests >= self.max_requests:
            await refuse(scope, receive, send, 503, BUSY, None)
            return
        self.bodiless_requests += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.bodiless_requests -= 1

    async def _with_body(self, scope: Scope, receive: Receive, send: Send, deadline: float) -> None:
        try:
            body = await read_body(receive, deadline)
        except BodyTimeoutError:
            detail = f"request body not received within {self.body_timeout_s:g} s"
            headers = {"Connection": "close"}
            answer = SafeJSONResponse(error_body(scope["path"], detail), 408, headers)
            await answer(scope, receive, send)
            return
        except BodyTooLargeError as error:
            headers = {"Connection": "close"}
            answer = SafeJSONResponse(error_body(scope["path"], str(error)), 413, headers)
            await answer(scope, receive, send)
            return
        if self.requests >= self.max_requests:
            await refuse(scope, receive, send, 503, BUSY, None)
            return
        self.requests += 1
        try:
            await self.app(scope, replaying(body, receive), send)
        finally:
            self.requests -= 1
