"""The prediction store: what a row becomes in SQLite and in a real PostgreSQL; failure modes."""

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from postgres_cluster import PostgresCluster
from prometheus_client.parser import text_string_to_metric_families
from titanic_release.project import API_DIR

from titanic_store.engine import open_engine

INPUT_COLUMNS = ("pclass", "sex", "age", "sibsp", "parch", "fare", "embarked", "title", "deck")


def stored_rows(url: str) -> list[dict[str, Any]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            table = sa.Table("predictions", sa.MetaData(), autoload_with=connection)
            rows = connection.execute(sa.select(table).order_by(table.c.id)).mappings()
            return [dict(row) for row in rows]
    finally:
        engine.dispose()


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def metric_value(client: TestClient, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    raise AssertionError(f"{name}{labels} not in /metrics")


def test_every_row_is_stored_minimised_with_its_answer(
    make_client: Callable[..., TestClient], store_url: str, passenger: dict[str, Any]
) -> None:
    bad = {"pclass": 7, "sex": "female", "name": "Roe, Dr. Secret"}
    client = make_client(PREDICTION_STORE_URL=store_url)
    first = client.post("/api/v1/predict", json={"inputs": [passenger, bad]})
    second = client.post(
        "/api/v1/predict", json={"inputs": [passenger]}, headers={"X-Request-ID": "req-2"}
    )
    client.__exit__(None, None, None)  # shutdown writes everything queued

    rows = stored_rows(store_url)
    answers = first.json(), second.json()
    assert len(rows) == 3
    good, rejected, single = rows
    assert good["request_id"] == first.headers["x-request-id"]
    assert (good["row_index"], rejected["row_index"], single["row_index"]) == (0, 1, 0)
    assert single["request_id"] == "req-2"
    assert good["model_version"] == answers[0]["version"]
    assert good["probability"] == answers[0]["probabilities"][0]
    assert good["prediction"] == answers[0]["predictions"][0]
    # the example passenger: name "Doe, Mrs. Jane" only as its title, cabin "C85" only as its deck
    assert {column: good[column] for column in INPUT_COLUMNS} == {
        "pclass": 3,
        "sex": "female",
        "age": 29.0,
        "sibsp": 0,
        "parch": 0,
        "fare": 7.25,
        "embarked": "S",
        "title": "Mrs",
        "deck": "C",
    }
    assert good["errors"] is None
    assert "name" not in good
    assert "cabin" not in good
    assert rejected["prediction"] is None
    assert rejected["probability"] is None
    assert rejected["errors"] == [{"field": "pclass", "message": "Input should be 1, 2 or 3"}]
    assert all(rejected[column] is None for column in INPUT_COLUMNS)
    assert good["created_at"] <= single["created_at"]


def test_names_and_cabins_never_reach_the_database_file(
    make_client: Callable[..., TestClient], tmp_path: Path, passenger: dict[str, Any]
) -> None:
    client = make_client()
    client.post("/api/v1/predict", json={"inputs": [passenger, {**passenger, "pclass": 9}]})
    client.__exit__(None, None, None)
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("predictions.sqlite3*"))
    assert b"Mrs" in stored  # the title is there...
    assert b"Jane" not in stored
    assert b"Doe" not in stored
    assert b"F4" not in stored


def test_default_store_is_a_sqlite_file_under_data_and_off_turns_it_off(
    make_client: Callable[..., TestClient],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    passenger: dict[str, Any],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PREDICTION_STORE_URL", raising=False)
    from app.core.config import Settings

    default = Settings().PREDICTION_STORE_URL
    assert default is not None
    client = make_client(PREDICTION_STORE_URL=default)
    client.post("/api/v1/predict", json={"inputs": [passenger]})
    client.__exit__(None, None, None)
    database = tmp_path / "data" / "predictions.sqlite3"
    assert len(stored_rows(f"sqlite:///{database}")) == 1
    assert stored_rows(f"sqlite:///{database}")  # WAL mode, readable while written:
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()

    database.unlink()
    for off in ("off", "none", "OFF"):
        client = make_client(PREDICTION_STORE_URL=off)
        assert client.post("/api/v1/predict", json={"inputs": [passenger]}).status_code == 200
        client.__exit__(None, None, None)
    assert not database.exists()


def test_database_down_still_answers_and_counts_dropped_rows(
    make_client: Callable[..., TestClient],
    passenger: dict[str, Any],
    capfd: pytest.CaptureFixture[str],
) -> None:
    from live_server import free_port

    unreachable = f"postgresql+psycopg://titanic:s3cret-pw@127.0.0.1:{free_port()}/none"
    client = make_client(
        PREDICTION_STORE_URL=unreachable, STORE_QUEUE_ROWS=5, STORE_SHUTDOWN_TIMEOUT_S=0.5
    )
    dropped_before = metric_value(
        client, "titanic_api_store_rows_dropped_total", reason="queue_full"
    )
    answers = [client.post("/api/v1/predict", json={"inputs": [passenger] * 2})]
    wait_until(lambda: metric_value(client, "titanic_api_store_up") == 0)  # the writer tried
    answers += [client.post("/api/v1/predict", json={"inputs": [passenger] * 2}) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [200] * 6
    # 5 rows fit the queue: two requests (4 rows) are queued, the other four (8 rows) dropped
    dropped = metric_value(client, "titanic_api_store_rows_dropped_total", reason="queue_full")
    assert dropped - dropped_before == 8
    client.__exit__(None, None, None)
    log = capfd.readouterr().out
    assert log.count("queue full") == 1  # one warning a minute, not one per request
    assert "prediction store unavailable" in log
    assert "s3cret-pw" not in log  # the URL's password never reaches the log


@pytest.mark.parametrize(
    "url", ["./data/predictions.sqlite3", "mysql://user:s3cret-pw@db/store", "postgresql:/x"]
)
def test_a_store_url_the_writer_cannot_open_stops_start_up_in_the_settings(
    make_client: Callable[..., TestClient], url: str
) -> None:
    neither = r"PREDICTION_STORE_URL\s+Value error, neither sqlite:///path nor postgresql://"
    with pytest.raises(ValueError, match=neither) as refused:
        make_client(PREDICTION_STORE_URL=url)
    assert "s3cret-pw" not in str(refused.value)


# Written as a child process's script: its own interpreter, so that sys.modules is the app's alone.
WRITES_WITHOUT_SQLALCHEMY = """
import sys, time
from fastapi.testclient import TestClient
from app.core.config import Settings
from app.main import create_app
from titanic_model.contract import EXAMPLE_PASSENGER

app = create_app(Settings(PREDICTION_STORE_URL=sys.argv[1]))
with TestClient(app) as client:
    assert client.post("/api/v1/predict", json={"inputs": [EXAMPLE_PASSENGER]}).status_code == 200
    deadline = time.monotonic() + 20
    while app.state.prediction_store.written_rows < 1:
        assert time.monotonic() < deadline, "the row was not written"
        time.sleep(0.02)
print(sorted(name for name in sys.modules if name.split(".")[0] in {"sqlalchemy", "alembic"}))
"""


def test_the_app_writes_its_store_without_loading_sqlalchemy(tmp_path: Path) -> None:
    """SQLAlchemy and Alembic stay out of the serving process, also once the SQLite store was
    created and upgraded (by a child process) and a row written (bench_api's RSS and start-up)."""
    url = f"sqlite:///{tmp_path}/store/predictions.sqlite3"
    answer = subprocess.run(
        [sys.executable, "-c", WRITES_WITHOUT_SQLALCHEMY, url],
        cwd=API_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert answer.stdout.strip().splitlines()[-1] == "[]"
    assert len(stored_rows(url)) == 1


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_railways_url_spellings_reach_postgres_from_the_api_and_the_tools(
    make_client: Callable[..., TestClient],
    postgres: PostgresCluster,
    passenger: dict[str, Any],
    scheme: str,
) -> None:
    """Railway's DATABASE_URL has no driver in it: the writer (psycopg) and the SQLAlchemy
    engines of the report and the migrations must both read it as psycopg 3."""
    postgres.reset_store()
    url = scheme + postgres.url.split("://", 1)[1]
    client = make_client(PREDICTION_STORE_URL=url)
    assert client.post("/api/v1/predict", json={"inputs": [passenger]}).status_code == 200
    client.__exit__(None, None, None)  # writes what is queued
    assert postgres.count_rows() == 1
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.dialect.driver == "psycopg"
            assert connection.execute(sa.text("SELECT count(*) FROM predictions")).scalar() == 1
    finally:
        engine.dispose()
