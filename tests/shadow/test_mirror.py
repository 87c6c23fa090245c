"""The mirror against real uvicorn processes: a healthy candidate stores an answer for every
mirrored row under the live id; a candidate stopped, hung (SIGSTOP) or answering 500 costs the
live service no answer: every request is 200, and the failures and drops are counted."""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import LiveServer
from shadow_services import (
    PREDICT,
    TOKEN,
    answering_500,
    candidate,
    live,
    metric,
    shadow_rows,
    stopped_process,
    upgrade_store,
    wait_until,
)
from titanic_release.servers import free_port

MIRRORED = "titanic_api_shadow_mirrored_requests_total"
DROPPED = "titanic_api_shadow_dropped_requests_total"
FAILED = "titanic_api_shadow_failed_requests_total"
READY = "/api/v1/ready"
MIRROR = "/api/v1/shadow/predictions"


def send(server: LiveServer, rows: list[dict[str, Any]], batch: int) -> list[str]:
    """The rows through the live API in batches; every answer must be 200. Their ids."""
    ids: list[str] = []
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for start in range(0, len(rows), batch):
            answer = client.post(PREDICT, json={"inputs": rows[start : start + batch]})
            assert answer.status_code == 200, answer.text
            ids += [i for i in answer.json()["ids"] if i is not None]
    return ids


def test_every_mirrored_row_is_stored_by_the_candidate_under_the_live_id(
    store_url: str, traffic: list[dict[str, Any]]
) -> None:
    rows = [*traffic[:40], {"pclass": 9, "sex": "robot"}]  # an invalid row is not mirrored
    with candidate(store_url) as shadow, live(store_url, shadow.base_url) as server:
        ids = send(server, rows, batch=4)
        # 10 requests of valid rows; the 11th holds only the invalid row: nothing to mirror.
        wait_until(lambda: metric(server, MIRRORED) == 10)
        stored = shadow_rows(store_url)
        assert sorted(row["live_prediction_id"] for row in stored) == sorted(ids)
        assert len(ids) == 40 == metric(server, "titanic_api_shadow_mirrored_rows_total")
        assert metric(server, FAILED, reason="status") == 0
        assert {row["model_version"] for row in stored} == {server_version(server)}
        # The candidate answers no outcomes, even with a token, and needs its own token.
        outcome = httpx.post(
            shadow.base_url + "/api/v1/outcomes",
            json={"outcomes": [{"id": ids[0], "survived": 1}]},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert outcome.status_code == 404
        unauthenticated = httpx.post(
            shadow.base_url + "/api/v1/shadow/predictions",
            json={"inputs": traffic[:1], "ids": ["0" * 32], "live_version": "x"},
        )
        assert unauthenticated.status_code == 401
        # A live service has no mirror route at all.
        assert (
            httpx.post(server.base_url + "/api/v1/shadow/predictions", json={}).status_code == 404
        )


def server_version(server: LiveServer) -> str:
    version: str = httpx.get(server.base_url + "/api/v1/health").json()["model_version"]
    return version


@contextmanager
def stopped_candidate(_store: str) -> Iterator[str]:
    yield f"http://127.0.0.1:{free_port()}"  # nothing listens there


@contextmanager
def hung_candidate(store: str) -> Iterator[str]:
    with candidate(store) as shadow, stopped_process(shadow):
        yield shadow.base_url


@contextmanager
def failing_candidate(_store: str) -> Iterator[str]:
    with answering_500() as url:
        yield url


FAULTS: dict[str, tuple[Any, str]] = {
    "stopped": (stopped_candidate, "connection"),
    "hung": (hung_candidate, "timeout"),
    "answering 500": (failing_candidate, "status"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_broken_candidate_costs_no_live_answer(
    fault: str, sqlite_store: str, traffic: list[dict[str, Any]]
) -> None:
    broken, reason = FAULTS[fault]
    context: AbstractContextManager[str] = broken(sqlite_store)
    with context as shadow_url, live(sqlite_store, shadow_url) as server:
        send(server, traffic[:10], batch=1)  # the first calls fail and open the breaker
        wait_until(lambda: metric(server, FAILED, reason=reason) >= 2)
        send(server, traffic[10:60], batch=1)  # all 200 (send asserts it)
        wait_until(
            lambda: (
                metric(server, FAILED, reason=reason)
                + metric(server, DROPPED, reason="breaker_open")
                + metric(server, DROPPED, reason="queue_full")
                == 60
            )
        )
        assert metric(server, MIRRORED) == 0
        assert metric(server, DROPPED, reason="breaker_open") > 0  # the breaker opened
        assert TOKEN not in server.output()  # the secret is never logged


def test_a_candidate_is_not_ready_until_its_store_has_the_schema(
    tmp_path: Path, traffic: list[dict[str, Any]]
) -> None:
    """A candidate pointed at a store without the schema used to say ready and answer every
    mirrored call 503 (its insert failed). Now its readiness says why, the mirrored call is
    refused naming it, and once `titanic-store upgrade` has run it is ready and stores."""
    url = f"sqlite:///{tmp_path}/new.sqlite3"
    mirrored = {"inputs": traffic[:2], "ids": ["a" * 32, "b" * 32], "live_version": "0.3.0"}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with candidate(url) as shadow, httpx.Client(base_url=shadow.base_url, timeout=30) as client:
        wait_until(lambda: "not current" in client.get(READY).text)
        ready = client.get(READY)
        assert ready.status_code == 503
        assert "titanic-store upgrade" in ready.json()["reason"]
        refused = client.post(MIRROR, json=mirrored, headers=headers)
        assert refused.status_code == 503
        assert "titanic-store upgrade" in refused.json()["detail"]
        assert refused.headers["retry-after"]

        upgrade_store(url)
        wait_until(lambda: client.get(READY).status_code == 200)
        stored = client.post(MIRROR, json=mirrored, headers=headers)
        assert stored.status_code == 200, stored.text
    assert {row["live_prediction_id"] for row in shadow_rows(url)} == {"a" * 32, "b" * 32}
