"""The schema gate: the writer writes only to a store whose schema is the newest migration.

An embedded SQLite store is brought there by the writer itself (this process is its only user),
through `titanic-store upgrade` run as a child process; any other database must already be there
(the deploy's pre-deploy step, the same command), else the writer does not write to it: it says
so in the log, sets `titanic_api_store_schema_current` to 0, and treats the store as unavailable
until it is upgraded.

Readiness (app/core/readiness.py) asks `not_ready`: a store whose schema is unchecked, being
upgraded or found behind is not ready, so requests are refused (503) rather than answered and
their rows dropped. A database that cannot be reached at all is an outage, not a verdict on the
schema: the writer's outage policy (admission.py) applies to it.
"""

import os
import subprocess
import sys
import threading
import time
from functools import partial
from typing import Any

from loguru import logger

from app.core import metrics
from app.store.database import Database
from titanic_store import statements

UPGRADE_TIMEOUT_S = 300.0  # `titanic-store upgrade` of an embedded SQLite store
UPGRADE_RETRY_S = 60.0  # a failed upgrade is tried again after this long, not at every retry


class SchemaGate:
    """Checked once per process on the writer's connection; `ready` once the schema is current."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self.ready = False
        self.checked = threading.Event()  # set once the first check has ended, either way
        self.upgrading = False
        self.behind: str | None = None  # why the schema is not current, when the database said
        self._next_upgrade = 0.0  # monotonic time from which an upgrade may be tried

    def not_ready(self) -> str | None:
        """Why the store cannot take rows yet, or None."""
        if self.ready:
            return None
        if not self.checked.is_set():
            return "the prediction store's schema has not been checked yet"
        if self.upgrading:
            return "the prediction store's schema is being upgraded"
        if self.behind is not None:
            return f"the prediction store's schema is not current: {self.behind}"
        return None  # unreachable: an outage, not a schema verdict

    def require_current(self, connection: Any) -> None:
        """Raise SchemaBehindError unless the schema is current; an embedded SQLite store is
        upgraded first (at most once every UPGRADE_RETRY_S)."""
        if self.ready:
            return
        backend = self._database.backend
        check = partial(statements.require_current_schema, backend=backend)
        try:
            try:
                self._database.in_transaction(connection, check)
            except statements.SchemaBehindError:
                if backend != "sqlite" or time.monotonic() < self._next_upgrade:
                    raise
                self._next_upgrade = time.monotonic() + UPGRADE_RETRY_S
                self.upgrading = True
                try:
                    self.upgrade_sqlite()
                finally:
                    self.upgrading = False
                self._database.in_transaction(connection, check)
        except statements.SchemaBehindError as error:
            self.behind = str(error)[:300]
            metrics.STORE_SCHEMA_CURRENT.set(0)
            raise
        metrics.STORE_SCHEMA_CURRENT.set(1)
        self.behind = None
        self.ready = True

    def upgrade_sqlite(self) -> None:
        """`titanic-store upgrade` in a child process: Alembic is not loaded into this one. The
        child has a session of its own: a signal to the server's process group (Ctrl-C, a
        supervisor's stop) must not cut it short while the writer drains the queue."""
        command = [sys.executable, "-m", "titanic_store.cli", "upgrade"]
        environment = {**os.environ, "PREDICTION_STORE_URL": self._database.url}
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
