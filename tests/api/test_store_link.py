"""When the writer's link calls the database unreachable mid-write, on a real SQLite file: a hung
statement makes it so within the patience, a long write that keeps finishing statements does not.

The difference decides what a full queue does with a request: shed it (503, nothing lost) while
the database is reachable, answer it and drop its rows while it is not. A fresh-clone CI run on a
busy machine answered and dropped 6,000 rows of a flood while SQLite was merely writing a large
batch in many statements."""

import threading
import time
from pathlib import Path
from typing import Any

from app.store.database import Database
from app.store.link import STALLED_WRITE_S, WriterLink


class CurrentSchema:
    """The schema gate of a store already at the newest schema (what is tested is the link)."""

    ready = True
    checked = threading.Event()

    def require_current(self, connection: Any) -> None:
        return None


def reachable_during(link: WriterLink, work: Any, seconds: float) -> list[bool]:
    """link.reachable() sampled every 50 ms while `work` runs in the writer's place."""
    writer = threading.Thread(target=link.attempt, args=(work,))
    writer.start()
    samples = []
    deadline = time.monotonic() + seconds
    while writer.is_alive() and time.monotonic() < deadline:
        samples.append(link.reachable())
        time.sleep(0.05)
    writer.join(timeout=30)
    return samples


def a_link(tmp_path: Path) -> WriterLink:
    database = Database(f"sqlite:///{tmp_path}/store.sqlite3", "sqlite", 5.0, 30.0)
    return WriterLink(database, CurrentSchema())  # type: ignore[arg-type]


def test_a_long_write_that_keeps_finishing_statements_stays_reachable(tmp_path: Path) -> None:
    def many_statements(cursor: Any) -> None:
        cursor.connection.create_function("nap", 1, time.sleep)
        for _ in range(12):  # 1.2 s in all, each statement a third of the patience
            cursor.execute("SELECT nap(?)", [STALLED_WRITE_S / 3])

    samples = reachable_during(a_link(tmp_path), many_statements, 10)
    assert len(samples) >= 15, samples
    assert all(samples), samples


def test_a_statement_that_hangs_is_an_outage_within_the_patience(tmp_path: Path) -> None:
    def hung_statement(cursor: Any) -> None:
        cursor.connection.create_function("nap", 1, time.sleep)
        cursor.execute("SELECT nap(?)", [4 * STALLED_WRITE_S])

    link = a_link(tmp_path)
    samples = reachable_during(link, hung_statement, 10)
    assert samples[0] is True
    assert samples[-1] is False, samples  # stalled, before the statement ended
    assert link.reachable()  # the write went through in the end
