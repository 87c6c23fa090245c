"""The flush loop: a thread that wakes every flush interval and hands what is queued to the batch
isolator, then at shutdown writes what is left before a deadline.

A row waits at most one interval before its write begins: after a write that took longer, the
next begins at once (what kill -9 loses is the rows queued or being written, docs/operations.md).
Before the first write it checks the schema (the gate upgrades an embedded SQLite store), and
again with a growing pause while the store is not ready: readiness waits on that, not on a row.
"""

import threading
import time
from collections.abc import Callable

from loguru import logger

from app.store.admission import RowQueue
from app.store.isolator import BatchIsolator, reason

RETRY_PAUSE_S = (0.1, 0.2, 0.5, 1.0, 2.0)  # then 2 s between attempts while the database is down
# The thread gives up this share of the shutdown timeout before `stop` stops waiting for it.
SHUTDOWN_MARGIN = 0.9


class FlushLoop:
    """`start` once; `stop` at shutdown. `publish` refreshes the store's gauges."""

    def __init__(
        self,
        queue: RowQueue,
        isolator: Callable[[Callable[[int], bool]], BatchIsolator],
        flush_interval_s: float,
        publish: Callable[[], None],
        check_schema: Callable[[], Exception | None],
        schema_ready: Callable[[], bool],
    ) -> None:
        self._queue = queue
        self._isolator = isolator(self.pause)
        self._flush_interval_s = flush_interval_s
        self._publish = publish
        self._check_schema = check_schema
        self._schema_ready = schema_ready
        self._checks = 0  # failed schema checks in a row
        self._next_check = 0.0  # monotonic time of the next one
        self._stopping = threading.Event()
        self._deadline = float("inf")
        self._thread = threading.Thread(target=self._run, name="prediction-store", daemon=True)

    @property
    def doubtful_rows(self) -> int:
        """Rows whose commit was sent and not answered yet (see BatchIsolator)."""
        return self._isolator.doubtful_rows

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float) -> bool:
        """Let the thread write what is queued within `timeout_s`; False if it is still blocked
        in the database after that."""
        self._deadline = time.monotonic() + timeout_s * SHUTDOWN_MARGIN
        self._stopping.set()
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _check(self) -> None:
        """Check the schema, at most once per retry pause while it fails."""
        if self._schema_ready() or time.monotonic() < self._next_check:
            return
        error = self._check_schema()
        if error is None:
            if self._checks:
                logger.info("prediction store ready after {n} checks", n=self._checks + 1)
            self._checks = 0
            return
        if self._checks == 0:
            logger.warning("prediction store not ready, checking again: {why}", why=reason(error))
        self._next_check = time.monotonic() + RETRY_PAUSE_S[min(self._checks, 4)]
        self._checks += 1
        self._publish()

    def _run(self) -> None:
        self._check()
        busy = 0.0  # how long the last write took: rows queued meanwhile have waited that long
        while True:
            stopping = self._stopping.wait(max(0.0, self._flush_interval_s - busy))
            if not stopping:
                self._check()
            writing = time.monotonic()
            predictions, outcomes = self._queue.take()
            if predictions:
                self._isolator.write_predictions(predictions)
            if outcomes:
                self._isolator.write_outcomes(outcomes)
            self._queue.taken_done()
            busy = time.monotonic() - writing
            self._publish()
            if stopping and not self._queue.has_pending():
                return

    def pause(self, attempt: int) -> bool:
        """Wait before the next attempt; False when that would pass the shutdown deadline."""
        pause = RETRY_PAUSE_S[min(attempt, len(RETRY_PAUSE_S) - 1)]
        if time.monotonic() + pause > self._deadline:
            return False
        self._stopping.wait(pause)  # cut short by `stop`, which sets the deadline
        self._publish()
        return time.monotonic() < self._deadline
