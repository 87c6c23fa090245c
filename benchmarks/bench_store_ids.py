"""What the prediction ids' order costs the SQLite store's writes as the table grows.

The predictions table has a unique index on `prediction_id`. A fully random id (the baseline:
`secrets.token_hex(16)`, the ids the API made before) lands in a random page of that index at
every insert; the API's ids (titanic_store.ids) lead with the time, so inserts stay at the
index's right edge. Both run in this same run, on the store's real schema (its migrations), its
writer's connection (WAL) and its insert statements, in commits of ROWS_PER_COMMIT rows (about
one flush at c=32): the CPU per row once the table holds each size.

    python benchmarks/bench_store_ids.py [--sizes 20000,100000,300000]
"""

import argparse
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from titanic_store import connection as store_connection
from titanic_store import statements
from titanic_store.engine import open_engine
from titanic_store.ids import new_ids
from titanic_store.rows import PredictionRow
from titanic_store.schema import upgrade

ROWS_PER_COMMIT = 40
MEASURED_ROWS = 20_000
PASSENGER = (3, "male", 22.0, 1, 0, 7.25, "S", "Mr", "Unknown")


def random_ids(count: int, _at: float) -> list[str]:
    return [secrets.token_hex(16) for _ in range(count)]


def _commits(count: int, make_ids: Callable[[int, float], list[str]]) -> list[list[PredictionRow]]:
    batches = []
    for _ in range(count // ROWS_PER_COMMIT):
        now = time.time()
        ids = make_ids(ROWS_PER_COMMIT, now)
        created_at = datetime.fromtimestamp(now, UTC)
        batches.append(
            [
                PredictionRow(created_at, "bench", i, "0.0.0", PASSENGER, 0.1, 0, None, ids[i])
                for i in range(ROWS_PER_COMMIT)
            ]
        )
    return batches


def _write(connection: object, batches: list[list[PredictionRow]]) -> float:
    """CPU seconds (this process: SQLite runs in it) to insert and commit `batches`."""
    started = time.process_time()
    for rows in batches:

        def insert(cursor: object, rows: list[PredictionRow] = rows) -> None:
            statements.insert_predictions(cursor, "sqlite", rows)

        store_connection.in_transaction(connection, insert)
    return time.process_time() - started


def cost_per_row_us(size: int, make_ids: Callable[[int, float], list[str]], folder: Path) -> float:
    url = f"sqlite:///{folder / f'{make_ids.__name__}-{size}.db'}"
    engine = open_engine(url, create_directory=True)
    with engine.begin() as migrations:
        upgrade(migrations)
    engine.dispose()
    connection = store_connection.connect(url, 5.0, 5.0, create_directory=False)
    try:
        _write(connection, _commits(size, make_ids))
        measured = _commits(MEASURED_ROWS, make_ids)  # made before the clock starts
        return _write(connection, measured) / MEASURED_ROWS * 1e6
    finally:
        store_connection.close(connection)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000,300000", help="rows already stored")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    print(f"SQLite CPU per inserted row, {ROWS_PER_COMMIT}-row commits, {MEASURED_ROWS:,} rows")
    print("| rows already stored | random ids (before) | time-first ids (now) | now vs before |")
    print("| ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory(prefix="bench-store-ids-") as folder:
        for size in sizes:
            before = cost_per_row_us(size, random_ids, Path(folder))
            now = cost_per_row_us(size, new_ids, Path(folder))
            print(f"| {size:,} | {before:.1f} µs | {now:.1f} µs | {now / before:.0%} |")


if __name__ == "__main__":
    main()
