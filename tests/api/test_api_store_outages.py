"""Outages and hostile clients against real uvicorn processes: a hung PostgreSQL (SIGSTOP), an
outage with megabyte names, clients that dribble their bodies, a client that sends
`Connection: close`. Each prints its figures (docs/operations.md has the table)."""

import asyncio
import re
import time
from typing import Any

import httpx
import pytest
from live_server import free_port, serve
from load import run_load
from postgres_cluster import PostgresCluster
from test_api_store_load import scraped
from titanic_release.servers import memory_mib

PREDICT = "/api/v1/predict"
CLOSING_LINE = re.compile(
    r"prediction store closed: (\d+) rows written, (\d+) quarantined, (\d+) dropped, "
    r"(\d+) in doubt"
)


def closing_counts(log: str) -> tuple[int, int, int, int]:
    """(written, quarantined, dropped, in doubt) from the server's last store line."""
    match = CLOSING_LINE.findall(log)
    assert match, log[-2000:]
    written, quarantined, dropped, in_doubt = (int(value) for value in match[-1])
    return written, quarantined, dropped, in_doubt


def wait_for(condition: Any, seconds: float) -> float:
    """Poll until `condition()` is true; the seconds it took."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "condition not met in time"
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.fixture
def bodies(passenger: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"inputs": [passenger]}, {"inputs": [passenger] * 5}]


HUNG_SETTINGS = {
    "STORE_CONNECT_TIMEOUT_S": "2",
    "STORE_STATEMENT_TIMEOUT_S": "2",
    "STORE_SHUTDOWN_TIMEOUT_S": "5",
}


def test_a_hung_postgres_drops_only_what_the_bound_forces_and_shutdown_is_bounded(
    postgres: PostgresCluster, bodies: list[dict[str, Any]]
) -> None:
    postgres.reset_store()
    env = {"PREDICTION_STORE_URL": postgres.url, "STORE_QUEUE_ROWS": "500", **HUNG_SETTINGS}
    with serve(env=env) as server:
        warm = run_load(server.base_url, bodies, 2.0, concurrency=8)
        with postgres.hung():
            hung = run_load(server.base_url, bodies, 8.0, concurrency=8)
            # read mid-outage: what the scraper sees while the writer is blocked or retrying
            mid = {
                name: scraped(server.base_url, f"titanic_api_store_{name}")
                for name in ("queue_rows", "queue_bytes", "up", "last_write_age_seconds")
            }
            mid["dropped"] = scraped(server.base_url, "titanic_api_store_rows_dropped_total")
            stopping = time.monotonic()
            server.stop()
            shutdown_s = time.monotonic() - stopping
            log = server.output()
    answered = warm.rows_answered + hung.rows_answered
    written, quarantined, dropped, in_doubt = closing_counts(log)
    stored = postgres.count_rows()
    print(
        f"hung: answered {answered}, stored {stored}, dropped {dropped}, in doubt {in_doubt}, "
        f"mid-outage {mid}, shutdown {shutdown_s:.1f} s"
    )
    assert set(warm.statuses) == {200}, warm.statuses
    # Until a write has hung for STALLED_WRITE_S the database still counts as reachable, so a
    # request that finds the queue full then is shed (503, never answered and dropped); after
    # that every request is answered. A CI run shed 2 of 4,908.
    assert set(hung.statuses) <= {200, 503}, hung.statuses
    assert hung.statuses.get(503, 0) <= 0.01 * sum(hung.statuses.values()), hung.statuses
    assert mid["up"] == 0
    assert mid["queue_rows"] == 500  # full while the database hangs
    assert mid["queue_bytes"] > 0
    assert mid["last_write_age_seconds"] >= 5
    assert mid["dropped"] > 0  # the bound was reached: counted, not silent
    # A commit sent just before the hang is carried out when the database resumes, after the
    # API gave up on it: its rows are counted in doubt, and may or may not be stored.
    assert written <= stored <= written + in_doubt, (written, stored, in_doubt)
    assert written + quarantined + dropped + in_doubt == answered, log[-3000:]
    assert "queue full" in log
    assert "not stored (shutdown timeout)" in log
    assert shutdown_s < 5 + 3  # STORE_SHUTDOWN_TIMEOUT_S, plus uvicorn's own stop


def test_a_postgres_that_hangs_then_resumes_loses_nothing(
    postgres: PostgresCluster, bodies: list[dict[str, Any]]
) -> None:
    postgres.reset_store()
    env = {"PREDICTION_STORE_URL": postgres.url, "STORE_QUEUE_ROWS": "1000000", **HUNG_SETTINGS}
    recovered_s = 0.0

    def hang() -> None:
        nonlocal recovered_s
        time.sleep(2)
        with postgres.hung():
            time.sleep(5)
        recovered_s = wait_for(lambda: scraped(server.base_url, "titanic_api_store_up") == 1, 30)

    with serve(env=env) as server:
        outcome = run_load(server.base_url, bodies, 10.0, concurrency=8, during=hang)
        wait_for(lambda: scraped(server.base_url, "titanic_api_store_queue_rows") == 0, 30)
        server.stop()
        log = server.output()
    written, quarantined, dropped, in_doubt = closing_counts(log)
    print(
        f"hang and resume: answered {outcome.rows_answered}, written {written}, "
        f"recovered {recovered_s:.1f} s after SIGCONT"
    )
    assert set(outcome.statuses) == {200}, outcome.statuses
    assert "prediction store unavailable" in log
    assert "reachable again" in log
    assert (quarantined, dropped, in_doubt) == (0, 0, 0)
    assert postgres.count_rows() == written == outcome.rows_answered


def test_an_outage_with_megabyte_names_keeps_memory_flat(passenger: dict[str, Any]) -> None:
    """A queued row is its stored form: a 1 MB name is kept as its title, nothing more."""
    unreachable = f"postgresql+psycopg://titanic@127.0.0.1:{free_port()}/none"
    body = {"inputs": [{**passenger, "name": "Doe, Mrs. " + "J" * 1_000_000}]}
    requests = 300
    with serve(
        env={"PREDICTION_STORE_URL": unreachable, "STORE_SHUTDOWN_TIMEOUT_S": "1"}
    ) as server:
        pid = server.process.pid
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            client.post(PREDICT, json=body)  # the first large body: allocator arenas warmed
            before = memory_mib(pid, "VmRSS")
            statuses = {client.post(PREDICT, json=body).status_code for _ in range(requests)}
        queued = scraped(server.base_url, "titanic_api_store_queue_rows")
        after = memory_mib(pid, "VmRSS")
    print(f"1 MB names during an outage: {requests} requests, RSS {before:.0f} -> {after:.0f} MiB")
    assert statuses == {200}
    assert queued == requests + 1  # all queued, none written
    assert after - before < 50  # the raw names (300 MB) would be far beyond this


async def dribble(host: str, port: int, seconds: float) -> str:
    """Send headers and then one body byte every half second; what the server answered."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"POST {PREDICT} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n".encode()
    )
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            writer.write(b" ")
            await writer.drain()
            try:
                line = await asyncio.wait_for(reader.readline(), 0.5)
            except TimeoutError:
                continue
            return line.decode().strip() or "closed"
        return "still open"
    except ConnectionError:
        return "closed"
    finally:
        writer.close()


async def timed_get(
    client: httpx.AsyncClient, method: str, path: str, **kwargs: Any
) -> tuple[int, float]:
    started = time.perf_counter()
    answer = await client.request(method, path, **kwargs)
    return answer.status_code, time.perf_counter() - started


def test_slow_bodies_cannot_starve_the_service(passenger: dict[str, Any]) -> None:
    deadline_s = 4.0
    with serve(env={"BODY_READ_TIMEOUT_S": str(deadline_s)}) as server:
        host, port = server.base_url.removeprefix("http://").split(":")

        async def scenario() -> tuple[list[str], list[tuple[int, float]]]:
            dribblers = [asyncio.create_task(dribble(host, int(port), 10.0)) for _ in range(256)]
            await asyncio.sleep(1.0)  # all 256 connected and dribbling
            answers = []
            async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
                for _ in range(5):
                    answers.append(await timed_get(client, "GET", "/api/v1/health"))
                    answers.append(
                        await timed_get(client, "POST", PREDICT, json={"inputs": [passenger]})
                    )
            return await asyncio.gather(*dribblers), answers

        started = time.monotonic()
        endings, answers = asyncio.run(scenario())
        elapsed = time.monotonic() - started
    print(f"256 dribblers: served {answers}, dribblers ended {set(endings)} in {elapsed:.1f} s")
    assert {status for status, _ in answers} == {200}
    assert max(seconds for _, seconds in answers) < 1.0
    assert "still open" not in endings  # every dribbler was cut off at the deadline
    statuses = {ending.split(" ")[1] if ending.startswith("HTTP") else ending for ending in endings}
    assert statuses <= {"408", "closed"}


def test_a_connection_close_client_reads_its_503(passenger: dict[str, Any]) -> None:
    """The byte budget is held by a slow large body; a second large body is refused and its
    client, which asked for the connection to be closed, still reads the 503."""
    env = {"MAX_BODY_BYTES": str(2**20), "MAX_BODY_BYTES_IN_FLIGHT": str(2**20)}
    body = ('{"inputs": [' + ", ".join([str(passenger).replace("'", '"')] * 1000) + "]}").encode()
    assert 64 * 1024 < len(body) < 2**20
    with serve(env=env) as server:
        host, port = server.base_url.removeprefix("http://").split(":")

        async def scenario() -> bytes:
            _holder_reader, holder = await asyncio.open_connection(host, int(port))
            holder.write(
                f"POST {PREDICT} HTTP/1.1\r\nHost: x\r\nContent-Length: {2**20}\r\n\r\n".encode()
            )
            await holder.drain()
            await asyncio.sleep(0.5)
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(
                f"POST {PREDICT} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), 10)
            writer.close()
            holder.close()
            return answer

        answer = asyncio.run(scenario())
    assert answer.startswith(b"HTTP/1.1 503"), answer[:200]
    assert b"retry-after: 1" in answer.lower()
