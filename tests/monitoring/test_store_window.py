"""Reading a window larger than the report's limits: counts and probabilities cover every row,
the drift rows and the labelled rows are random samples drawn by the database, and it says so."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from titanic_monitoring.store import read_window
from titanic_store.engine import open_engine
from titanic_store.inserts import insert_rows
from titanic_store.rows import PredictionRow
from titanic_store.schema import upgrade
from titanic_store.tables import outcomes

SCORED, REJECTED, LABELLED = 300, 20, 120


def _row(index: int, rejected: bool) -> PredictionRow:
    now = datetime.now(UTC)
    if rejected:
        errors = [{"field": "age", "message": "too old"}]
        return PredictionRow(now, f"r{index}", 0, "t", (None,) * 9, None, None, errors, None)
    inputs = (1, "female", 30.0, 0, 0, 50.0, "S", "Mrs", "C")
    probability = (index % 100) / 100
    return PredictionRow(
        now, f"r{index}", 0, "t", inputs, probability, int(probability > 0.5), None, f"{index:032x}"
    )


def test_a_large_window_is_sampled_in_sql_and_counted_in_full(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    engine = open_engine(url)
    with engine.begin() as connection:
        upgrade(connection)
        insert_rows(connection, [_row(i, False) for i in range(SCORED)])
        insert_rows(connection, [_row(SCORED + i, True) for i in range(REJECTED)])
        received = datetime.now(UTC)
        connection.execute(
            sa.insert(outcomes),
            [
                {"prediction_id": f"{i:032x}", "survived": i % 2, "received_at": received}
                for i in range(LABELLED)
            ],
        )
    engine.dispose()
    window = read_window(url, timedelta(hours=1), drift_sample_rows=100, labelled_sample_rows=50)
    assert (window.total_rows, window.scored_rows, window.rejected_rows) == (320, 300, 20)
    assert len(window.rows) == 100
    assert window.sampled
    assert len(set(window.rows["request_id"])) == 100
    assert len(window.probabilities) == SCORED  # the estimate covers every scored row
    assert window.labelled_rows == LABELLED
    assert len(window.labelled) == 50
    assert window.labelled_sampled
    assert set(window.labelled["survived"]) <= {0, 1}
    again = read_window(url, timedelta(hours=1), drift_sample_rows=100, labelled_sample_rows=50)
    assert set(again.rows["request_id"]) != set(window.rows["request_id"])  # random, not the first
    whole = read_window(url, timedelta(hours=1))
    assert not whole.sampled
    assert not whole.labelled_sampled
