"""The read side: the outcomes route's look-ups of stored predictions and recorded outcomes, on
the caller's thread with a connection of their own (never the writer thread's)."""

import threading
from typing import Any

from app.store.link import Database
from app.store.schema_gate import SchemaGate
from titanic_store import connection as db
from titanic_store import statements
from titanic_store.names import OUTCOMES_TABLE


class OutcomeReader:
    """One look-up at a time; the connection is opened on first use and dropped on an error."""

    def __init__(self, database: Database, gate: SchemaGate) -> None:
        self._database = database
        self._gate = gate
        self._connection: Any = None
        self._lock = threading.Lock()

    def look_up(self, ids: set[str]) -> tuple[set[str], dict[str, int]]:
        """From the database: those of `ids` that a stored prediction has, and the labels already
        recorded for them."""
        backend = self._database.backend

        def read(cursor: Any) -> tuple[set[str], dict[str, int]]:
            if not self._gate.ready and not statements.has_table(cursor, backend, OUTCOMES_TABLE):
                return set(), {}  # nothing written yet
            return (
                statements.known_predictions(cursor, backend, ids),
                statements.recorded_outcomes(cursor, backend, ids),
            )

        with self._lock:
            try:
                if self._connection is None:
                    self._connection = self._database.connect()
                return self._database.in_transaction(self._connection, read)
            except Exception:
                self.close()
                raise

    def close(self) -> None:
        db.close(self._connection)
        self._connection = None
