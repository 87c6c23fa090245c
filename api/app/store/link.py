"""The writer thread's link to the database: its connection, each attempt at a write, and whether
the database is reachable (which decides, at admission, between shedding and answering anyway)."""

import time
from collections.abc import Callable
from typing import Any

from app.store.database import Database
from app.store.schema_gate import SchemaGate
from titanic_store import connection as db

# A write that has finished no statement for this long, or for this many times the last good
# write's time if that is longer, counts as an outage already (a hung database): answers stop
# being shed for room. A long write that keeps finishing statements (a flood's batch on SQLite,
# many statements per transaction, on a busy machine) is busy, not hung: were it taken for an
# outage, requests the full queue should shed would be answered and their rows dropped.
STALLED_WRITE_S = 0.25
STALLED_WRITE_FACTOR = 3


class _ProgressCursor:
    """The driver's cursor, noting when each statement has run."""

    def __init__(self, cursor: Any, progressed: Callable[[], None]) -> None:
        self._cursor = cursor
        self._progressed = progressed

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        result = self._cursor.execute(*args, **kwargs)
        self._progressed()
        return result

    def executemany(self, *args: Any, **kwargs: Any) -> Any:
        result = self._cursor.executemany(*args, **kwargs)
        self._progressed()
        return result

    def __getattr__(self, name: str) -> Any:  # fetchone, fetchall, rowcount, ...
        return getattr(self._cursor, name)


class WriterLink:
    """The writer thread's connection, opened on demand and dropped after an outage."""

    def __init__(self, database: Database, gate: SchemaGate) -> None:
        self._database = database
        self._gate = gate
        self._connection: Any = None
        self._reachable = True  # False from a failed attempt until the next write succeeds
        self._progress_at: float | None = None  # the attempt under way: start or last statement
        self._last_attempt_s = 0.0  # how long the last good attempt took

    def reachable(self) -> bool:
        """False from a failed attempt, or one that has stalled, until a write works."""
        progress_at = self._progress_at
        patience = max(STALLED_WRITE_S, STALLED_WRITE_FACTOR * self._last_attempt_s)
        stalled = progress_at is not None and time.monotonic() - progress_at > patience
        return self._reachable and not stalled

    def attempt(self, work: Callable[[Any], object]) -> tuple[Exception | None, bool]:
        """Run `work` in one transaction: (None, False), or the error and whether it is an
        outage (the database unreachable, hung, full or behind) rather than the rows' fault."""
        started = self._progress_at = time.monotonic()
        try:
            if self._connection is None:
                self._connection = self._database.connect()
            self._gate.require_current(self._connection)  # failing here is never the rows' fault
            self._database.in_transaction(
                self._connection, lambda cursor: work(_ProgressCursor(cursor, self._progressed))
            )
        except Exception as error:  # the store must never take the service down
            outage = not self._gate.ready or db.is_outage(error, self._connection)
            if outage:
                self._reachable = False
                self.close()
            return error, outage
        finally:
            self._progress_at = None
        self._reachable = True
        self._last_attempt_s = time.monotonic() - started
        return None, False

    def _progressed(self) -> None:
        self._progress_at = time.monotonic()

    def check_schema(self) -> Exception | None:
        """Reach the database and pass the schema gate (an embedded SQLite store is upgraded)
        without writing: what readiness waits for before the first request."""
        try:
            error, _ = self.attempt(lambda cursor: None)
        finally:
            self._gate.checked.set()
        return error

    def close(self) -> None:
        db.close(self._connection)
        self._connection = None
