"""SIGTERM starts a drain, not a stop: readiness turns 503 at once, and uvicorn's own stop (no
new connections, in-flight requests finished within --timeout-graceful-shutdown, keep-alive
connections closed with `Connection: close`, then the lifespan's shutdown) begins only
SHUTDOWN_DELAY_S later. A balancer routes requests until its health check sees the 503; those
still get their answer. A second SIGTERM, or SIGINT (Ctrl-C), stops at once.
"""

import signal
import threading
from types import FrameType

from fastapi import FastAPI
from loguru import logger

from app.core.readiness import is_draining, mark_draining


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
