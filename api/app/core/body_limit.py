"""Refuses request bodies larger than MAX_BODY_BYTES with 413, before anything parses them.

A declared Content-Length is checked up front (the body is never read); a chunked body is counted
as it streams, and the request fails as soon as it passes the limit. One cheap ASGI layer, unlike
FastAPI's own max_body_size, which wraps every router level again.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.responses import SafeJSONResponse, error_body


class BodyTooLargeError(Exception):
    """Raised from `receive` when a streamed body passes the limit (load_shed.py answers 413)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"request body larger than {max_bytes} bytes")


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
                break
        if declared is not None:
            # The server delivers no more than the declared length, so the header is the size.
            if not declared.isdigit() or int(declared) > self.max_bytes:
                body = error_body(scope["path"], f"request body larger than {self.max_bytes} bytes")
                await SafeJSONResponse(body, status_code=413)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)
