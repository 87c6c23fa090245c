"""Faults of the prediction store: every answered row is stored, quarantined, or counted dropped.

In-process (TestClient) on SQLite and on a real PostgreSQL: hostile text, rows the database
refuses. The hung database, memory under an outage and slow clients are in
test_api_store_outages.py, against real uvicorn processes.
"""

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families
from test_api_store import stored_rows, wait_until

from titanic_model import contract, make_prediction
from titanic_store import connection as db
from titanic_store import statements
from titanic_store.engine import open_engine
from titanic_store.schema import upgrade
from titanic_store.tables import quarantine

HOSTILE_TEXT = ["\x00", "\ud800", "a\x00b", "\udfff\ud800", "\u0000C85", "\ud83d", "ß", "ŉ"]


def post(client: TestClient, rows: list[dict[str, Any]]) -> Any:
    """JSON as a client that escapes non-ASCII sends it: lone surrogates survive the trip."""
    body = json.dumps({"inputs": rows})
    return client.post(
        "/api/v1/predict", content=body, headers={"content-type": "application/json"}
    )


def metric_sum(client: TestClient, name: str) -> float:
    """A counter summed over its labels."""
    total = 0.0
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == name:
                total += sample.value
    return total


def quarantined_rows(url: str) -> list[dict[str, Any]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(quarantine.name):
                return []
            rows = connection.execute(sa.select(quarantine).order_by(quarantine.c.id))
            return [dict(row) for row in rows.mappings()]
    finally:
        engine.dispose()


@pytest.mark.parametrize("cabin", HOSTILE_TEXT)
def test_text_no_database_takes_is_stored_as_replacement_characters(
    make_client: Callable[..., TestClient],
    store_url: str,
    passenger: dict[str, Any],
    cabin: str,
) -> None:
    hostile = {**passenger, "cabin": cabin}
    rows = [passenger, hostile, passenger]
    client = make_client(PREDICTION_STORE_URL=store_url)
    answer = post(client, rows)
    client.__exit__(None, None, None)

    assert answer.status_code == 200
    # scored as it was sent: the store's cleaning never changes the answer
    assert answer.json()["probabilities"] == make_prediction(input_data=rows)["probabilities"]
    stored = stored_rows(store_url)
    assert [row["row_index"] for row in stored] == [0, 1, 2]
    expected_deck = cabin.strip()[0].upper()
    for bad in ("\x00", "\ud800", "\udfff", "\ud83d"):
        expected_deck = expected_deck.replace(bad, "\ufffd")
    assert stored[1]["deck"] == expected_deck
    assert quarantined_rows(store_url) == []


TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.sampled_from(HOSTILE_TEXT),
    st.none(),
)
PASSENGERS = st.fixed_dictionaries(
    {
        "pclass": st.sampled_from(contract.CATEGORIES["pclass"]),
        "sex": st.one_of(st.sampled_from(contract.CATEGORIES["sex"]), TEXT),
        "embarked": st.one_of(st.sampled_from(contract.CATEGORIES["embarked"]), TEXT),
        "name": TEXT,
        "cabin": TEXT,
    },
    optional={"ticket": TEXT, "boat": TEXT},
)


def test_random_unicode_in_every_string_field_is_stored_or_accounted_for(
    make_client: Callable[..., TestClient], store_url: str
) -> None:
    """stored + quarantined + dropped = answered, exactly, whatever the text."""
    client = make_client(PREDICTION_STORE_URL=store_url)
    dropped_before = metric_sum(client, "titanic_api_store_rows_dropped_total")  # process-wide
    answered = 0

    @settings(
        max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(PASSENGERS, min_size=1, max_size=4))
    def send(rows: list[dict[str, Any]]) -> None:
        nonlocal answered
        answer = post(client, rows)
        assert answer.status_code == 200, answer.text
        answered += len(answer.json()["predictions"])

    send()
    dropped = metric_sum(client, "titanic_api_store_rows_dropped_total") - dropped_before
    client.__exit__(None, None, None)
    stored, quarantined = len(stored_rows(store_url)), len(quarantined_rows(store_url))
    assert stored + quarantined + dropped == answered
    assert dropped == 0  # text is made storable, never refused
    assert quarantined == 0


def refusing_deck_x(url: str) -> None:
    """The store at the newest schema, with a rule the database enforces: no deck "X"."""
    engine = open_engine(url, create_directory=True)
    with engine.connect() as connection:
        upgrade(connection)
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER no_deck_x BEFORE INSERT ON predictions WHEN NEW.deck = 'X' "
                "BEGIN SELECT RAISE(ABORT, 'deck X refused'); END"
            )
        else:
            connection.exec_driver_sql(
                "ALTER TABLE predictions ADD CONSTRAINT no_deck_x CHECK (deck <> 'X')"
            )
        connection.commit()
    engine.dispose()


def test_a_row_the_database_refuses_is_quarantined_and_its_neighbours_written(
    make_client: Callable[..., TestClient], store_url: str, passenger: dict[str, Any]
) -> None:
    refusing_deck_x(store_url)
    client = make_client(PREDICTION_STORE_URL=store_url)
    before = metric_sum(client, "titanic_api_store_rows_quarantined_total")
    rows = [passenger] * 5 + [{**passenger, "cabin": "X1"}] + [passenger] * 4
    answers = [post(client, rows), post(client, [passenger])]
    quarantined = lambda: metric_sum(client, "titanic_api_store_rows_quarantined_total") - before  # noqa: E731
    wait_until(lambda: quarantined() >= 1)
    assert quarantined() == 1
    client.__exit__(None, None, None)

    assert [answer.status_code for answer in answers] == [200, 200]
    stored = stored_rows(store_url)
    assert len(stored) == 10  # the nine neighbours and the next request
    assert "X" not in {row["deck"] for row in stored}
    [kept] = quarantined_rows(store_url)
    assert kept["row_index"] == 5
    assert kept["request_id"] == answers[0].headers["x-request-id"]
    assert "deck" in kept["reason"].lower()
    assert json.loads(kept["row"])["deck"] == "X"


def test_sqlite_refusing_the_quarantine_too_keeps_the_row_in_a_file_beside_it(
    make_client: Callable[..., TestClient], tmp_path: Path, passenger: dict[str, Any]
) -> None:
    url = f"sqlite:///{tmp_path}/predictions.sqlite3"
    refusing_deck_x(url)
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # a quarantine table that refuses everything
        connection.exec_driver_sql(f"DROP TABLE {quarantine.name}")
        connection.exec_driver_sql(f"CREATE TABLE {quarantine.name} (id INTEGER CHECK (0))")
    engine.dispose()
    client = make_client(PREDICTION_STORE_URL=url)
    post(client, [passenger, {**passenger, "cabin": "X1"}])
    client.__exit__(None, None, None)

    assert len(stored_rows(url)) == 1
    lines = (tmp_path / "predictions.sqlite3.quarantine.jsonl").read_text().splitlines()
    [entry] = [json.loads(line) for line in lines]
    assert entry["row_index"] == 1
    assert json.loads(entry["row"])["deck"] == "X"


def test_a_connection_lost_after_its_commit_writes_the_rows_once(
    make_client: Callable[..., TestClient],
    store_url: str,
    passenger: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The connection breaks after the commit reached the database (PostgreSQL's socket closing
    during COMMIT does this): the writer sees an outage and retries rows that are already in."""
    real_insert = statements.insert_predictions
    broken = []

    def commit_then_lose_the_connection(cursor: Any, backend: str, rows: Any) -> None:
        real_insert(cursor, backend, rows)
        if not broken:
            broken.append(len(rows))
            cursor.connection.commit()
            lost = sqlite3.OperationalError if backend == "sqlite" else psycopg.OperationalError
            raise lost("server closed the connection unexpectedly")

    monkeypatch.setattr(statements, "insert_predictions", commit_then_lose_the_connection)
    client = make_client(PREDICTION_STORE_URL=store_url)
    rows = [passenger] * 3 + [{**passenger, "age": -5}]  # a rejected row has no prediction id
    answers = [post(client, rows) for _ in range(3)]
    wait_until(lambda: metric_sum(client, "titanic_api_store_rows_written_total") >= 12)
    client.__exit__(None, None, None)

    assert [answer.status_code for answer in answers] == [200] * 3
    assert broken  # the fault happened
    stored = stored_rows(store_url)
    assert len(stored) == 12, [(row["request_id"], row["row_index"]) for row in stored]
    assert sum(row["prediction_id"] is None for row in stored) == 3
    assert quarantined_rows(store_url) == []


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_rows_whose_commit_is_unanswered_at_shutdown_are_counted_in_doubt_not_dropped(
    make_client: Callable[..., TestClient],
    store_url: str,
    passenger: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL carries out a COMMIT it has received even when the client stopped waiting for
    the answer (a hung server that resumes after the API has shut down). Here every commit of
    predictions goes through and its answer is lost, up to the shutdown timeout: the rows are
    stored, so they must be counted in doubt, not dropped (SQLite's commit is local: no doubt)."""
    inserting: list[str] = []

    def noting(insert: Callable[..., None]) -> Callable[..., None]:
        def note_then_insert(cursor: Any, backend: str, rows: Any) -> None:
            inserting.append(backend)
            insert(cursor, backend, rows)

        return note_then_insert

    real_in_transaction = db.in_transaction

    def commit_then_lose_the_answer(connection: Any, work: Callable[[Any], Any]) -> Any:
        inserting.clear()
        result = real_in_transaction(connection, work)
        if inserting:
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return result

    for name in ("insert_predictions", "insert_predictions_unless_committed"):
        monkeypatch.setattr(statements, name, noting(getattr(statements, name)))
    monkeypatch.setattr(db, "in_transaction", commit_then_lose_the_answer)
    client = make_client(PREDICTION_STORE_URL=store_url, STORE_SHUTDOWN_TIMEOUT_S=2)
    answers = [post(client, [passenger] * 3 + [{**passenger, "age": -5}]) for _ in range(3)]
    writer = client.app.state.prediction_store  # type: ignore[attr-defined]
    wait_until(lambda: metric_sum(client, "titanic_api_store_up") == 0)  # an answer was lost
    client.__exit__(None, None, None)

    assert [answer.status_code for answer in answers] == [200] * 3
    stored = len(stored_rows(store_url))
    counts = (writer.written_rows, writer.quarantined_rows, writer.dropped_rows)
    assert stored == 12, counts
    assert (writer.in_doubt_rows, *counts) == (12, 0, 0, 0)
