"""The candidate's answers to mirrored rows, written to the prediction store's shadow table.

Written synchronously (in a worker thread) before the mirrored call is answered: the live side
counts a call as mirrored only once its rows are stored, so "mirrored = stored" can be checked.
The candidate's latency does not matter to anyone, so there is no queue here.

The candidate is ready only once its store's schema is current, as a live service is (it never
upgrades a store itself: the deploy's pre-deploy step, or the live service for its own SQLite
file, does). Before, a candidate on a store without the schema said ready and refused every
mirrored call.
"""

import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from titanic_store import statements

if TYPE_CHECKING:
    from sqlalchemy import Engine

SCHEMA_CHECK_EVERY_S = 2.0  # until the schema is current; readiness reads the last verdict


@dataclass(frozen=True)
class ShadowAnswer:
    """One stored row: the live row's id, the candidate's version and answer."""

    created_at: datetime
    live_prediction_id: str
    model_version: str
    probability: float
    prediction: int
    latency_ms: float


class ShadowAnswers:
    """The shadow table's writer; the engine's waits are bounded like the store's. SQLAlchemy is
    imported here, when a candidate starts one: a live service never loads it (its store writes
    through the driver alone, for its start-up time and memory)."""

    def __init__(self, url: str, connect_timeout_s: float, statement_timeout_s: float) -> None:
        from titanic_store.engine import open_engine

        self._engine: Engine = open_engine(
            url, connect_timeout_s, statement_timeout_s, create_directory=True
        )
        self._not_ready: str | None = "the prediction store's schema has not been checked yet"
        self._stopping = threading.Event()
        self._schema_watch = threading.Thread(
            target=self._watch_schema, name="shadow-schema", daemon=True
        )
        self._schema_watch.start()

    def not_ready(self) -> str | None:
        """Why the candidate cannot store answers yet, or None. Read, never checked, here: a
        readiness probe must not wait on the database."""
        return self._not_ready

    def _watch_schema(self) -> None:
        """Check the schema until it is current. A database that cannot be reached is an
        outage, not unreadiness (core/readiness.py): the write's own 503 covers it."""
        while True:
            try:
                with self._engine.connect() as connection:
                    cursor = connection.connection.cursor()
                    statements.require_current_schema(cursor, self._engine.dialect.name)
            except statements.SchemaBehindError as behind:
                self._not_ready = f"the prediction store's schema is not current: {behind}"
            except Exception:  # unreachable, or refused: an outage
                self._not_ready = None
            else:
                self._not_ready = None
                return
            if self._stopping.wait(SCHEMA_CHECK_EVERY_S):
                return

    def write(self, answers: list[ShadowAnswer]) -> None:
        from titanic_store.tables import shadow_predictions

        if answers:
            with self._engine.begin() as connection:
                connection.execute(
                    shadow_predictions.insert(), [asdict(answer) for answer in answers]
                )

    def close(self) -> None:
        self._stopping.set()
        self._schema_watch.join(timeout=1.0)
        self._engine.dispose()
