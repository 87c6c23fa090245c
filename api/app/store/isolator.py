"""The batch isolator: a batch is written whole, or the row the database refuses is found and
kept aside, and rows whose commit went unanswered are counted in doubt.

A failed insert is either an outage (the database is unreachable, hung or full: the rows are
kept and retried with a growing pause) or the rows' fault (the batch is split in halves until the
refused row stands alone, and that row is quarantined, in the quarantine table, else a JSON-lines
file beside a SQLite store; the rows around it are written). A retry after an outage first checks
whether the broken attempt was committed after all (its connection can break after the commit
reached the database): rows are never written twice, nor quarantined as their own duplicates.
"""

import json
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from loguru import logger

from app.store.admission import RowQueue
from app.store.database import Database
from app.store.ledger import Ledger
from app.store.link import WriterLink
from app.store.records import OUTCOME_BYTES, queued_bytes
from titanic_store import connection as db
from titanic_store import statements
from titanic_store.names import COLUMNS
from titanic_store.rows import OutcomeRow, PredictionRow

Row = TypeVar("Row", PredictionRow, OutcomeRow)
Work = Callable[[Any], object]

INSERT_CHUNK_ROWS = 10_000


def reason(error: BaseException) -> str:
    """The driver's class and its own first line (never the SQL, its values or the URL)."""
    return f"{kind(error)}: {db.driver_message(error)}"[:300]


def kind(error: BaseException) -> str:
    """A bounded label for metrics: the driver's exception class."""
    return type(error).__name__


def _outcome_bytes(rows: Sequence[OutcomeRow]) -> int:
    return len(rows) * OUTCOME_BYTES


def quarantine_file_for(url: str) -> Path | None:
    """Beside a SQLite store: where refused rows go when even its quarantine table refuses them."""
    if db.backend(url) != "sqlite" or (path := db.sqlite_path(url)) == ":memory:":
        return None
    return Path(path + ".quarantine.jsonl")


class BatchIsolator:
    """Writes the flush loop's batches; `pause(attempt)` waits before a retry, False at the
    shutdown deadline."""

    def __init__(
        self,
        database: Database,
        link: WriterLink,
        queue: RowQueue,
        ledger: Ledger,
        pause: Callable[[int], bool],
    ) -> None:
        self._backend = database.backend
        self._link = link
        self._queue = queue
        self._ledger = ledger
        self._pause = pause
        self.quarantine_file = quarantine_file_for(database.url)
        self.doubtful_rows = 0  # rows of the head chunk whose sent commit got no answer yet

    def write_predictions(self, batch: list[PredictionRow]) -> None:
        def insert(chunk: Sequence[PredictionRow], retry: bool) -> Work:
            statement = statements.insert_predictions
            if retry:  # the last attempt broke off, perhaps after its commit went through
                statement = statements.insert_predictions_unless_committed
            return partial(statement, backend=self._backend, rows=chunk)

        # SQLite's commit is in-process: it happened or it did not, never in doubt
        self._write(batch, "predictions", insert, queued_bytes, self._backend != "sqlite")

    def write_outcomes(self, batch: list[OutcomeRow]) -> None:
        def insert(chunk: Sequence[OutcomeRow], retry: bool) -> Work:
            # idempotent: an outcome already recorded stays as it is
            return partial(statements.insert_outcomes, backend=self._backend, rows=chunk)

        self._write(batch, "outcomes", insert, _outcome_bytes, False)

    def _write(
        self,
        batch: list[Row],
        table: str,
        insert: Callable[[Sequence[Row], bool], Work],
        size: Callable[[Sequence[Row]], int],
        doubtful_commits: bool,
    ) -> None:
        """Insert the batch into `table`; isolate refused rows; retry through outages until the
        deadline."""
        work = deque(
            batch[start : start + INSERT_CHUNK_ROWS]
            for start in range(0, len(batch), INSERT_CHUNK_ROWS)
        )
        attempt = 0
        while work:
            chunk = work[0]
            action = insert(chunk, attempt > 0)
            if doubtful_commits:
                action = self._doubtful_once_committing(action, len(chunk))
            error, outage = self._link.attempt(action)
            if not outage:  # the database answered: whether the chunk is stored is known
                self.doubtful_rows = 0
            if error is None:
                work.popleft()
                self._settle(len(chunk), size(chunk), "written", table=table)
                if attempt:
                    logger.info("prediction store reachable again after {n} retries", n=attempt)
                attempt = 0
            elif outage:
                if attempt == 0:
                    logger.warning(
                        "prediction store unavailable, retrying: {reason}", reason=reason(error)
                    )
                if not self._pause(attempt):
                    rest = [row for chunk in work for row in chunk]
                    doubtful, self.doubtful_rows = self.doubtful_rows, 0  # the head chunk's
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

    def _doubtful_once_committing(self, work: Work, at_stake: int) -> Work:
        """`work`, after which its commit is sent: from then on its `at_stake` rows are in doubt
        until the database answers, since a server carries out a commit it received even after
        the connection broke."""

        def then_commit(cursor: Any) -> object:
            result = work(cursor)
            self.doubtful_rows = at_stake
            return result

        return then_commit

    def _quarantine(
        self, row: PredictionRow | OutcomeRow, error: Exception, table: str, size: int
    ) -> None:
        """Keep a refused row aside: in the quarantine table, else the JSON-lines file."""
        why = reason(error)
        if isinstance(row, PredictionRow):
            request_id, index = row.request_id, row.row_index
            values = dict(zip(COLUMNS, row.column_values(), strict=True))
        else:
            request_id, index, values = None, None, row._asdict()
        entry = {
            "quarantined_at": datetime.now(UTC),
            "request_id": request_id,
            "row_index": index,
            "reason": why,
            "row": json.dumps({"table": table, **values}, default=str),
        }
        table_error, _ = self._link.attempt(
            partial(statements.insert_quarantined, backend=self._backend, entry=entry)
        )
        where = "the quarantine table" if table_error is None else self._quarantine_to_file(entry)
        if where is None:
            self._settle(1, size, "unstorable")
            return
        self._settle(1, size, "quarantined", label=kind(error))
        self._ledger.warn(
            "quarantine",
            "prediction store: a row of {table} (request {id}, row {index}) refused ({reason}), "
            "kept in {where}; {count} rows quarantined so far",
            table=table,
            index=index,
            id=request_id,
            reason=why,
            where=where,
            count=self._ledger.quarantined_rows,
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
        """Rows leave the queue's bounds and are counted, unless shutdown counted them already."""
        if self._queue.settle(rows, size):
            self._ledger.count(rows, outcome, label, table)
