"""Sheds load instead of queueing it: beyond a bound on work in flight, 503 + Retry-After at once.

Without a bound every accepted batch holds its parsed rows until it is scored, so 200 concurrent
near-limit batches took the process from 182 MiB to 1.4 GiB. Two budgets, checked before the body
is read (the request is answered without ever being parsed):

- MAX_REQUESTS_IN_FLIGHT counts every request;
- MAX_BODY_BYTES_IN_FLIGHT adds up the bodies of the large requests (declared Content-Length; a
  body without one counts as MAX_BODY_BYTES). Bodies up to SMALL_BODY_BYTES are left out of it, so
  single-record requests are still served while batches fill the budget.

Memory held by requests in flight grows with their body bytes, so the byte budget is what bounds
peak RSS (docs/operations.md has the figures). One event loop, so plain counters suffice.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.responses import SafeJSONResponse

SMALL_BODY_BYTES = 64 * 1024  # a few hundred rows: cheap enough to need no share of the budget
RETRY_AFTER_S = 1


def declared_body_bytes(scope: Scope, unknown: int) -> int:
    """The request's Content-Length, or `unknown` when it streams its body without one."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else unknown
    if scope["method"] in ("GET", "HEAD", "OPTIONS"):
        return 0
    return unknown


class LoadShedMiddleware:
    def __init__(
        self, app: ASGIApp, max_requests: int, max_body_bytes: int, unknown_body_bytes: int
    ) -> None:
        self.app = app
        self.max_requests = max_requests
        self.max_body_bytes = max_body_bytes
        self.unknown_body_bytes = unknown_body_bytes
        self.requests = 0
        self.body_bytes = 0

    def _admits(self, body_bytes: int) -> bool:
        if self.requests >= self.max_requests:
            return False
        return body_bytes <= SMALL_BODY_BYTES or (
            self.body_bytes + body_bytes <= self.max_body_bytes
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_bytes = declared_body_bytes(scope, self.unknown_body_bytes)
        if not self._admits(body_bytes):
            answer = SafeJSONResponse(
                {"detail": "server busy: too much work in flight, retry shortly"},
                status_code=503,
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
            await answer(scope, receive, send)
            return
        counted = 0 if body_bytes <= SMALL_BODY_BYTES else body_bytes
        self.requests += 1
        self.body_bytes += counted
        try:
            await self.app(scope, receive, send)
        finally:
            self.requests -= 1
            self.body_bytes -= counted
