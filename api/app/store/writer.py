"""The background writer: a bounded queue on the request path, batched inserts in a thread.

The request path only appends to a list under a lock (well under a microsecond). A thread wakes
at most every flush interval, turns the queued answers into rows and inserts them in one
transaction. If the database is down it keeps the batch and retries with a growing pause (the
engine reconnects by itself); requests meanwhile queue up to the bound, and the rows beyond it are
counted as dropped, with one warning a minute. At shutdown the thread writes everything queued,
for at most the shutdown timeout.

SQLAlchemy (app/store/table.py) is imported by the thread as it starts, not by the app: its import
is the largest part of the app's start-up beyond FastAPI's own (~0.1 s), and the app can answer
meanwhile; the answers queue as usual until the thread writes them.
"""

import gc
import importlib
import re
import threading
import time
from typing import TYPE_CHECKING, Any

from loguru import logger

from app.core import metrics
from app.store.records import AnsweredRequest, store_rows

if TYPE_CHECKING:
    from sqlalchemy import Engine

# A database URL's "dialect[+driver]://" start, as SQLAlchemy's make_url reads it: a value
# without one stops start-up here, before any request.
DATABASE_URL_START = re.compile(r"(?P<backend>\w+)[\w+]*://")

INSERT_CHUNK_ROWS = 10_000
RETRY_PAUSE_S = (0.1, 0.2, 0.5, 1.0, 2.0)  # then 2 s between attempts while the database is down
DROP_WARNING_INTERVAL_S = 60.0


def _reason(error: Exception) -> str:
    """The driver's own message, first line only: never the SQL or its parameters (passengers)."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"[:300]


class PredictionWriter:
    """Queue answered requests with `add`; `start` the thread once, `close` it at shutdown."""

    def __init__(
        self, url: str, max_rows: int, flush_interval_s: float, shutdown_timeout_s: float
    ) -> None:
        start = DATABASE_URL_START.match(url)
        if start is None:
            raise ValueError("PREDICTION_STORE_URL is not a database URL (dialect[+driver]://...)")
        self.url = url
        self.backend = start["backend"]  # what the log may say: never the URL
        self.max_rows = max_rows
        self.flush_interval_s = flush_interval_s
        self.shutdown_timeout_s = shutdown_timeout_s
        self.dropped_rows = 0
        self.written_rows = 0
        self._lock = threading.Lock()
        self._pending: list[AnsweredRequest] = []
        self._queued_rows = 0  # pending plus the batch being written: what the bound limits
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="prediction-store", daemon=True)
        self._engine: Engine | None = None
        self._table_ready = False
        self._last_drop_warning = -DROP_WARNING_INTERVAL_S

    def start(self) -> None:
        self._thread.start()

    def add(self, request: AnsweredRequest) -> None:
        """Request path: queue the answer, or count its rows as dropped when the queue is full."""
        count = len(request.rows)
        with self._lock:
            if self._queued_rows + count <= self.max_rows:
                self._pending.append(request)
                self._queued_rows += count
                return
            self.dropped_rows += count
        metrics.STORE_ROWS_DROPPED.inc(count)
        now = time.monotonic()
        if now - self._last_drop_warning >= DROP_WARNING_INTERVAL_S:
            self._last_drop_warning = now
            logger.warning(
                "prediction store: queue full ({max} rows), {dropped} rows dropped so far",
                max=self.max_rows,
                dropped=self.dropped_rows,
            )

    def close(self) -> None:
        """Write everything queued (bounded by the shutdown timeout), then stop the thread."""
        self._stopping.set()
        self._thread.join(self.shutdown_timeout_s + 5)
        if self._engine is not None:
            self._engine.dispose()
        logger.info(
            "prediction store closed: {written} rows written, {dropped} dropped",
            written=self.written_rows,
            dropped=self.dropped_rows,
        )

    def _run(self) -> None:
        importlib.import_module("app.store.table")  # SQLAlchemy, here rather than at start-up
        gc.freeze()  # its modules join those frozen at start-up (main.py's lifespan says why)

        deadline = float("inf")
        while True:
            stopping = self._stopping.wait(self.flush_interval_s)
            if stopping and deadline == float("inf"):
                deadline = time.monotonic() + self.shutdown_timeout_s
            with self._lock:
                batch, self._pending = self._pending, []
            if batch:
                self._write(batch, deadline)
            metrics.STORE_QUEUE_ROWS.set(self._queued_rows)
            if stopping and not self._pending:
                return

    def _write(self, batch: list[AnsweredRequest], deadline: float) -> None:
        """Insert the batch, retrying while the database is down; give up only past `deadline`."""
        rows = [row for request in batch for row in self._rows(request)]
        attempt = 0
        while (error := self._insert(rows)) is not None:
            if attempt == 0:
                logger.warning("prediction store unavailable, retrying: {reason}", reason=error)
            pause = RETRY_PAUSE_S[min(attempt, len(RETRY_PAUSE_S) - 1)]
            attempt += 1
            if self._stopping.is_set():
                deadline = min(deadline, time.monotonic() + self.shutdown_timeout_s)
            if time.monotonic() + pause > deadline:
                self._give_up(batch)
                return
            time.sleep(pause)
        if attempt:
            logger.info("prediction store reachable again after {n} retries", n=attempt)
        self._release(batch, written=len(rows))

    def _rows(self, request: AnsweredRequest) -> list[dict[str, Any]]:
        try:
            return store_rows(request)
        except Exception as error:  # a row the package accepted but the store cannot read
            logger.error(
                "prediction store: request {id} not stored: {reason}",
                id=request.request_id,
                reason=_reason(error),
            )
            return []

    def _insert(self, rows: list[dict[str, Any]]) -> str | None:
        """None when the rows are in; otherwise why not."""
        from app.store.table import insert_rows, metadata, open_engine  # imported by _run

        try:
            if self._engine is None:
                self._engine = open_engine(self.url)
            with self._engine.begin() as connection:
                if not self._table_ready:
                    metadata.create_all(connection)
                    self._table_ready = True
                for start in range(0, len(rows), INSERT_CHUNK_ROWS):
                    insert_rows(connection, rows[start : start + INSERT_CHUNK_ROWS])
        except Exception as error:  # the store must never take the service down
            if self._engine is not None:
                self._engine.dispose()
            return _reason(error)
        return None

    def _release(self, batch: list[AnsweredRequest], written: int) -> None:
        self.written_rows += written
        metrics.STORE_ROWS_WRITTEN.inc(written)
        with self._lock:
            self._queued_rows -= sum(len(request.rows) for request in batch)

    def _give_up(self, batch: list[AnsweredRequest]) -> None:
        lost = sum(len(request.rows) for request in batch)
        self.dropped_rows += lost
        metrics.STORE_ROWS_DROPPED.inc(lost)
        logger.error(
            "prediction store: shutdown timeout, {lost} queued rows not written", lost=lost
        )
        with self._lock:
            self._queued_rows -= lost
