"""The per-request log lines, handed to loguru in batches.

One loguru call in the serving process costs more than parsing the body and scoring the passenger
together (docs/performance.md#measured-choices-in-the-code). So, like nginx's
`access_log ... buffer= flush=`, the middleware only queues each request's facts, and they go to
loguru as one record per batch: when LOG_FLUSH_INTERVAL_MS has passed since the first queued line,
when MAX_PENDING lines are queued, and at shutdown. The sink still writes one line per request,
each with its own time; lines reach stdout at most LOG_FLUSH_INTERVAL_MS late (0 writes every line
at once).
"""

import asyncio
import time
from typing import NamedTuple

from loguru import logger

# The key of the batch in the loguru record's `extra`; the sink writes one line per entry.
ACCESS_ENTRIES = "access_entries"
MAX_PENDING = 64


class AccessEntry(NamedTuple):
    time: float  # epoch seconds when the response was complete
    method: str
    path: str
    status: int
    duration_ms: float
    request_id: str

    @property
    def message(self) -> str:
        return f"{self.method} {self.path} {self.status} {self.duration_ms}ms"


class AccessLog:
    """Queues AccessEntry objects on the event loop and flushes them to loguru in batches."""

    def __init__(self, flush_interval_ms: int) -> None:
        self.flush_interval_s = flush_interval_ms / 1000
        self._pending: list[AccessEntry] = []
        self._timer: asyncio.TimerHandle | None = None

    def add(self, method: str, path: str, status: int, duration_ms: float, request_id: str) -> None:
        entry = AccessEntry(time.time(), method, path, status, duration_ms, request_id)
        self._pending.append(entry)
        if not self.flush_interval_s or len(self._pending) >= MAX_PENDING:
            self.flush()
        elif self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.flush_interval_s, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self.flush()

    def flush(self) -> None:
        """Hand every queued line to loguru now (also called at shutdown)."""
        if not self._pending:
            return
        entries, self._pending = self._pending, []
        logger.bind(**{ACCESS_ENTRIES: entries}).info("{count} requests", count=len(entries))
