"""The database as the writer sees it: its connections, each attempt at a write, and whether the
database is reachable (which decides, at admission, between shedding and answering anyway).

Every wait is bounded: connect, statement, and a client-side deadline for a server that accepts
but never answers. The writer talks to the database through its driver alone
(titanic_store.connection and .statements): SQLAlchemy and Alembic are not loaded in the serving
process, whose memory and start-up they would otherwise dominate (docs/performance.md).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from app.store.schema_gate import SchemaGate
from titanic_store import connection as db

Result = TypeVar("Result")

# A write still running after this long, or after this many times the last good write's time if
# that is longer, counts as an outage already (a hung database): answers stop being shed for room.
STALLED_WRITE_S = 0.25
STALLED_WRITE_FACTOR = 3


@dataclass(frozen=True)
class Database:
    """Where the store is and how long any wait on it may last."""

    url: str
    backend: str  # what the log may say: never the URL
    connect_timeout_s: float
    statement_timeout_s: float

    def connect(self) -> Any:
        return db.connect(
            self.url, self.connect_timeout_s, self.statement_timeout_s, create_directory=True
        )

    def in_transaction(self, connection: Any, work: Callable[[Any], Result]) -> Result:
        """`work(cursor)` in one transaction that cannot outlast the statement timeout."""
        with db.statement_deadline(connection, self.statement_timeout_s + 1.0):
            return db.in_transaction(connection, work)


class WriterLink:
    """The writer thread's connection, opened on demand and dropped after an outage."""

    def __init__(self, database: Database, gate: SchemaGate) -> None:
        self._database = database
        self._gate = gate
        self._connection: Any = None
        self._reachable = True  # False from a failed attempt until the next write succeeds
        self._attempt_started: float | None = None  # when the attempt under way began
        self._last_attempt_s = 0.0  # how long the last good attempt took

    def reachable(self) -> bool:
        """False from a failed attempt, or one that has stalled, until a write works."""
        started = self._attempt_started
        patience = max(STALLED_WRITE_S, STALLED_WRITE_FACTOR * self._last_attempt_s)
        stalled = started is not None and time.monotonic() - started > patience
        return self._reachable and not stalled

    def attempt(self, work: Callable[[Any], object]) -> tuple[Exception | None, bool]:
        """Run `work` in one transaction: (None, False), or the error and whether it is an
        outage (the database unreachable, hung, full or behind) rather than the rows' fault."""
        started = self._attempt_started = time.monotonic()
        try:
            if self._connection is None:
                self._connection = self._database.connect()
            self._gate.require_current(self._connection)  # failing here is never the rows' fault
            self._database.in_transaction(self._connection, work)
        except Exception as error:  # the store must never take the service down
            outage = not self._gate.ready or db.is_outage(error, self._connection)
            if outage:
                self._reachable = False
                self.close()
            return error, outage
        finally:
            self._attempt_started = None
        self._reachable = True
        self._last_attempt_s = time.monotonic() - started
        return None, False

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
