"""The background writer: a bounded queue on the request path, batched inserts in a thread.

It writes two kinds of rows: the predictions answered (app/store/records.py) and the outcomes
clients report for them (app/api/routes/outcomes.py). Every queued row ends in exactly one of
four counts, each with a metric and a log line:
written; quarantined (the database refused the row even alone: it is kept aside with the
reason); dropped (queue full while the database was unreachable, or still queued when shutdown
ran out of time); in doubt (PostgreSQL only: shutdown came while the commit of its batch had been
sent and not answered, so the row is stored if that commit went through when the database
answered, which the process no longer learns).

- The request path reserves room before scoring (`reserve`) and queues the stored rows after
  (`add`): while the database is reachable a request that does not fit is shed with 503 before
  it is answered, so a flood never drops answered rows. While it is unreachable, requests keep
  being answered and queue up to the bound (rows and bytes); beyond it rows are dropped.
- A thread wakes every flush interval and inserts what is queued. A failed insert is either an
  outage (the database is unreachable, hung or full: the rows are kept and retried with a
  growing pause) or the rows' fault (the batch is split in halves until the refused row stands
  alone, and that row is quarantined; the rows around it are written). A retry after an outage
  first checks whether the broken attempt was committed after all (its connection can break
  after the commit reached the database): rows are never written twice, nor quarantined as
  their own duplicates.
- Every wait is bounded: connect, statement (and a client-side deadline for a server that
  accepts but never answers), and shutdown, after which what is left is counted and logged.

The schema: an embedded SQLite store is brought to the newest migration by the writer itself (this
process is its only user), through `titanic-store upgrade` run as a child process; any other
database must already be there (the deploy's pre-deploy step, the same command), else the writer
does not write to it: it says so in the log, sets `titanic_api_store_schema_current` to 0, and
treats the store as unavailable until it is upgraded.

The writer talks to the database through its driver alone (titanic_store.connection and
.statements): SQLAlchemy and Alembic are not loaded in the serving process, whose memory and
start-up they would otherwise dominate beyond FastAPI's own (docs/performance.md).
"""

import atexit
import json
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from loguru import logger

from app.core import metrics
from app.store.records import OUTCOME_BYTES, ROW_BYTES, OutcomeRow, StoredRow, queued_bytes
from titanic_store import connection as db
from titanic_store import statements
from titanic_store.names import COLUMNS, OUTCOME_COLUMNS, OUTCOMES_TABLE

Result = TypeVar("Result")

INSERT_CHUNK_ROWS = 10_000
RETRY_PAUSE_S = (0.1, 0.2, 0.5, 1.0, 2.0)  # then 2 s between attempts while the database is down
WARNING_INTERVAL_S = 60.0
# A write still running after this long, or after this many times the last good write's time if
# that is longer, counts as an outage already (a hung database): answers stop being shed for room.
STALLED_WRITE_S = 0.25
STALLED_WRITE_FACTOR = 3
# The thread gives up this share of the shutdown timeout before `close` stops waiting for it.
SHUTDOWN_MARGIN = 0.9
UPGRADE_TIMEOUT_S = 300.0  # `titanic-store upgrade` of an embedded SQLite store
UPGRADE_RETRY_S = 60.0  # a failed upgrade is tried again after this long, not at every retry


def _reason(error: BaseException) -> str:
    """The driver's class and its own first line (never the SQL, its values or the URL)."""
    return f"{_kind(error)}: {db.driver_message(error)}"[:300]


def _kind(error: BaseException) -> str:
    """A bounded label for metrics: the driver's exception class."""
    return type(error).__name__


def _outcome_bytes(rows: list[tuple[Any, ...]]) -> int:
    return len(rows) * OUTCOME_BYTES


def quarantine_file_for(url: str) -> Path | None:
    """Beside a SQLite store: where refused rows go when even its quarantine table refuses them."""
    if db.backend(url) != "sqlite" or (path := db.sqlite_path(url)) == ":memory:":
        return None
    return Path(path + ".quarantine.jsonl")


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
    ) -> None:
        try:
            self.backend = db.backend(url)  # what the log may say: never the URL
        except ValueError:  # stops start-up, before any request
            raise ValueError(
                "PREDICTION_STORE_URL is neither sqlite:///path nor postgresql://... "
                "(set it to off for no store)"
            ) from None
        self.url = url
        self.quarantine_file = quarantine_file_for(url)
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.flush_interval_s = flush_interval_s
        self.shutdown_timeout_s = shutdown_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.statement_timeout_s = statement_timeout_s
        self.written_rows = 0
        self.quarantined_rows = 0
        self.dropped_rows = 0
        self.in_doubt_rows = 0
        self._lock = threading.Lock()
        self._pending: list[StoredRow] = []
        self._pending_outcomes: list[OutcomeRow] = []
        self._in_flight: list[StoredRow] = []  # the batches the thread is writing, for look-ups
        self._in_flight_outcomes: list[OutcomeRow] = []
        self.written_outcomes = 0
        self._queued_rows = 0  # pending plus the rows being written: what the bounds limit
        self._queued_bytes = 0
        self._reserved_rows = 0  # requests being scored that will queue their rows
        self._reachable = True  # False from a failed attempt until the next write succeeds
        self._attempt_started: float | None = None  # when the attempt under way began
        self._doubtful_rows = 0  # rows of the head batch whose sent commit got no answer yet
        self._last_attempt_s = 0.0  # how long the last good attempt took
        self._abandoned = False  # set by `close` when the thread outlived the shutdown timeout
        self._last_write = time.monotonic()
        self._last_warning: dict[str, float] = {}
        self._stopping = threading.Event()
        self._deadline = float("inf")
        self._thread = threading.Thread(target=self._run, name="prediction-store", daemon=True)
        self._connection: Any = None  # the thread's
        self._reader: Any = None  # the outcomes route's look-ups, one at a time
        self._reader_lock = threading.Lock()
        self._schema_ready = False
        self._next_upgrade = 0.0  # monotonic time from which an upgrade may be tried

    def start(self) -> None:
        self._thread.start()
        atexit.register(self.close)  # a forced exit (a second Ctrl-C) skips the lifespan's close

    # The request path ------------------------------------------------------------------------

    def _fits(self, rows: int, size: int) -> bool:
        return (
            self._queued_rows + self._reserved_rows + rows <= self.max_rows
            and self._queued_bytes + (self._reserved_rows * ROW_BYTES) + size <= self.max_bytes
        )

    def reachable(self) -> bool:
        """False from a failed attempt, or one that has stalled, until a write works."""
        started = self._attempt_started
        patience = max(STALLED_WRITE_S, STALLED_WRITE_FACTOR * self._last_attempt_s)
        stalled = started is not None and time.monotonic() - started > patience
        return self._reachable and not stalled

    def reserve(self, rows: int) -> int | None:
        """Room for `rows` before they are scored: the rows reserved, 0 when the database is
        unreachable (answer anyway; they queue if they still fit), None to shed the request."""
        with self._lock:
            if self._fits(rows, rows * ROW_BYTES):
                self._reserved_rows += rows
                return rows
        return None if self.reachable() else 0

    def release(self, reserved: int) -> None:
        """The reserved request was not answered after all."""
        with self._lock:
            self._reserved_rows -= reserved

    def add(self, rows: list[StoredRow], reserved: int) -> None:
        """Queue an answer's rows; without a reservation they are dropped when they don't fit."""
        self._queue("_pending", rows, queued_bytes(rows), reserved)

    def add_outcomes(self, rows: list[OutcomeRow], reserved: int) -> None:
        """Queue accepted outcomes, like an answer's rows."""
        self._queue("_pending_outcomes", rows, len(rows) * OUTCOME_BYTES, reserved)

    def _queue(self, pending: str, rows: list[Any], size: int, reserved: int) -> None:
        """Append to the list named `pending`, looked up under the lock (the thread swaps it)."""
        with self._lock:
            self._reserved_rows -= reserved
            if reserved or self._fits(len(rows), size):
                getattr(self, pending).extend(rows)
                self._queued_rows += len(rows)
                self._queued_bytes += size
                return
            self.dropped_rows += len(rows)
        metrics.STORE_ROWS_DROPPED.labels(reason="queue_full").inc(len(rows))
        self._warn(
            "queue_full",
            "prediction store: queue full ({rows} rows, {mib:.0f} MiB) while the database is "
            "unreachable: {dropped} rows dropped so far",
            rows=self.max_rows,
            mib=self.max_bytes / 2**20,
            dropped=self.dropped_rows,
        )

    def look_up(self, ids: set[str]) -> tuple[set[str], dict[str, int]]:
        """From the database (on the caller's thread, with its own connection): those of `ids`
        that a stored prediction has, and the labels already recorded for them."""

        def read(cursor: Any) -> tuple[set[str], dict[str, int]]:
            if not self._schema_ready and not statements.has_table(
                cursor, self.backend, OUTCOMES_TABLE
            ):
                return set(), {}  # nothing written yet
            return (
                statements.known_predictions(cursor, self.backend, ids),
                statements.recorded_outcomes(cursor, self.backend, ids),
            )

        with self._reader_lock:
            try:
                if self._reader is None:
                    self._reader = self._connect()
                return self._in_transaction(self._reader, read)
            except Exception:
                db.close(self._reader)
                self._reader = None
                raise

    def queued_predictions(self, ids: set[str]) -> set[str]:
        """Those of `ids` whose prediction is queued or being written (not in the database yet)."""
        with self._lock:
            queued = [*self._in_flight, *self._pending]
        return {row[-1] for row in queued if row[-1] in ids}

    def queued_outcomes(self, ids: set[str]) -> dict[str, int]:
        """prediction id -> label, for those of `ids` whose outcome is queued or being written."""
        with self._lock:
            queued = [*self._in_flight_outcomes, *self._pending_outcomes]
        found: dict[str, int] = {}
        for prediction_id, survived, _ in queued:
            if prediction_id in ids:
                found.setdefault(prediction_id, survived)
        return found

    def publish_metrics(self) -> None:
        """Queue depth and the last write's age, as of now (also while the thread is blocked)."""
        metrics.STORE_QUEUE_ROWS.set(self._queued_rows)
        metrics.STORE_QUEUE_BYTES.set(self._queued_bytes)
        metrics.STORE_LAST_WRITE_AGE.set(time.monotonic() - self._last_write)
        metrics.STORE_UP.set(1 if self.reachable() else 0)

    def close(self) -> None:
        """Write what is queued within the shutdown timeout; count and log what could not be."""
        atexit.unregister(self.close)
        self._deadline = time.monotonic() + self.shutdown_timeout_s * SHUTDOWN_MARGIN
        self._stopping.set()
        self._thread.join(self.shutdown_timeout_s)
        if self._thread.is_alive():  # blocked in the database: what it holds is lost with us
            with self._lock:
                self._abandoned = True
                lost, self._queued_rows, self._queued_bytes = self._queued_rows, 0, 0
                self._pending, self._pending_outcomes = [], []
                doubtful = self._doubtful_rows  # perhaps blocked waiting for its commit's answer
            self._count_in_doubt(doubtful)
            self._drop(lost - doubtful, "shutdown_timeout")
        else:
            db.close(self._connection)
        db.close(self._reader)
        self.publish_metrics()
        logger.info(
            "prediction store closed: {written} rows written, {quarantined} quarantined, "
            "{dropped} dropped, {in_doubt} in doubt; {outcomes} outcomes written",
            written=self.written_rows,
            outcomes=self.written_outcomes,
            quarantined=self.quarantined_rows,
            dropped=self.dropped_rows,
            in_doubt=self.in_doubt_rows,
        )

    # The writer thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            stopping = self._stopping.wait(self.flush_interval_s)
            with self._lock:
                self._in_flight, self._pending = self._pending, []
                self._in_flight_outcomes, self._pending_outcomes = self._pending_outcomes, []
            if self._in_flight:
                self._write(self._in_flight, "predictions")
            if self._in_flight_outcomes:
                self._write(self._in_flight_outcomes, "outcomes")
            with self._lock:
                self._in_flight, self._in_flight_outcomes = [], []
            self.publish_metrics()
            if stopping and not (self._pending or self._pending_outcomes):
                return

    def _write(self, batch: list[tuple[Any, ...]], table: str) -> None:
        """Insert the batch into `table` ("predictions" or "outcomes"); isolate refused rows;
        retry through outages until the deadline."""
        size = queued_bytes if table == "predictions" else _outcome_bytes
        work = deque(
            batch[start : start + INSERT_CHUNK_ROWS]
            for start in range(0, len(batch), INSERT_CHUNK_ROWS)
        )
        attempt = 0
        while work:
            chunk = work[0]
            if table == "outcomes":  # idempotent: an outcome already recorded stays as it is
                insert = statements.insert_outcomes
            elif attempt:  # the last attempt broke off, perhaps after its commit went through
                insert = statements.insert_predictions_unless_committed
            else:
                insert = statements.insert_predictions
            # SQLite's commit is in-process: it happened or it did not, never in doubt
            at_stake = len(chunk) if table == "predictions" and self.backend != "sqlite" else 0
            error, outage = self._attempt(
                partial(insert, backend=self.backend, rows=chunk), at_stake=at_stake
            )
            if not outage:  # the database answered: whether the chunk is stored is known
                self._doubtful_rows = 0
            if error is None:
                work.popleft()
                self._settle(len(chunk), size(chunk), "written", table=table)
                if attempt:
                    logger.info("prediction store reachable again after {n} retries", n=attempt)
                attempt = 0
            elif outage:
                if attempt == 0:
                    logger.warning(
                        "prediction store unavailable, retrying: {reason}", reason=_reason(error)
                    )
                if not self._pause(attempt):
                    rest = [row for chunk in work for row in chunk]
                    doubtful, self._doubtful_rows = self._doubtful_rows, 0  # the head chunk's
                    self._settle(doubtful, size(rest[:doubtful]), "in_doubt")
                    self._settle(len(rest) - doubtful, size(rest[doubtful:]), "shutdown_timeout")
                    return
                attempt += 1
            elif len(chunk) == 1:
                work.popleft()
                self._quarantine(chunk[0], error, table, size(chunk))
            else:
                work.popleft()
                half = len(chunk) // 2
                work.extendleft((chunk[half:], chunk[:half]))

    def _connect(self) -> Any:
        return db.connect(
            self.url, self.connect_timeout_s, self.statement_timeout_s, create_directory=True
        )

    def _in_transaction(self, connection: Any, work: Callable[[Any], Result]) -> Result:
        """`work(cursor)` in one transaction that cannot outlast the statement timeout."""
        with db.statement_deadline(connection, self.statement_timeout_s + 1.0):
            return db.in_transaction(connection, work)

    def _doubtful_once_committing(
        self, work: Callable[[Any], Result], at_stake: int
    ) -> Callable[[Any], Result]:
        """`work`, after which its commit is sent: from then on its `at_stake` rows are in doubt
        until the database answers, since a server carries out a commit it received even after
        the connection broke."""

        def then_commit(cursor: Any) -> Result:
            result = work(cursor)
            self._doubtful_rows = at_stake
            return result

        return then_commit

    def _attempt(
        self, work: Callable[[Any], object], at_stake: int = 0
    ) -> tuple[Exception | None, bool]:
        """Run `work` in one transaction: (None, False), or the error and whether it is outage.
        `at_stake`: the rows whose commit this is (see _doubtful_once_committing)."""
        started = self._attempt_started = time.monotonic()
        try:
            if self._connection is None:
                self._connection = self._connect()
            if not self._schema_ready:
                self._prepare_schema()  # a failure here is the database's, never the rows'
                self._schema_ready = True
            if at_stake:
                work = self._doubtful_once_committing(work, at_stake)
            self._in_transaction(self._connection, work)
        except Exception as error:  # the store must never take the service down
            outage = not self._schema_ready or db.is_outage(error, self._connection)
            if outage:
                self._reachable = False
                db.close(self._connection)
                self._connection = None
            return error, outage
        finally:
            self._attempt_started = None
        self._reachable = True
        self._last_attempt_s = time.monotonic() - started
        return None, False

    def _prepare_schema(self) -> None:
        """Refuse a schema that is not current; an embedded SQLite store is upgraded first."""
        check = partial(statements.require_current_schema, backend=self.backend)
        try:
            try:
                self._in_transaction(self._connection, check)
            except statements.SchemaBehindError:
                if self.backend != "sqlite" or time.monotonic() < self._next_upgrade:
                    raise
                self._next_upgrade = time.monotonic() + UPGRADE_RETRY_S
                self._upgrade_sqlite()
                self._in_transaction(self._connection, check)
        except statements.SchemaBehindError:
            metrics.STORE_SCHEMA_CURRENT.set(0)
            raise
        metrics.STORE_SCHEMA_CURRENT.set(1)

    def _upgrade_sqlite(self) -> None:
        """`titanic-store upgrade` in a child process: Alembic is not loaded into this one. The
        child has a session of its own: a signal to the server's process group (Ctrl-C, a
        supervisor's stop) must not cut it short while the writer drains the queue."""
        command = [sys.executable, "-m", "titanic_store.cli", "upgrade"]
        environment = {**os.environ, "PREDICTION_STORE_URL": self.url}
        try:
            done = subprocess.run(
                command,
                env=environment,
                capture_output=True,
                text=True,
                timeout=UPGRADE_TIMEOUT_S,
                start_new_session=True,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise statements.SchemaBehindError(f"titanic-store upgrade: {error}") from error
        if done.returncode != 0:  # its last line: the driver's or Alembic's message, no URL
            said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            said = said[:300]
            raise statements.SchemaBehindError(f"titanic-store upgrade failed: {said}")
        logger.info("prediction store: {said}", said=done.stdout.strip())

    def _pause(self, attempt: int) -> bool:
        """Wait before the next attempt; False when that would pass the shutdown deadline."""
        pause = RETRY_PAUSE_S[min(attempt, len(RETRY_PAUSE_S) - 1)]
        if time.monotonic() + pause > self._deadline:
            return False
        self._stopping.wait(pause)  # cut short by `close`, which sets the deadline
        self.publish_metrics()
        return time.monotonic() < self._deadline

    def _quarantine(self, row: tuple[Any, ...], error: Exception, table: str, size: int) -> None:
        """Keep a refused row aside: in the quarantine table, else the JSON-lines file."""
        reason = _reason(error)
        prediction = table == "predictions"
        columns = COLUMNS if prediction else OUTCOME_COLUMNS
        entry = {
            "quarantined_at": datetime.now(UTC),
            "request_id": row[1] if prediction else None,
            "row_index": row[2] if prediction else None,
            "reason": reason,
            "row": json.dumps(
                {"table": table, **dict(zip(columns, row, strict=True))}, default=str
            ),
        }
        table_error, _ = self._attempt(
            partial(statements.insert_quarantined, backend=self.backend, entry=entry)
        )
        where = "the quarantine table" if table_error is None else self._quarantine_to_file(entry)
        if where is None:
            self._settle(1, size, "unstorable")
            return
        self._settle(1, size, "quarantined", label=_kind(error))
        self._warn(
            "quarantine",
            "prediction store: a row of {table} (request {id}, row {index}) refused ({reason}), "
            "kept in {where}; {count} rows quarantined so far",
            table=table,
            index=entry["row_index"],
            id=entry["request_id"],
            reason=reason,
            where=where,
            count=self.quarantined_rows,
        )

    def _quarantine_to_file(self, entry: dict[str, Any]) -> str | None:
        if self.quarantine_file is None:
            return None
        try:
            with self.quarantine_file.open("a", encoding="ascii") as file:
                file.write(json.dumps(entry, default=str) + "\n")
        except OSError:
            return None
        return str(self.quarantine_file)

    def _settle(
        self, rows: int, size: int, outcome: str, label: str = "", table: str = "predictions"
    ) -> None:
        """Rows leave the queue: written, quarantined, in doubt, or dropped with `outcome` as the
        reason."""
        with self._lock:
            if self._abandoned:
                return
            self._queued_rows -= rows
            self._queued_bytes -= size
        if outcome == "written":
            self._last_write = time.monotonic()
            if table == "predictions":
                self.written_rows += rows
                metrics.STORE_ROWS_WRITTEN.inc(rows)
            else:
                self.written_outcomes += rows
                metrics.STORE_OUTCOMES_WRITTEN.inc(rows)
        elif outcome == "quarantined":
            self.quarantined_rows += rows
            metrics.STORE_ROWS_QUARANTINED.labels(reason=label).inc(rows)
        elif outcome == "in_doubt":
            self._count_in_doubt(rows)
        else:
            self._drop(rows, outcome)

    def _count_in_doubt(self, rows: int) -> None:
        if not rows:
            return
        self.in_doubt_rows += rows
        metrics.STORE_ROWS_IN_DOUBT.inc(rows)
        logger.error(
            "prediction store: {rows} rows in doubt (shutdown came before the database answered "
            "their commit: they are stored if it went through); {total} in doubt so far",
            rows=rows,
            total=self.in_doubt_rows,
        )

    def _drop(self, rows: int, reason: str) -> None:
        if not rows:
            return
        self.dropped_rows += rows
        metrics.STORE_ROWS_DROPPED.labels(reason=reason).inc(rows)
        logger.error(
            "prediction store: {rows} rows not stored ({reason}); {dropped} dropped so far",
            rows=rows,
            reason=reason.replace("_", " "),
            dropped=self.dropped_rows,
        )

    def _warn(self, key: str, message: str, **values: object) -> None:
        """At most one warning a minute per kind of trouble, each with the counts so far."""
        now = time.monotonic()
        if now - self._last_warning.get(key, -WARNING_INTERVAL_S) >= WARNING_INTERVAL_S:
            self._last_warning[key] = now
            logger.warning(message, **values)
