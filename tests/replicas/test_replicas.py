"""Three replicas of the API (each the Procfile's command, its own port) behind HAProxy on one
throwaway PostgreSQL store.

On an empty database none of them migrates it: each says live and not ready ("run titanic-store
upgrade") until the deploy's one `titanic-store upgrade` ran (Railway's preDeployCommand), then all
three are ready. Under steady load through HAProxy each replica in turn gets SIGTERM and is
started again: no request fails, every answer is 200, and every answered row is stored. An
outcome posted through HAProxy finds its prediction whichever replica scored it.
"""

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from balancer import CHECK_INTERVAL_MS, haproxy
from live_server import LOOPBACK_COMMAND
from postgres_cluster import PostgresCluster
from titanic_release.project import API_DIR
from titanic_release.servers import free_port, start_server, stop_server

from titanic_store.tables import metadata

TOKEN = "outcomes-t0ken"
REPLICAS = 3
# After SIGTERM a replica answers for SHUTDOWN_DELAY_S while ready says 503: longer than
# HAProxy's check interval, so the balancer stops sending before the replica stops listening.
REPLICA_ENV = {
    "SHUTDOWN_DELAY_S": "1.5",
    "SHUTDOWN_GRACE_S": "10",
    "OUTCOMES_TOKEN": TOKEN,
    "LOG_LEVEL": "WARNING",
}
assert float(REPLICA_ENV["SHUTDOWN_DELAY_S"]) * 1000 > 3 * CHECK_INTERVAL_MS


def empty(cluster: PostgresCluster) -> None:
    """No table at all: the database a new deploy's store starts as."""
    with cluster.connect() as connection:
        connection.execute(
            f"DROP TABLE IF EXISTS {', '.join([*metadata.tables, 'alembic_version'])}"
        )


@dataclass
class Replica:
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Fleet:
    """The replicas' processes, each started with the Procfile's command on its own port."""

    store_url: str
    root: Path
    replicas: list[Replica] = field(default_factory=list)

    def start(self, replica: Replica) -> None:
        env = {**os.environ, **REPLICA_ENV, "PORT": str(replica.port)}
        env["PREDICTION_STORE_URL"] = self.store_url
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        replica.process = start_server(
            ["/bin/sh", "-c", f"exec {LOOPBACK_COMMAND}"],
            replica.url + "/api/v1/health",  # live; ready is what the test then asks
            replica.log,
            cwd=API_DIR,
            env=env,
            timeout=120,
        )

    def stop(self, replica: Replica) -> None:
        if replica.process is not None:
            stop_server(replica.process.pid, timeout=30)

    def logs(self) -> str:
        return "\n".join(r.log.read_text(errors="replace") for r in self.replicas if r.log.exists())


@pytest.fixture(scope="module")
def fleet(postgres: PostgresCluster) -> Iterator[Fleet]:
    """Three replicas started at the same moment on an empty database; stopped on the way out."""
    empty(postgres)
    with tempfile.TemporaryDirectory(prefix="titanic-replicas-") as tmp:
        root = Path(tmp)
        fleet = Fleet(postgres.url, root)
        fleet.replicas = [Replica(free_port(), root / f"replica{i}.log") for i in range(REPLICAS)]
        try:
            with ThreadPoolExecutor(REPLICAS) as starting:
                list(starting.map(fleet.start, fleet.replicas))
            yield fleet
        finally:
            for replica in fleet.replicas:
                fleet.stop(replica)


def ready(replica: Replica) -> httpx.Response:
    return httpx.get(replica.url + "/api/v1/ready", timeout=5)


def wait_until(condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_replicas_on_an_empty_database_are_ready_once_the_one_upgrade_ran(
    fleet: Fleet, postgres: PostgresCluster, passenger: dict[str, Any]
) -> None:
    answers = [ready(replica) for replica in fleet.replicas]
    assert [answer.status_code for answer in answers] == [503] * REPLICAS
    assert all("titanic-store upgrade" in answer.json()["reason"] for answer in answers)
    refused = httpx.post(fleet.replicas[0].url + "/api/v1/predict", json={"inputs": [passenger]})
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"

    upgrade = subprocess.run(
        [str(Path(sys.executable).parent / "titanic-store"), "upgrade", "--url", postgres.url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    for replica in fleet.replicas:  # each checks again every 2 s at most
        wait_until(lambda replica=replica: ready(replica).status_code == 200, 30)
    log = fleet.logs()
    assert "ERROR" not in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert postgres.count_rows() == 0  # the refused request left nothing


def test_an_outcome_finds_its_prediction_whichever_replica_scored_it(
    fleet: Fleet, postgres: PostgresCluster, passenger: dict[str, Any]
) -> None:
    before = postgres.count_rows()
    ids = []
    for replica in fleet.replicas:
        answer = httpx.post(replica.url + "/api/v1/predict", json={"inputs": [passenger]})
        ids.append(answer.json()["ids"][0])
    wait_until(lambda: postgres.count_rows() == before + REPLICAS, 10)  # written: 25 ms flushes
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with haproxy([r.port for r in fleet.replicas], fleet.root) as balancer:
        for prediction_id in ids:  # round robin: most land on a replica that did not score it
            outcome = [{"id": prediction_id, "survived": 1}]
            answer = httpx.post(balancer + "/api/v1/outcomes", json=outcome, headers=headers)
            assert answer.status_code == 200, answer.text
            assert answer.json()["stored"] == 1, answer.json()


@dataclass
class Load:
    requests: int = 0
    rows_answered: int = 0
    statuses: dict[int | str, int] = field(default_factory=dict)

    def count(self, status: int | str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


async def _client(
    base_url: str, bodies: list[dict[str, Any]], n: int, stop: threading.Event, load: Load
) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        sent = n
        while not stop.is_set():
            body = bodies[sent % len(bodies)]
            sent += 1
            load.requests += 1
            try:
                answer = await client.post("/api/v1/predict", json=body)
            except httpx.TransportError as error:
                load.count(type(error).__name__)
                continue
            load.count(answer.status_code)
            if answer.status_code == 200:
                load.rows_answered += len(answer.json()["predictions"])


def test_a_rolling_restart_under_load_fails_no_request_and_stores_every_answered_row(
    fleet: Fleet, postgres: PostgresCluster, passenger: dict[str, Any]
) -> None:
    before = postgres.count_rows()
    bodies = [{"inputs": [passenger]}, {"inputs": [passenger] * 100}]
    stop = threading.Event()
    load = Load()
    restarts: list[float] = []

    def roll() -> None:
        try:
            time.sleep(2)
            for replica in fleet.replicas:
                started = time.monotonic()
                assert replica.process is not None
                os.kill(replica.process.pid, signal.SIGTERM)
                replica.process.wait(timeout=60)
                fleet.start(replica)  # same port: HAProxy takes it back at its first ready 200
                wait_until(lambda replica=replica: ready(replica).status_code == 200, 30)
                time.sleep(3 * CHECK_INTERVAL_MS / 1000)  # seen up before the next one goes
                restarts.append(time.monotonic() - started)
            time.sleep(1)
        finally:
            stop.set()

    async def run(balancer: str) -> None:
        clients = [_client(balancer, bodies, n, stop, load) for n in range(16)]
        await asyncio.gather(*clients, asyncio.to_thread(roll))

    with haproxy([r.port for r in fleet.replicas], fleet.root) as balancer:
        asyncio.run(run(balancer))
    for replica in fleet.replicas:  # SIGTERM: each writes its queue before it ends
        fleet.stop(replica)
    stored = postgres.count_rows() - before
    print(
        f"rolling restart: {load.requests} requests, statuses {load.statuses}, "
        f"{load.rows_answered} rows answered, {stored} stored; restarts took "
        f"{', '.join(f'{s:.1f}' for s in restarts)} s"
    )
    assert len(restarts) == REPLICAS
    assert load.statuses == {200: load.requests}, load.statuses
    assert stored == load.rows_answered
    log = fleet.logs()
    assert "Traceback" not in log, log[-3000:]
