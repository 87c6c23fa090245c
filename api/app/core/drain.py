"""SIGTERM starts a drain, not a stop: readiness turns 503 at once, and uvicorn's own stop (no
new connections, in-flight requests finished within --timeout-graceful-shutdown, keep-alive
connections closed with `Connection: close`, then the lifespan's shutdown) begins only
SHUTDOWN_DELAY_S later. A balancer routes requests until its health check sees the 503; those
still get their answer. A second SIGTERM, or SIGINT (Ctrl-C), stops at once. What is still
running when the grace ends is answered 503, not 500 (ShutdownCutoffMiddleware).
"""

import asyncio
import signal
import threading
from types import FrameType

from fastapi import FastAPI
from loguru import logger
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.readiness import is_draining, mark_draining
from app.core.responses import SafeJSONResponse, error_body


def delay_sigterm(app: FastAPI, delay_s: float) -> None:
    """Wrap the server's SIGTERM handler (uvicorn's, installed before the lifespan starts) so it
    runs `delay_s` after the signal. Only the main thread can do so: elsewhere (a TestClient)
    nothing changes. uvicorn puts its own handlers' predecessors back when it ends."""
    if threading.current_thread() is not threading.main_thread():
        return
    server_handler = signal.getsignal(signal.SIGTERM)
    if not callable(server_handler):
        return

    def on_sigterm(sig: int, frame: FrameType | None) -> None:
        again = is_draining(app)
        mark_draining(app)
        if again or delay_s <= 0:
            server_handler(sig, frame)
            return
        logger.info("SIGTERM: ready answers 503 now; stopping in {delay} s", delay=delay_s)
        timer = threading.Timer(delay_s, server_handler, (sig, frame))
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGTERM, on_sigterm)


SHUT_DOWN = "server shutting down: the request was not finished in the shutdown grace, retry"


class ShutdownCutoffMiddleware:
    """A request still running when the grace ends is cancelled by uvicorn, which would answer
    500. It gets 503 with Retry-After and `Connection: close` instead: a client, or the balancer's
    retry, sends it to another replica; the server did nothing wrong."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except asyncio.CancelledError:
            if started:
                raise
            logger.warning("{path}: cut off at the end of the shutdown grace", path=scope["path"])
            headers = {"Retry-After": "1", "Connection": "close"}
            body = error_body(scope["path"], SHUT_DOWN)
            await SafeJSONResponse(body, status_code=503, headers=headers)(scope, receive, send)
