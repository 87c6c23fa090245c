"""Prediction ids and outcomes: ids in every answer, outcomes stored once, item by item, and not
lost at SIGTERM; on SQLite and the real PostgreSQL."""

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from live_server import serve

TOKEN = "outcomes-t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
OUTCOMES = "/api/v1/outcomes"


def stored_outcomes(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT prediction_id, survived FROM outcomes")
            return {row[0]: row[1] for row in rows}
    finally:
        engine.dispose()


def test_every_scored_row_gets_a_fresh_unguessable_id(
    client: TestClient, passenger: dict[str, Any]
) -> None:
    rows = [passenger, {**passenger, "pclass": 9}, passenger]
    answers = [client.post("/api/v1/predict", json={"inputs": rows}).json() for _ in range(50)]
    for answer in answers:
        first, rejected, third = answer["ids"]
        assert rejected is None  # a rejected row has no prediction to be right or wrong about
        assert re.fullmatch("[0-9a-f]{32}", first)
        assert re.fullmatch("[0-9a-f]{32}", third)
    ids = [row_id for answer in answers for row_id in answer["ids"] if row_id]
    assert len(set(ids)) == len(ids) == 100
    schema = client.get("/api/v1/openapi.json").json()
    assert "ids" in schema["components"]["schemas"]["PredictionResponse"]["required"]


def test_outcomes_need_the_token(
    make_client: Callable[..., TestClient], passenger: dict[str, Any]
) -> None:
    off = make_client()
    assert off.post(OUTCOMES, json=[{"id": "0" * 32, "survived": 1}]).status_code == 404
    on = make_client(OUTCOMES_TOKEN=TOKEN)
    body = [{"id": "0" * 32, "survived": 1}]
    assert on.post(OUTCOMES, json=body).status_code == 401
    assert on.post(OUTCOMES, json=body, headers={"Authorization": "Bearer nope"}).status_code == 401
    lower = on.post(OUTCOMES, json=body, headers={"Authorization": f"bearer {TOKEN}"})
    assert lower.status_code == 200


def test_outcomes_are_judged_item_by_item_and_stored_once(
    make_client: Callable[..., TestClient], store_url: str, passenger: dict[str, Any]
) -> None:
    client = make_client(PREDICTION_STORE_URL=store_url, OUTCOMES_TOKEN=TOKEN)
    ids = client.post("/api/v1/predict", json={"inputs": [passenger] * 4}).json()["ids"]
    first = client.post(
        OUTCOMES,
        headers=AUTH,
        json=[
            {"id": ids[0], "survived": 1},
            {"id": "f" * 32, "survived": 0},  # nobody was given this id
            {"id": ids[1], "survived": 2},
            {"id": ids[1], "survived": True},
            {"id": "not-an-id", "survived": 1},
            {"id": ids[2], "survived": 0},
            {"id": ids[2], "survived": 0},  # the same outcome twice in one request
        ],
    )
    assert first.status_code == 200
    answer = first.json()
    assert (answer["stored"], answer["duplicates"], answer["conflicts"]) == (2, 1, 0)
    assert [(error["row"], error["field"]) for error in answer["errors"]] == [
        (1, "id"),
        (2, "survived"),
        (3, "survived"),
        (4, "id"),
    ]
    second = client.post(
        OUTCOMES,
        headers=AUTH,
        json=[{"id": ids[0], "survived": 1}, {"id": ids[2], "survived": 1}],
    ).json()
    assert (second["stored"], second["duplicates"], second["conflicts"]) == (0, 1, 1)
    assert "kept" in second["errors"][0]["message"]
    client.__exit__(None, None, None)
    assert stored_outcomes(store_url) == {ids[0]: 1, ids[2]: 0}  # the first labels


def test_outcomes_queued_at_sigterm_are_written(tmp_path: Path, passenger: dict[str, Any]) -> None:
    url = f"sqlite:///{tmp_path}/predictions.sqlite3"
    env = {"PREDICTION_STORE_URL": url, "OUTCOMES_TOKEN": TOKEN}
    accepted = 0
    with serve(env=env) as server, httpx.Client(base_url=server.base_url, timeout=30) as http:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            ids = http.post("/api/v1/predict", json={"inputs": [passenger] * 20}).json()["ids"]
            reply = http.post(
                OUTCOMES, headers=AUTH, json=[{"id": row_id, "survived": 1} for row_id in ids]
            )
            assert reply.status_code == 200, reply.text
            accepted += reply.json()["stored"]
        server.stop()  # SIGTERM right after the last answer
        log = server.output()
    assert accepted > 100
    assert len(stored_outcomes(url)) == accepted, log[-2000:]
    assert f"{accepted} outcomes written" in log


@pytest.mark.parametrize("size", [10_001])
def test_at_most_max_batch_size_items(make_client: Callable[..., TestClient], size: int) -> None:
    client = make_client(OUTCOMES_TOKEN=TOKEN)
    body = [{"id": "0" * 32, "survived": 1}] * size
    assert client.post(OUTCOMES, headers=AUTH, json=body).status_code == 413


class _CommitsBetweenReads:
    """A store whose queued rows are committed right after the first of its reads, whichever it
    is: the moment the writer thread may pick between the route's two reads."""

    def __init__(self) -> None:
        self.queue: dict[str, int | None] = {"a" * 32: None, "b" * 32: 1}  # id -> queued label
        self.database: dict[str, int | None] = {}

    def _commit_after(self, answer: Any) -> Any:
        self.database, self.queue = {**self.database, **self.queue}, {}
        return answer

    def queued_predictions(self, ids: set[str]) -> set[str]:
        return self._commit_after({i for i in self.queue if i in ids})

    def queued_outcomes(self, ids: set[str]) -> dict[str, int]:
        return {i: label for i, label in self.queue.items() if i in ids and label is not None}

    def look_up(self, ids: set[str]) -> tuple[set[str], dict[str, int]]:
        known = {i for i in self.database if i in ids}
        labels = {i: label for i, label in self.database.items() if label is not None}
        return self._commit_after((known, labels))


def test_a_prediction_committed_during_the_look_up_is_still_known() -> None:
    from app.api.routes.outcomes import _known

    store = _CommitsBetweenReads()
    known, labels = _known(store, {"a" * 32, "b" * 32})  # type: ignore[arg-type]
    assert known == {"a" * 32, "b" * 32}
    assert labels == {"b" * 32: 1}
