"""Readiness and the drain: ready is a different question from live; a fresh store is
not a store that is down; SIGTERM with the database hung ends within the documented bound.

Real uvicorn processes on 127.0.0.1, stopped by PID on the way out whatever happens.
"""

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from live_server import serve
from postgres_cluster import PostgresCluster

from app.core.readiness import mark_draining, mark_model_loaded

PREDICT = "/api/v1/predict"
JSON_HEADERS = {"content-type": "application/json"}
TOKEN = "outcomes-t0ken"


def test_ready_says_why_not_and_predict_refuses_with_retry_after(
    make_client: Callable[..., TestClient], passenger: dict[str, Any]
) -> None:
    client = make_client()
    assert client.get("/api/v1/ready").json() == {"status": "ready", "reason": None}
    assert client.get("/v2/health/ready").status_code == 200
    assert make_client(PREDICTION_STORE_URL="off").get("/api/v1/ready").status_code == 200

    mark_draining(client.app)  # type: ignore[arg-type]
    ready = client.get("/api/v1/ready")
    assert ready.status_code == 503
    assert ready.headers["Retry-After"] == "1"
    assert ready.json()["reason"].startswith("draining")
    assert client.get("/v2/health/ready").status_code == 400  # the same readiness
    # while draining, requests a balancer already sent still get their answer
    assert client.post(PREDICT, json={"inputs": [passenger]}).status_code == 200

    mark_model_loaded(client.app, False)  # type: ignore[arg-type]
    refused = client.post(PREDICT, json={"inputs": [passenger]})
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert "not ready" in refused.json()["detail"]
    infer = {"inputs": [{"name": "pclass", "shape": [1], "datatype": "INT64", "data": [1]}]}
    infer["inputs"].append({"name": "sex", "shape": [1], "datatype": "BYTES", "data": ["male"]})
    assert client.post("/v2/models/titanic/infer", json=infer).status_code == 503


async def _flood(base_url: str, body: dict[str, Any], requests: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        return list(
            await asyncio.gather(*(client.post(PREDICT, json=body) for _ in range(requests)))
        )


def test_a_flood_on_a_fresh_sqlite_store_stores_every_answered_row(
    tmp_path: Path, passenger: dict[str, Any]
) -> None:
    """50 concurrent 2,000-row batches at once against a server on a SQLite
    file that does not exist yet, with a queue smaller than the flood. Before, the upgrade that
    creates the schema stalled the first write, the store counted as unreachable and answered
    rows were dropped; now the server is not ready until the schema is there, and what it
    cannot queue it refuses (503) instead."""
    database = tmp_path / "new" / "predictions.sqlite3"
    env = {"PREDICTION_STORE_URL": f"sqlite:///{database}", "STORE_QUEUE_ROWS": "20000"}
    with serve(env=env) as server:
        assert httpx.get(f"{server.base_url}/api/v1/ready").status_code == 200
        answers = asyncio.run(_flood(server.base_url, {"inputs": [passenger] * 2000}, 50))
        server.stop()  # the writer writes its queue before the process ends
        log = server.output()
    statuses = [answer.status_code for answer in answers]
    answered = sum(len(answer.json()["predictions"]) for answer in answers if answer.is_success)
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute("SELECT count(*) FROM predictions").fetchone()
    connection.close()
    print(f"fresh SQLite flood: {statuses.count(200)} answered, {stored} rows stored of {answered}")
    assert set(statuses) <= {200, 503}, statuses
    assert all(a.headers.get("Retry-After") for a in answers if a.status_code == 503)
    assert statuses.count(200) > 0
    assert stored == answered, log[-3000:]
    assert "0 dropped" in log


# The drain test's settings, and the bound docs/operations.md states for them:
# SHUTDOWN_DELAY_S + SHUTDOWN_GRACE_S + STORE_SHUTDOWN_TIMEOUT_S + 5 s.
DRAIN = {
    "SHUTDOWN_DELAY_S": "1",
    "SHUTDOWN_GRACE_S": "3",
    "STORE_SHUTDOWN_TIMEOUT_S": "3",
    "STORE_READ_TIMEOUT_S": "1",
    "STORE_CONNECT_TIMEOUT_S": "2",
    "STORE_STATEMENT_TIMEOUT_S": "2",
}
SHUTDOWN_BOUND_S = 1 + 3 + 3 + 5


class SentCount:
    """How many requests are wholly on the wire: a fixed sleep is not enough on a slow host,
    where look-ups still connecting at SIGTERM met a closed listener instead of the store."""

    def __init__(self) -> None:
        self.sent = 0

    async def trace(self, event: str, info: dict[str, Any]) -> None:
        if event == "http11.send_request_body.complete":
            self.sent += 1

    async def reach(self, count: int, within_s: float = 60) -> None:
        deadline = time.monotonic() + within_s
        while self.sent < count:
            assert time.monotonic() < deadline, f"{self.sent} of {count} requests sent"
            await asyncio.sleep(0.01)


async def _outcome(
    client: httpx.AsyncClient, prediction_id: str, sent: SentCount
) -> tuple[int | str, float]:
    started = time.monotonic()
    try:
        answer = await client.post(
            "/api/v1/outcomes",
            json=[{"id": prediction_id, "survived": 1}],
            headers={"Authorization": f"Bearer {TOKEN}"},
            extensions={"trace": sent.trace},
        )
    except httpx.TransportError as error:
        return type(error).__name__, time.monotonic() - started
    return answer.status_code, time.monotonic() - started


async def _predict_latencies(
    client: httpx.AsyncClient, body: dict[str, Any], n: int
) -> list[float]:
    latencies = []
    for _ in range(n):
        started = time.monotonic()
        answer = await client.post(PREDICT, json=body)
        assert answer.status_code == 200, answer.text
        latencies.append(time.monotonic() - started)
    return latencies


def test_sigterm_with_postgres_hung_and_look_ups_blocked_ends_within_the_bound(
    postgres: PostgresCluster, passenger: dict[str, Any]
) -> None:
    """With PostgreSQL stopped (SIGSTOP), 60 outcome look-ups are in
    flight; 100-row predicts keep their latency (p99 under 1 s) and the look-ups answer 503 at
    their deadline. SIGTERM: ready says 503 at once while answers go on for the delay, and the
    process is gone within delay + grace + store timeout + 5 s."""
    postgres.reset_store()
    env = {"PREDICTION_STORE_URL": postgres.url, "OUTCOMES_TOKEN": TOKEN, **DRAIN}
    hundred = {"inputs": [passenger] * 100}
    with serve(env=env) as server:
        base = server.base_url
        prediction_id = httpx.post(base + PREDICT, json={"inputs": [passenger]}).json()["ids"][0]

        async def hung() -> dict[str, Any]:
            limits = httpx.Limits(max_connections=200)
            async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
                sent = SentCount()
                look_up = partial(_outcome, client, prediction_id, sent)
                look_ups = [asyncio.create_task(look_up()) for _ in range(60)]
                await sent.reach(60)
                latencies = await _predict_latencies(client, hundred, 40)
                blocked = [asyncio.create_task(look_up()) for _ in range(60)]
                await sent.reach(120)  # all of them held by the server when SIGTERM comes
                os.kill(server.process.pid, signal.SIGTERM)
                signalled = time.monotonic()
                ready = await client.get("/api/v1/ready")
                during_delay = await client.post(PREDICT, json=hundred)
                gone = await asyncio.to_thread(_exit_within, server.process, SHUTDOWN_BOUND_S)
                return {
                    "look_ups": await asyncio.gather(*look_ups, *blocked),
                    "latencies": sorted(latencies),
                    "ready": (ready.status_code, ready.json()["reason"]),
                    "during_delay": during_delay.status_code,
                    "exit_s": gone - signalled,
                }

        with postgres.hung():
            seen = asyncio.run(hung())
        log = server.output()
    statuses = {status for status, _ in seen["look_ups"]}
    slowest_look_up = max(seconds for _, seconds in seen["look_ups"])
    p99 = seen["latencies"][int(len(seen["latencies"]) * 0.99) - 1]
    print(
        f"hung PostgreSQL: 120 look-ups {statuses}, slowest {slowest_look_up:.2f} s; 100-row "
        f"predict p99 {p99 * 1000:.0f} ms; exit {seen['exit_s']:.1f} s after SIGTERM "
        f"(bound {SHUTDOWN_BOUND_S} s)"
    )
    assert statuses == {503}, seen["look_ups"]
    assert p99 < 1.0, seen["latencies"]  # the bound
    assert seen["ready"][0] == 503
    assert seen["ready"][1].startswith("draining")
    assert seen["during_delay"] == 200
    assert "prediction store closed" in log, log[-3000:]


def _exit_within(process: subprocess.Popen[bytes], seconds: float) -> float:
    """When the process exited; fails the test if it outlives `seconds` (it is then killed by
    the `serve` block's stop)."""
    process.wait(timeout=seconds)
    return time.monotonic()


@pytest.mark.parametrize("grace_s", [30, 1])
def test_a_request_in_flight_at_sigterm_gets_its_answer_or_503_with_connection_close(
    grace_s: int, passenger: dict[str, Any]
) -> None:
    """After the delay the drain finishes what is in flight: a large batch that is being scored
    when SIGTERM comes still gets its 200 within the grace (30 s: enough on a busy machine),
    marked `Connection: close`, so the client's keep-alive connection does not outlive the
    process. Past the grace (1 s) uvicorn cancels it: 503 with Retry-After, never its 500."""
    rows = 200_000  # seconds of work: in flight well after the signal, even on a fast machine
    limits = {"MAX_BATCH_SIZE": str(rows), "MAX_BODY_BYTES": "100000000"}
    limits["MAX_BODY_BYTES_IN_FLIGHT"] = limits["MAX_BODY_BYTES"]
    env = {"PREDICTION_STORE_URL": "off", **limits, **DRAIN}
    env["SHUTDOWN_DELAY_S"] = "0"
    env["SHUTDOWN_GRACE_S"] = str(grace_s)
    # Encoded first, so that the request is on the wire, not in json.dumps, when SIGTERM comes.
    body = json.dumps({"inputs": [passenger] * rows}).encode()
    with serve(env=env) as server, httpx.Client(base_url=server.base_url, timeout=60) as client:
        assert client.post(PREDICT, json={"inputs": [passenger]}).status_code == 200

        async def in_flight() -> httpx.Response:
            post = partial(client.post, PREDICT, content=body, headers=JSON_HEADERS)
            task = asyncio.create_task(asyncio.to_thread(post))
            await asyncio.sleep(0.5)  # sent and being scored
            os.kill(server.process.pid, signal.SIGTERM)
            return await task

        answer = asyncio.run(in_flight())
        _exit_within(server.process, grace_s + 3 + 5)
    assert answer.headers["connection"] == "close"
    if grace_s == 30:
        assert answer.status_code == 200
        assert len(answer.json()["predictions"]) == rows
    else:
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "1"
        assert "shutting down" in answer.json()["detail"]
