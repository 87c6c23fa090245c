"""A live API and a shadow candidate as real uvicorn processes on one store, stopped by PID.

Each is tests/api/live_server.serve (the Procfile command on loopback); the store is migrated
first with `titanic-store upgrade`, as `make run` and `make shadow` do.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from live_server import LiveServer, serve
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "shadow-test-token"
PREDICT = "/api/v1/predict"


def upgrade_store(url: str) -> None:
    command = [str(Path(sys.executable).parent / "titanic-store"), "upgrade", "--url", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@contextmanager
def candidate(store_url: str, **env: str) -> Iterator[LiveServer]:
    with serve(
        env={"SERVING_ROLE": "shadow", "SHADOW_TOKEN": TOKEN, "PREDICTION_STORE_URL": store_url}
        | env
    ) as server:
        yield server


@contextmanager
def live(store_url: str, shadow_url: str | None, **env: str) -> Iterator[LiveServer]:
    settings = {"PREDICTION_STORE_URL": store_url, "SHADOW_TOKEN": TOKEN}
    if shadow_url is not None:
        settings |= {
            "SHADOW_URL": shadow_url,
            "SHADOW_CONNECT_TIMEOUT_S": "0.5",
            "SHADOW_READ_TIMEOUT_S": "0.5",
            "SHADOW_BREAKER_FAILURES": "2",
            "SHADOW_BREAKER_COOLDOWN_S": "600",
        }
    with serve(env=settings | env) as server:
        yield server


@contextmanager
def stopped_process(server: LiveServer) -> Iterator[None]:
    """SIGSTOP (hung: it accepts connections, answers nothing); SIGCONT on exit, even on error."""
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.process.pid, signal.SIGCONT)


class _Failing(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(500)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def answering_500() -> Iterator[str]:
    """A candidate stand-in on loopback that answers every call with 500."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def metric(server: LiveServer, name: str, **labels: str) -> float:
    text = httpx.get(server.base_url + "/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def wait_until(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    """A bound on waiting, not a timing assertion: a slow machine only waits longer."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def shadow_rows(url: str) -> list[dict[str, Any]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            table = sa.Table("shadow_predictions", sa.MetaData(), autoload_with=connection)
            return [dict(row) for row in connection.execute(sa.select(table)).mappings()]
    finally:
        engine.dispose()
