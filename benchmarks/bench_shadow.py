"""Live p99 with the shadow mirror off, on (healthy candidate) and with the candidate hung
(SIGSTOP), in one run (docs/shadow.md; the target: on and hung within 1.1x of off).

Every server is a real uvicorn process on 127.0.0.1 (the Procfile's command), stopped by its PID
on exit; the load is titanic held-out rows, one per request, from N client threads.

    tox -e bench_shadow [-- --requests 3000 --clients 8]
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
from titanic_release.project import API_DIR
from titanic_release.servers import free_port, start_server, stop_server

from titanic_model import reference_data

TOKEN = "bench-shadow-token"
COMMAND = "python -m app.launch uvicorn app.main:app --host 127.0.0.1 --port {port}"


@contextmanager
def api(tmp: Path, name: str, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    port = free_port()
    full = {**os.environ, "PORT": str(port), "LOG_LEVEL": "WARNING", **env}
    full["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{full.get('PATH', '')}"
    process = start_server(
        ["/bin/sh", "-c", "exec " + COMMAND.format(port=port)],
        f"http://127.0.0.1:{port}/api/v1/health",
        tmp / f"{name}.log",
        cwd=API_DIR,
        env=full,
    )
    try:
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        with_continue(process.pid)
        stop_server(process.pid)


def with_continue(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGCONT)


def p99(url: str, rows: list[dict[str, Any]], requests: int, clients: int) -> float:
    def one(index: int, client: httpx.Client) -> float:
        started = time.perf_counter()
        answer = client.post("/api/v1/predict", json={"inputs": [rows[index % len(rows)]]})
        assert answer.status_code == 200, answer.text
        return time.perf_counter() - started

    with httpx.Client(base_url=url, timeout=30) as client, ThreadPoolExecutor(clients) as pool:
        for index in range(200):  # warm-up
            one(index, client)
        seconds = list(pool.map(lambda i: one(i, client), range(requests)))
    return statistics.quantiles(seconds, n=100)[98] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    frame = reference_data("held_out").astype(object)
    rows = list(frame.where(frame.notna(), None).to_dict(orient="records"))
    with tempfile.TemporaryDirectory() as directory, ExitStack() as stack:
        tmp = Path(directory)
        store = f"sqlite:///{tmp}/store.sqlite3"
        upgrade = [str(Path(sys.executable).parent / "titanic-store"), "upgrade", "--url", store]
        subprocess.run(upgrade, check=True, capture_output=True, timeout=300)
        common = {"PREDICTION_STORE_URL": store, "SHADOW_TOKEN": TOKEN}
        shadow_url, shadow_pid = stack.enter_context(
            api(tmp, "shadow", {**common, "SERVING_ROLE": "shadow"})
        )
        off, _ = stack.enter_context(api(tmp, "off", common))
        on, _ = stack.enter_context(api(tmp, "on", {**common, "SHADOW_URL": shadow_url}))
        figures = {"off": p99(off, rows, args.requests, args.clients)}
        figures["on"] = p99(on, rows, args.requests, args.clients)
        figures["off (again)"] = p99(off, rows, args.requests, args.clients)
        os.kill(shadow_pid, signal.SIGSTOP)
        figures["candidate hung"] = p99(on, rows, args.requests, args.clients)
        with_continue(shadow_pid)
    base = min(figures["off"], figures["off (again)"])
    for name, value in figures.items():
        print(f"live p99, mirror {name:16s} {value:8.2f} ms  ({value / base:.2f}x off)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
