"""The prediction store's writer: a bounded queue on the request path, batched inserts in a thread.

It writes two kinds of rows: the predictions answered (app/store/records.py) and the outcomes
clients report for them (app/api/routes/outcomes.py). Every queued row ends in exactly one of
four counts (ledger.py), each with a metric and a log line:
written; quarantined (the database refused the row even alone: it is kept aside with the
reason); dropped (queue full while the database was unreachable, or still queued when shutdown
ran out of time); in doubt (PostgreSQL only: shutdown came while the commit of its batch had been
sent and not answered, so the row is stored if that commit went through when the database
answered, which the process no longer learns).

`PredictionWriter` puts its parts together, each in a module named for its job:

- admission.py: room reserved before scoring and the bounded queue (the request path's part);
- flush_loop.py: the thread that wakes every flush interval, and the shutdown deadline;
- isolator.py: batches written, refused rows isolated by bisection and quarantined, unanswered
  commits counted in doubt;
- link.py: the thread's connection, each attempt told apart as an outage or the rows' fault;
- schema_gate.py: no write before the schema is current (an embedded SQLite store upgraded);
- reader.py: the outcomes route's look-ups in the database, on threads of their own with a
  deadline.
"""

import atexit
import time
from dataclasses import replace

from loguru import logger

from app.core import metrics
from app.store.admission import RowQueue
from app.store.database import Database
from app.store.flush_loop import FlushLoop
from app.store.isolator import BatchIsolator
from app.store.ledger import Ledger
from app.store.link import WriterLink
from app.store.reader import OutcomeReader
from app.store.schema_gate import SchemaGate
from titanic_store import connection as db
from titanic_store.rows import OutcomeRow, PredictionRow


class PredictionWriter:
    """`reserve` then `add` on the request path; `start` the thread once, `close` at shutdown."""

    def __init__(
        self,
        url: str,
        *,
        max_rows: int,
        max_bytes: int,
        flush_interval_s: float,
        shutdown_timeout_s: float,
        connect_timeout_s: float,
        statement_timeout_s: float,
        read_timeout_s: float = 2.0,
    ) -> None:
        self.backend = db.backend(url)  # what the log may say: never the URL (settings checked it)
        self.shutdown_timeout_s = shutdown_timeout_s
        database = Database(url, self.backend, connect_timeout_s, statement_timeout_s)
        gate = SchemaGate(database)
        self._ledger = Ledger()
        self._link = WriterLink(database, gate)
        self._queue = RowQueue(self._ledger, max_rows, max_bytes, self._link.reachable)
        reads = replace(
            database,
            connect_timeout_s=min(connect_timeout_s, read_timeout_s),
            statement_timeout_s=min(statement_timeout_s, read_timeout_s),
        )
        self.read_timeout_s = read_timeout_s
        self._reader = OutcomeReader(reads, gate, read_timeout_s)
        self._loop = FlushLoop(
            self._queue,
            lambda pause: BatchIsolator(database, self._link, self._queue, self._ledger, pause),
            flush_interval_s,
            self.publish_metrics,
            self._link.check_schema,
            lambda: gate.ready,
        )
        self._gate = gate
        # the request path's and the outcomes route's calls, as they are
        self.reserve = self._queue.reserve
        self.release = self._queue.release
        self.queued_predictions = self._queue.queued_predictions
        self.queued_outcomes = self._queue.queued_outcomes
        self.look_up = self._reader.look_up
        self.submit_read = self._reader.pool.submit  # the reads' own threads (reader.py)

    def add(self, rows: list[PredictionRow], reserved: int) -> None:
        """Queue an answer's rows; without a reservation they are dropped when they don't fit."""
        self._queue.add(rows, reserved)

    def add_outcomes(self, rows: list[OutcomeRow], reserved: int) -> None:
        """Queue accepted outcomes, like an answer's rows."""
        self._queue.add_outcomes(rows, reserved)

    @property
    def written_rows(self) -> int:
        return self._ledger.written_rows

    @property
    def quarantined_rows(self) -> int:
        return self._ledger.quarantined_rows

    @property
    def dropped_rows(self) -> int:
        return self._ledger.dropped_rows

    @property
    def in_doubt_rows(self) -> int:
        return self._ledger.in_doubt_rows

    def not_ready(self) -> str | None:
        """Why the store cannot take rows yet (app/core/readiness.py), or None."""
        return self._gate.not_ready()

    def wait_checked(self, timeout_s: float) -> bool:
        """Wait (bounded) for the first schema check: start-up gives it this long."""
        return self._gate.checked.wait(timeout_s)

    def start(self) -> None:
        self._loop.start()
        atexit.register(self.close)  # a forced exit (a second Ctrl-C) skips the lifespan's close

    def publish_metrics(self) -> None:
        """Queue depth and the last write's age, as of now (also while the thread is blocked)."""
        metrics.STORE_QUEUE_ROWS.set(self._queue.queued_rows)
        metrics.STORE_QUEUE_BYTES.set(self._queue.queued_bytes)
        metrics.STORE_LAST_WRITE_AGE.set(time.monotonic() - self._ledger.last_write)
        metrics.STORE_UP.set(1 if self._link.reachable() else 0)

    def close(self) -> None:
        """Write what is queued within the shutdown timeout; count and log what could not be."""
        atexit.unregister(self.close)
        if self._loop.stop(self.shutdown_timeout_s):
            self._link.close()
        else:  # blocked in the database: what it holds is lost with us
            lost = self._queue.abandon()
            doubtful = self._loop.doubtful_rows  # perhaps blocked waiting for its commit's answer
            self._ledger.in_doubt(doubtful)
            self._ledger.drop(lost - doubtful, "shutdown_timeout")
        self._reader.close()
        self.publish_metrics()
        ledger = self._ledger
        logger.info(
            "prediction store closed: {written} rows written, {quarantined} quarantined, "
            "{dropped} dropped, {in_doubt} in doubt; {outcomes} outcomes written",
            written=ledger.written_rows,
            outcomes=ledger.written_outcomes,
            quarantined=ledger.quarantined_rows,
            dropped=ledger.dropped_rows,
            in_doubt=ledger.in_doubt_rows,
        )
