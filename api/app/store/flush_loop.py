"""The flush loop: a thread that wakes every flush interval and hands what is queued to the batch
isolator, then at shutdown writes what is left before a deadline."""

import threading
import time
from collections.abc import Callable

from app.store.admission import RowQueue
from app.store.isolator import BatchIsolator

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
    ) -> None:
        self._queue = queue
        self._isolator = isolator(self.pause)
        self._flush_interval_s = flush_interval_s
        self._publish = publish
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

    def _run(self) -> None:
        while True:
            stopping = self._stopping.wait(self._flush_interval_s)
            predictions, outcomes = self._queue.take()
            if predictions:
                self._isolator.write_predictions(predictions)
            if outcomes:
                self._isolator.write_outcomes(outcomes)
            self._queue.taken_done()
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
