"""API speed beside a bare FastAPI echo endpoint measured in the same run.

Starts the real app (uvicorn, one worker, default logging to a file) and benchmarks/echo_app.py
(uvicorn, one worker, no access log), both on 127.0.0.1, and drives them with a keep-alive HTTP/1.1
load generator written on asyncio + uvloop (its CPU use is printed, so you can see it is not the
bottleneck). Prints, for single-record predict at concurrency 1, 8 and 32: throughput, p50 and p99,
errors, and the app/echo ratios; single-record latency while 5,000-row batches run, beside the same
app with batch offloading disabled; cold start (process start to healthy) beside the echo app's;
and peak RSS; last, single-record predict at c=32 with the SQLite prediction store on and off
(metrics on in both) beside the echo. Figures only: nothing here asserts a speed.

    python benchmarks/bench_api.py [--duration 20] [--quick] [--store-only]
"""

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvloop

ROOT = Path(__file__).resolve().parents[1]
API_DIR = ROOT / "api"
BENCH_DIR = ROOT / "benchmarks"
UVICORN = str(Path(sys.executable).parent / "uvicorn")
PASSENGER = {
    "pclass": 2,
    "sex": "female",
    "age": 31.0,
    "sibsp": 1,
    "parch": 1,
    "fare": 26.0,
    "cabin": "F4",
    "embarked": "S",
    "name": "Doe, Mrs. Jane",
}
BATCH_ROWS = 5_000
CONCURRENCY = (1, 8, 32)
TARGET_RATIO, TARGET_P99_FACTOR, TARGET_COLD_START_S = 0.70, 2.0, 1.5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(port: int, path: str) -> int | None:
    """Status of one GET, or None if nothing answers yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = sock.recv(64)
    except OSError:
        return None
    return int(head.split()[1]) if head.startswith(b"HTTP/1.1") else None


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    started_at: float
    healthy_after_s: float = 0.0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextmanager
def start(name: str, app: str, health: str, log: Path, **env: str) -> Iterator[Server]:
    """uvicorn on 127.0.0.1 as its own process group; always stopped by its PID."""
    port = free_port()
    command = [UVICORN, app, "--host", "127.0.0.1", "--port", str(port)]
    if name == "echo":
        command.append("--no-access-log")
    # The app's prediction store goes to the run's temp dir (never api/data/) unless env says.
    store = f"sqlite:///{log.parent}/predictions.sqlite3"
    environment = {
        **os.environ,
        "PYTHONPATH": str(API_DIR),
        "PREDICTION_STORE_URL": store,
        **env,
    }
    with log.open("ab") as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=API_DIR if name != "echo" else BENCH_DIR,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, process, port, started)
    try:
        deadline = started + 120
        while http_get(port, health) != 200:
            if process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"{name} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.005)
        server.healthy_after_s = time.perf_counter() - started
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def post_request(path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@dataclass
class Run:
    latencies_s: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed_s: float = 0.0
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    wall_s: float = 0.0  # includes warm-up: the span the CPU figures were taken over

    def merge(self, other: "Run") -> None:
        self.latencies_s += other.latencies_s
        self.errors += other.errors
        self.elapsed_s += other.elapsed_s
        self.client_cpu_s += other.client_cpu_s
        self.server_cpu_s += other.server_cpu_s
        self.wall_s += other.wall_s

    @property
    def throughput(self) -> float:
        return len(self.latencies_s) / self.elapsed_s if self.elapsed_s else 0.0

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _one_connection(
    port: int, request: bytes, until: float, warm_until: float, run: Run
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while (now := time.perf_counter()) < until:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if now >= warm_until:
                run.latencies_s.append(time.perf_counter() - now)
                if head[9:12] != b"200":
                    run.errors += 1
    finally:
        writer.close()


async def _load(port: int, request: bytes, concurrency: int, seconds: float, warmup: float) -> Run:
    run = Run()
    start_at = time.perf_counter()
    warm_until, until = start_at + warmup, start_at + warmup + seconds
    await asyncio.gather(
        *(_one_connection(port, request, until, warm_until, run) for _ in range(concurrency))
    )
    run.elapsed_s = time.perf_counter() - warm_until
    return run


def load(
    server: Server, request: bytes, concurrency: int, seconds: float, warmup: float = 0.5
) -> Run:
    cpu, server_cpu, wall = time.process_time(), server.cpu_seconds(), time.perf_counter()
    run = uvloop.run(_load(server.port, request, concurrency, seconds, warmup))
    run.client_cpu_s = time.process_time() - cpu
    run.server_cpu_s = server.cpu_seconds() - server_cpu
    run.wall_s = time.perf_counter() - wall
    return run


async def _with_batches(
    port: int, single: bytes, batch: bytes, concurrency: int, seconds: float
) -> tuple[Run, Run]:
    singles, batches = Run(), Run()
    start_at = time.perf_counter()
    warm_until, until = start_at + 0.5, start_at + 0.5 + seconds
    await asyncio.gather(
        _one_connection(port, batch, until, warm_until, batches),
        *(_one_connection(port, single, until, warm_until, singles) for _ in range(concurrency)),
    )
    singles.elapsed_s = batches.elapsed_s = time.perf_counter() - warm_until
    return singles, batches


def describe(run: Run) -> str:
    return (
        f"{run.throughput:8.0f} req/s  p50 {run.percentile_ms(0.50):6.2f} ms  "
        f"p99 {run.percentile_ms(0.99):6.2f} ms  errors {run.errors}  "
        f"server CPU {run.server_cpu_s / run.wall_s:4.0%}  "
        f"client CPU {run.client_cpu_s / run.wall_s:4.0%}"
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


IMPORT_BREAKDOWN = {
    "fastapi + uvicorn[standard] imports": "import fastapi, uvicorn.main, uvloop, httptools",
    "titanic_model import + load_model()": (
        "from titanic_model.predict import load_model; load_model()"
    ),
}


def median_import_time(code: str, repeats: int = 3) -> float:
    """Seconds `code` takes in a fresh interpreter (start-up and shutdown excluded), median."""
    timed = f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
    runs = [
        float(subprocess.run([sys.executable, "-c", timed], check=True, capture_output=True).stdout)
        for _ in range(repeats)
    ]
    return statistics.median(runs)


def cold_starts(repeats: int, log: Path) -> tuple[list[float], list[float]]:
    app_times, echo_times = [], []
    for _ in range(repeats):
        with start("app", "app.main:app", "/api/v1/health", log) as app:
            app_times.append(app.healthy_after_s)
        with start("echo", "echo_app:app", "/health", log) as echo:
            echo_times.append(echo.healthy_after_s)
    return app_times, echo_times


STORE_TARGET_RATIO = 0.60  # issue 9: store and metrics on, c=32, vs the echo of the same run


def store_on_off(seconds: float, log: Path) -> None:
    """Single-record predict at c=32 with the SQLite prediction store on and off (metrics on in
    both), beside the echo app, in alternating halves; and how many rows the store kept."""
    single = post_request("/api/v1/predict", json.dumps({"inputs": [PASSENGER]}).encode())
    echo_request = post_request("/echo", json.dumps({"inputs": [PASSENGER]}).encode())
    store_url = f"sqlite:///{log.parent}/store-bench.sqlite3"
    runs = {"echo": Run(), "store on": Run(), "store off": Run()}
    with (
        start("echo", "echo_app:app", "/health", log) as echo,
        start("app", "app.main:app", "/api/v1/health", log, PREDICTION_STORE_URL=store_url) as on,
        start("app", "app.main:app", "/api/v1/health", log, PREDICTION_STORE_URL="off") as off,
    ):
        print(f"\n== prediction store (SQLite, WAL) on and off, c=32, {seconds:.0f} s each ==")
        for _ in range(2):
            runs["echo"].merge(load(echo, echo_request, 32, seconds / 2))
            runs["store on"].merge(load(on, single, 32, seconds / 2))
            runs["store off"].merge(load(off, single, 32, seconds / 2))
    echo_run = runs["echo"]
    for name, run in runs.items():
        print(f"{name:<9} {describe(run)}")
    for name in ("store on", "store off"):
        run = runs[name]
        ratio = run.throughput / echo_run.throughput
        p99_factor = run.percentile_ms(0.99) / echo_run.percentile_ms(0.99)
        print(
            f"{name:<9} vs echo: throughput {ratio:.0%} (>= 60%: "
            f"{verdict(ratio >= STORE_TARGET_RATIO)}), p99 {p99_factor:.2f}x (<= 2x: "
            f"{verdict(p99_factor <= TARGET_P99_FACTOR)}), errors {run.errors}"
        )
    # warm-up requests included: every answered row is in the store once the server has stopped
    stored = sqlite3.connect(store_url.removeprefix("sqlite:///")).execute(
        "SELECT count(*) FROM predictions"
    )
    print(f"rows stored after SIGTERM: {stored.fetchone()[0]:,}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per measurement")
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    parser.add_argument("--store-only", action="store_true", help="only the store on/off rows")
    args = parser.parse_args(argv)
    seconds = 3.0 if args.quick else args.duration
    half = seconds / 2
    if args.store_only:
        with tempfile.TemporaryDirectory() as tmp:
            store_on_off(seconds, Path(tmp) / "servers.log")
        return

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )
    print("client: asyncio + uvloop raw HTTP/1.1, keep-alive, one connection per concurrent user")
    single = post_request("/api/v1/predict", json.dumps({"inputs": [PASSENGER]}).encode())
    echo_request = post_request("/echo", json.dumps({"inputs": [PASSENGER]}).encode())
    batch = post_request(
        "/api/v1/predict", json.dumps({"inputs": [PASSENGER] * BATCH_ROWS}).encode()
    )

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "servers.log"
        app_cold, echo_cold = cold_starts(3, log)
        print("\n== cold start: process start -> health answers 200 (3 runs) ==")
        print(
            f"app : median {statistics.median(app_cold):.2f} s  min {min(app_cold):.2f} s  "
            f"max {max(app_cold):.2f} s  (target <= {TARGET_COLD_START_S} s: "
            f"{verdict(statistics.median(app_cold) <= TARGET_COLD_START_S)})"
        )
        print(
            f"echo: median {statistics.median(echo_cold):.2f} s  (same imports, the body model "
            "comes from titanic_model; no model load, no logging set-up)"
        )
        print("  the main parts, each in a fresh interpreter (median of 3):")
        for label, code in IMPORT_BREAKDOWN.items():
            print(f"  {label:<40} {median_import_time(code):.2f} s")

        with (
            start("app", "app.main:app", "/api/v1/health", log) as app,
            start("echo", "echo_app:app", "/health", log) as echo,
            start(
                "app", "app.main:app", "/api/v1/health", log, THREAD_OFFLOAD_ROWS="1000000"
            ) as blocking_app,
        ):
            print(
                f"\n== single-record predict vs echo, one uvicorn worker each, {seconds:.0f} s "
                "per target and level (alternating halves) =="
            )
            results: dict[int, tuple[Run, Run]] = {}
            for concurrency in CONCURRENCY:
                app_run, echo_run = Run(), Run()
                for _ in range(2):  # alternate so drift from other load hits both alike
                    echo_run.merge(load(echo, echo_request, concurrency, half))
                    app_run.merge(load(app, single, concurrency, half))
                results[concurrency] = app_run, echo_run
                print(f"c={concurrency:<3} echo {describe(echo_run)}")
                print(f"      app  {describe(app_run)}")
                ratio = app_run.throughput / echo_run.throughput
                p99_factor = app_run.percentile_ms(0.99) / echo_run.percentile_ms(0.99)
                print(f"      app/echo throughput {ratio:.0%}, p99 {p99_factor:.2f}x echo's")

            app_run, echo_run = results[32]
            ratio = app_run.throughput / echo_run.throughput
            p99_factor = app_run.percentile_ms(0.99) / echo_run.percentile_ms(0.99)
            print(
                f"\ntargets at c=32: throughput {ratio:.0%} of echo (>= 70%: "
                f"{verdict(ratio >= TARGET_RATIO)}), p99 {p99_factor:.2f}x echo's (<= 2x: "
                f"{verdict(p99_factor <= TARGET_P99_FACTOR)}), errors {app_run.errors} "
                f"({verdict(app_run.errors == 0)})"
            )

            print(
                f"\n== single-record requests (c=8) while one client posts {BATCH_ROWS:,}-row "
                f"batches back to back, {seconds:.0f} s =="
            )
            alone = results[8][0]
            print(f"no batches            single {describe(alone)}")
            for label, server in (
                ("batches in a thread", app),
                ("batches on the loop", blocking_app),
            ):
                singles, batches = uvloop.run(_with_batches(server.port, single, batch, 8, seconds))
                rows_per_s = len(batches.latencies_s) * BATCH_ROWS / batches.elapsed_s
                print(
                    f"{label:<21} single {singles.throughput:8.0f} req/s  "
                    f"p50 {singles.percentile_ms(0.5):6.2f} ms  "
                    f"p99 {singles.percentile_ms(0.99):6.2f} ms  "
                    f"errors {singles.errors + batches.errors} | batches {rows_per_s:,.0f} rows/s, "
                    f"p50 {batches.percentile_ms(0.5):.0f} ms each"
                )

            print("\n== peak RSS (VmHWM) after all of the above ==")
            print(
                f"app {app.peak_rss_mb():.0f} MB, echo {echo.peak_rss_mb():.0f} MB, "
                f"app without offloading {blocking_app.peak_rss_mb():.0f} MB"
            )

        store_on_off(seconds, log)


if __name__ == "__main__":
    main()
