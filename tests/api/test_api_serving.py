"""Serving behaviour that matters for throughput: uvicorn's fast stack, workers, keep-alive, and
large batches kept off the event loop."""

import asyncio
import json
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from live_server import LiveServer, serve

import app.api.scoring as predict_route
from app.core.config import Settings
from app.core.readiness import mark_model_loaded
from app.main import create_app

PREDICT = "/api/v1/predict"
ROW = {"pclass": 3, "sex": "male", "age": 22, "fare": 7.25}


def children(pid: int) -> list[int]:
    """Direct child processes of `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    result = []
    for child in children(pid):
        result += [child, *descendants(child)]
    return result


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_live_server_runs_on_uvloop_and_httptools(live_server: LiveServer) -> None:
    pids = [live_server.process.pid, *descendants(live_server.process.pid)]
    libraries = "".join(Path(f"/proc/{pid}/maps").read_text() for pid in pids)

    assert re.search(r"/uvloop/loop\.cpython[^/]*\.so", libraries)
    assert re.search(r"/httptools/parser/parser\.cpython[^/]*\.so", libraries)


def test_web_concurrency_sets_the_number_of_worker_processes() -> None:
    with serve(env={"WEB_CONCURRENCY": "2"}) as server:
        answers = {httpx.get(f"{server.base_url}/api/v1/health").status_code for _ in range(4)}
        workers = [
            pid
            for pid in descendants(server.process.pid)
            if "multiprocessing" in command_line(pid)
            and "resource_tracker" not in command_line(pid)
        ]

    assert answers == {200}
    assert len(workers) == 2


def http_get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1]
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def test_connections_are_kept_alive_between_requests(live_server: LiveServer) -> None:
    port = int(live_server.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        for _ in range(3):
            sock.sendall(http_get("/api/v1/health"))
            assert read_response(sock).startswith(b"HTTP/1.1 200")


def test_keep_alive_timeout_follows_uvicorn_timeout_keep_alive() -> None:
    with serve(env={"UVICORN_TIMEOUT_KEEP_ALIVE": "1"}) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(http_get("/api/v1/health"))
            read_response(sock)
            time.sleep(3)  # idle past the 1 s keep-alive
            assert sock.recv(1) == b"", "server should have closed the idle connection"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_batches_above_the_threshold_are_scored_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop_thread = threading.get_ident()
    scored_on: dict[int, bool] = {}
    real_score = predict_route.score

    def recording_score(rows: list[dict[str, Any]], explain: bool, record: bool) -> Any:
        scored_on[len(rows)] = threading.get_ident() == loop_thread
        return real_score(rows, explain, record)

    monkeypatch.setattr(predict_route, "score", recording_score)
    app = create_app(Settings(THREAD_OFFLOAD_ROWS=10))
    mark_model_loaded(app, True)  # no lifespan here (nor store): ready for predict's gate
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        for size in (1, 10, 11):
            response = await client.post(PREDICT, json={"inputs": [ROW] * size})
            assert response.status_code == 200

    assert scored_on == {1: True, 10: True, 11: False}


@pytest.mark.anyio
async def test_single_records_are_answered_while_a_large_batch_is_being_scored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The batch holds until a single-record request has been answered: were it scored on the event
    loop, the single request could not be answered meanwhile and the batch would give up."""
    batch_started, single_answered = threading.Event(), threading.Event()
    real_score = predict_route.score

    def gated_score(rows: list[dict[str, Any]], explain: bool, record: bool) -> Any:
        if len(rows) > 1:
            batch_started.set()
            if not single_answered.wait(timeout=20):
                raise RuntimeError("single-record request was stalled by the batch")
        return real_score(rows, explain, record)

    monkeypatch.setattr(predict_route, "score", gated_score)
    app = create_app(Settings(THREAD_OFFLOAD_ROWS=1000))
    mark_model_loaded(app, True)  # no lifespan here (nor store): ready for predict's gate
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        batch = asyncio.ensure_future(client.post(PREDICT, json={"inputs": [ROW] * 5000}))
        await anyio.to_thread.run_sync(batch_started.wait, 20)
        single = await client.post(PREDICT, json={"inputs": [ROW]})
        single_answered.set()
        batch_response = await batch

    assert single.status_code == 200
    assert batch_response.status_code == 200
    assert len(batch_response.json()["predictions"]) == 5000


def _predict_request(rows: int) -> bytes:
    body = json.dumps({"inputs": [ROW] * rows}).encode()
    head = f"POST {PREDICT} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


def test_a_client_that_hangs_up_on_pipelined_requests_is_logged_499_not_500() -> None:
    """Three predicts pipelined on one connection, closed without reading: the answer in
    progress cannot be sent. Before, uvicorn's error for it reached the 500 handler (an
    `answered 500` error with a traceback for a client that had left); now it is logged as 499
    and the server goes on serving."""
    with serve() as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(_predict_request(5000) + _predict_request(1) * 2)
        deadline = time.monotonic() + 30
        while f"POST {PREDICT} " not in server.output():  # its access line, at its end
            assert time.monotonic() < deadline, server.output()[-3000:]
            time.sleep(0.1)
        assert httpx.get(f"{server.base_url}/api/v1/health").status_code == 200
        log = server.output()
    assert "answered 500" not in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert re.search(rf"POST {PREDICT} 499 ", log), log[-3000:]
