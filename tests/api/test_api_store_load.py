"""The store under load, in a real uvicorn process: nothing answered is lost, not at SIGTERM and
not when PostgreSQL goes away for five seconds."""

import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import serve
from load import run_load
from postgres_cluster import PostgresCluster
from prometheus_client.parser import text_string_to_metric_families
from test_api_store import stored_rows

OUTAGE_LOAD_S = 20.0  # 4 s before PostgreSQL stops, 5 s without it, 11 s to recover under load
SIGTERM_LOAD_S = 5.0  # tens of thousands of rows; the Ctrl-C tests below load for 3 and 4 s


@pytest.fixture
def bodies(passenger: dict[str, Any]) -> list[dict[str, Any]]:
    """Mostly single rows (the hot path), some batches, some with a rejected row."""
    bad = {**passenger, "age": -3}
    return [
        {"inputs": [passenger]},
        {"inputs": [passenger] * 3},
        {"inputs": [passenger]},
        {"inputs": [passenger, bad]},
        {"inputs": [{**passenger, "pclass": 3, "sex": "male"}]},
        {"inputs": [passenger] * 100},  # offloaded to a worker thread
    ]


def scraped(base_url: str, name: str) -> float:
    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return float(sample.value)
    raise AssertionError(f"{name} not in /metrics")


def test_sigterm_under_load_stores_exactly_the_rows_answered(
    tmp_path: Path, bodies: list[dict[str, Any]]
) -> None:
    url = f"sqlite:///{tmp_path}/predictions.sqlite3"
    with serve(env={"PREDICTION_STORE_URL": url}) as server:
        outcome = run_load(server.base_url, bodies, SIGTERM_LOAD_S)
        server.stop()  # SIGTERM, as soon as the load ends: the queue is not empty yet
        log = server.output()
    assert set(outcome.statuses) == {200}, outcome.statuses
    assert outcome.rows_answered > 1_000
    stored = len(stored_rows(url))
    print(f"rows answered {outcome.rows_answered}, rows stored {stored}")
    assert stored == outcome.rows_answered, log[-2000:]
    assert "0 dropped" in log


def test_ctrl_c_under_load_stores_exactly_the_rows_answered(
    tmp_path: Path, bodies: list[dict[str, Any]]
) -> None:
    """SIGINT, what Ctrl-C sends to `make run`'s server, drains the queue like SIGTERM does."""
    url = f"sqlite:///{tmp_path}/predictions.sqlite3"
    with serve(env={"PREDICTION_STORE_URL": url}) as server:
        outcome = run_load(server.base_url, bodies, 3.0)
        server.process.send_signal(signal.SIGINT)
        server.process.wait(timeout=30)
        log = server.output()
    assert set(outcome.statuses) == {200}, outcome.statuses
    assert outcome.rows_answered > 100
    assert len(stored_rows(url)) == outcome.rows_answered, log[-2000:]
    assert "0 dropped" in log


def test_a_second_ctrl_c_still_writes_every_row_answered(
    tmp_path: Path, bodies: list[dict[str, Any]]
) -> None:
    """A second SIGINT (an impatient operator, or a wrapper that relays the signal) makes uvicorn
    skip the app's shutdown: the rows queued by then are written at interpreter exit all the
    same, and the closing line is logged."""
    url = f"sqlite:///{tmp_path}/predictions.sqlite3"
    with serve(env={"PREDICTION_STORE_URL": url}) as server:

        def interrupt_twice() -> None:
            time.sleep(2)
            server.process.send_signal(signal.SIGINT)
            time.sleep(0.05)
            server.process.send_signal(signal.SIGINT)

        outcome = run_load(server.base_url, bodies, 4.0, during=interrupt_twice)
        server.process.wait(timeout=30)
        log = server.output()
    assert outcome.statuses.get(200, 0) > 10, outcome.statuses
    assert len(stored_rows(url)) == outcome.rows_answered, log[-2000:]
    assert "0 dropped" in log


def test_postgres_outage_loses_no_request_and_the_writer_recovers(
    postgres: PostgresCluster, bodies: list[dict[str, Any]]
) -> None:
    def outage() -> None:
        time.sleep(4)
        postgres.stop()
        time.sleep(5)
        postgres.start()

    # ~15,000 rows/s arrive here; a bound well above 5 s of them means nothing is dropped
    environment = {"PREDICTION_STORE_URL": postgres.url, "STORE_QUEUE_ROWS": "1000000"}
    postgres.reset_store()
    with serve(env=environment) as server:
        outcome = run_load(server.base_url, bodies, OUTAGE_LOAD_S, during=outage)
        time.sleep(1)  # a flush interval or five: the writer catches up after the outage
        dropped = scraped(server.base_url, "titanic_api_store_rows_dropped_total")
        server.stop()
        log = server.output()
    assert set(outcome.statuses) == {200}, outcome.statuses
    assert "prediction store unavailable" in log  # the outage happened while requests came in
    assert "reachable again" in log
    assert dropped == 0
    stored = postgres.count_rows()
    print(f"rows answered {outcome.rows_answered}, rows stored {stored}, dropped {dropped}")
    assert stored == outcome.rows_answered
