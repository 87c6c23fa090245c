"""Admission and the bounded queue: what the request path touches, a lock and a list append.

A request reserves room before it is scored and queues its rows after: while the database is
reachable a request that does not fit is shed (503) before it is answered, so a flood never drops
answered rows. While it is unreachable requests are answered anyway and their rows queue up to
the bound (rows and bytes); beyond it they are dropped. Rows leave the bounds only when settled
(written, quarantined, in doubt or dropped), so the rows being written still count.
"""

import threading
from collections.abc import Callable
from typing import Any

from app.core import metrics
from app.store.ledger import Ledger
from app.store.records import OUTCOME_BYTES, ROW_BYTES, queued_bytes
from titanic_store.rows import OutcomeRow, PredictionRow


class RowQueue:
    """Rows waiting for the writer thread (`pending`) and the batches it is writing (`in_flight`),
    both readable by the outcomes route's look-ups."""

    def __init__(
        self, ledger: Ledger, max_rows: int, max_bytes: int, reachable: Callable[[], bool]
    ) -> None:
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self._ledger = ledger
        self._reachable = reachable
        self._lock = threading.Lock()
        self._pending: list[PredictionRow] = []
        self._pending_outcomes: list[OutcomeRow] = []
        self._in_flight: list[PredictionRow] = []
        self._in_flight_outcomes: list[OutcomeRow] = []
        self.queued_rows = 0  # pending plus the rows being written: what the bounds limit
        self.queued_bytes = 0
        self._reserved_rows = 0  # requests being scored that will queue their rows
        self._abandoned = False  # set at shutdown when the thread outlived its timeout

    def _fits(self, rows: int, size: int) -> bool:
        return (
            self.queued_rows + self._reserved_rows + rows <= self.max_rows
            and self.queued_bytes + (self._reserved_rows * ROW_BYTES) + size <= self.max_bytes
        )

    def reserve(self, rows: int) -> int | None:
        """Room for `rows` before they are scored: the rows reserved, 0 when the database is
        unreachable (answer anyway; they queue if they still fit), None to shed the request."""
        with self._lock:
            if self._fits(rows, rows * ROW_BYTES):
                self._reserved_rows += rows
                return rows
        return None if self._reachable() else 0

    def release(self, reserved: int) -> None:
        """The reserved request was not answered after all."""
        with self._lock:
            self._reserved_rows -= reserved

    def add(self, rows: list[PredictionRow], reserved: int) -> None:
        """Queue an answer's rows; without a reservation they are dropped when they don't fit."""
        self._queue("_pending", rows, queued_bytes(rows), reserved)

    def add_outcomes(self, rows: list[OutcomeRow], reserved: int) -> None:
        """Queue accepted outcomes, like an answer's rows."""
        self._queue("_pending_outcomes", rows, len(rows) * OUTCOME_BYTES, reserved)

    def _queue(self, pending: str, rows: list[Any], size: int, reserved: int) -> None:
        """Append to the list named `pending`, looked up under the lock (`take` swaps it)."""
        with self._lock:
            self._reserved_rows -= reserved
            if reserved or self._fits(len(rows), size):
                getattr(self, pending).extend(rows)
                self.queued_rows += len(rows)
                self.queued_bytes += size
                return
            self._ledger.dropped_rows += len(rows)
        metrics.STORE_ROWS_DROPPED.labels(reason="queue_full").inc(len(rows))
        self._ledger.warn(
            "queue_full",
            "prediction store: queue full ({rows} rows, {mib:.0f} MiB) while the database is "
            "unreachable: {dropped} rows dropped so far",
            rows=self.max_rows,
            mib=self.max_bytes / 2**20,
            dropped=self._ledger.dropped_rows,
        )

    # The writer thread's side -----------------------------------------------------------------

    def take(self) -> tuple[list[PredictionRow], list[OutcomeRow]]:
        """What is pending becomes the batches being written."""
        with self._lock:
            self._in_flight, self._pending = self._pending, []
            self._in_flight_outcomes, self._pending_outcomes = self._pending_outcomes, []
            return self._in_flight, self._in_flight_outcomes

    def taken_done(self) -> None:
        """The batches being written are settled."""
        with self._lock:
            self._in_flight, self._in_flight_outcomes = [], []

    def has_pending(self) -> bool:
        return bool(self._pending or self._pending_outcomes)

    def settle(self, rows: int, size: int) -> bool:
        """Rows leave the bounds; False once abandoned (shutdown has counted them already)."""
        with self._lock:
            if self._abandoned:
                return False
            self.queued_rows -= rows
            self.queued_bytes -= size
            return True

    def abandon(self) -> int:
        """At shutdown, with the thread still blocked: empty the queue, return the rows lost."""
        with self._lock:
            self._abandoned = True
            lost, self.queued_rows, self.queued_bytes = self.queued_rows, 0, 0
            self._pending, self._pending_outcomes = [], []
            return lost

    # Look-ups of the outcomes route ---------------------------------------------------------

    def queued_predictions(self, ids: set[str]) -> set[str]:
        """Those of `ids` whose prediction is queued or being written (not in the database yet)."""
        with self._lock:
            queued = [*self._in_flight, *self._pending]
        return {row.prediction_id for row in queued if row.prediction_id in ids}

    def queued_outcomes(self, ids: set[str]) -> dict[str, int]:
        """prediction id -> label, for those of `ids` whose outcome is queued or being written."""
        with self._lock:
            queued = [*self._in_flight_outcomes, *self._pending_outcomes]
        found: dict[str, int] = {}
        for row in queued:
            if row.prediction_id in ids:
                found.setdefault(row.prediction_id, row.survived)
        return found
