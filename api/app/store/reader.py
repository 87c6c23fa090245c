"""The read side: the outcomes route's look-ups of stored predictions and recorded outcomes, on
threads of their own with a connection of their own (never the writer thread's).

Reads have a pool of their own (READ_THREADS daemon threads) and a deadline: a hung database
then blocks those threads only, never the threads that score large batches, and never the
process's exit (daemon threads are not waited for). The caller waits at most the read timeout
for its answer; the connection is severed at the same deadline if the server never answers.
"""

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from app.store.database import Database
from app.store.schema_gate import SchemaGate
from titanic_store import connection as db
from titanic_store import statements
from titanic_store.names import OUTCOMES_TABLE

Result = TypeVar("Result")
READ_THREADS = 2


class ReadPool:
    """Daemon threads running submitted calls; a call cancelled before it starts never runs."""

    def __init__(self, threads: int) -> None:
        self._work: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]]] = queue.SimpleQueue()
        for number in range(threads):
            name = f"prediction-store-read-{number}"
            threading.Thread(target=self._run, name=name, daemon=True).start()

    def submit(self, call: Callable[[], Result]) -> "Future[Result]":
        future: Future[Result] = Future()
        self._work.put((future, call))
        return future

    def _run(self) -> None:
        while True:
            future, call = self._work.get()
            if not future.set_running_or_notify_cancel():
                continue  # its caller stopped waiting
            try:
                future.set_result(call())
            except BaseException as error:  # handed to the caller
                future.set_exception(error)


class OutcomeReader:
    """One look-up at a time; the connection is opened on first use and dropped on an error."""

    def __init__(self, database: Database, gate: SchemaGate, timeout_s: float) -> None:
        self._database = database
        self._gate = gate
        self._timeout_s = timeout_s
        self._connection: Any = None
        self._lock = threading.Lock()
        self.pool = ReadPool(READ_THREADS)

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
                with db.statement_deadline(self._connection, self._timeout_s):
                    return db.in_transaction(self._connection, read)
            except Exception:
                self.close()
                raise

    def close(self) -> None:
        db.close(self._connection)
        self._connection = None
