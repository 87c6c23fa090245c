"""The database as the store's parts see it: where it is and how long any wait on it may last.

Every wait is bounded: connect, statement, and a client-side deadline for a server that accepts
but never answers. The store talks to the database through its driver alone
(titanic_store.connection and .statements): SQLAlchemy and Alembic are not loaded in the serving
process, whose memory and start-up they would otherwise dominate (docs/performance.md).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from titanic_store import connection as db

Result = TypeVar("Result")


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
