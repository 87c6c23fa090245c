"""API start-up, memory and speed beside a bare FastAPI echo app measured in the same run.

Starts the real app (uvicorn, one worker, default logging to a file) and benchmarks/echo_app.py
(uvicorn, one worker, no access log, nothing of ours imported), both on 127.0.0.1, and drives them
with a keep-alive HTTP/1.1 load generator written on asyncio + uvloop (its CPU use is printed, so
you can see it is not the bottleneck). Prints one table, app beside echo: cold start (process start
to the first 200, median of --starts), RSS after load and after the throughput runs, and
single-record predict throughput / p99 at concurrency 1, 8 and 32, with the targets; then the cost
of "explain": true, single-record latency while 5,000-row batches run, and single-record predict
at c=32 with the SQLite prediction store on and off (metrics on in both) beside the echo and
benchmarks/echo_idioms_app.py (the echo built with the service's FastAPI idioms: routers, Depends,
response_model), whose cold start is printed too. Figures only: nothing here asserts a speed.

    python benchmarks/bench_api.py [--duration 20] [--starts 9] [--quick] [--store-only]
"""

import argparse
import asyncio
import json
import os
import platform
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
from titanic_release.project import API_DIR
from titanic_release.servers import HOST, free_port, memory_mib, start_server, stopped_on_exit

from titanic_model.contract import EXAMPLE_PASSENGER

BENCH_DIR = Path(__file__).resolve().parent
UVICORN = str(Path(sys.executable).parent / "uvicorn")
BATCH_ROWS = 5_000
CONCURRENCY = (1, 8, 32)
# Targets: cold start <= 1.3x echo's, RSS <= echo's + 25 MiB, at c=32 throughput >= 75 % of
# echo's with p99 <= 2x echo's, and no errors.
TARGET_COLD_START_FACTOR, TARGET_EXTRA_RSS_MIB = 1.3, 25.0
TARGET_RATIO, TARGET_P99_FACTOR = 0.75, 2.0


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

    def memory_mib(self, field: str = "VmRSS") -> float:
        """VmRSS (resident now) or VmHWM (peak) of the server process, in MiB."""
        return memory_mib(self.process.pid, field)


@contextmanager
def start(
    name: str, app: str, health: str, log: Path, api_dir: Path = API_DIR, **env: str
) -> Iterator[Server]:
    """uvicorn on 127.0.0.1 as its own process group; always stopped by its PID."""
    port = free_port()
    command = [UVICORN, app, "--host", HOST, "--port", str(port)]
    if name == "echo":
        command.append("--no-access-log")
    elif (api_dir / "app" / "launch.py").is_file():  # the Procfile's launcher, part of the start
        command = [sys.executable, "-m", "app.launch", *command]
    # Only the app gets api/ on its path (the echo must not be able to import `app`), with the
    # store package of the same checkout (--before), and its prediction store goes to the run's
    # temp dir (never api/data/) unless env says otherwise.
    app_env = {
        # The checkout's store package: store/ beside api/ (api/store/ in older checkouts).
        "PYTHONPATH": os.pathsep.join(
            map(str, [api_dir, api_dir.parent / "store", api_dir / "store"])
        ),
        "PREDICTION_STORE_URL": f"sqlite:///{log.parent}/predictions.sqlite3",
    }
    environment = {**os.environ, **(app_env if name != "echo" else {}), **env}
    started = time.perf_counter()
    with stopped_on_exit(
        start_server(
            command,
            f"http://{HOST}:{port}{health}",
            log,
            cwd=api_dir if name != "echo" else BENCH_DIR,
            env=environment,
            timeout=120,
            poll_interval=0.005,
        )
    ) as process:
        yield Server(name, process, port, started, time.perf_counter() - started)


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


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> bytes:
    """Send one keep-alive request and read its whole answer; returns the head."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return head


async def _one_connection(
    port: int, request: bytes, until: float, warm_until: float, run: Run
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while (now := time.perf_counter()) < until:
            head = await exchange(reader, writer, request)
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
    "import titanic_model + warm_up()": "import titanic_model; titanic_model.warm_up()",
}


def median_import_time(code: str, repeats: int = 3) -> float:
    """Seconds `code` takes in a fresh interpreter (start-up and shutdown excluded), median."""
    timed = f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
    runs = [
        float(subprocess.run([sys.executable, "-c", timed], check=True, capture_output=True).stdout)
        for _ in range(repeats)
    ]
    return statistics.median(runs)


ColdStartTarget = tuple[str, str, str, Path]  # kind for `start`, ASGI app, health path, api/
COLD_START_TARGETS: dict[str, ColdStartTarget] = {
    "app": ("app", "app.main:app", "/api/v1/health", API_DIR),
    "echo": ("echo", "echo_app:app", "/health", API_DIR),
    "idioms echo": ("echo", "echo_idioms_app:app", "/health", API_DIR),
}


def cold_starts(
    repeats: int, log: Path, targets: dict[str, ColdStartTarget] = COLD_START_TARGETS
) -> dict[str, list[float]]:
    """Process start -> first 200 of each target, in turns so drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(repeats):
        for name, (kind, app, health, api_dir) in targets.items():
            with start(kind, app, health, log, api_dir=api_dir) as server:
                times[name].append(server.healthy_after_s)
    return times


def alternate(
    first: tuple[Server, bytes], second: tuple[Server, bytes], concurrency: int, seconds: float
) -> tuple[Run, Run]:
    """Both targets measured in alternating halves, so drift from other load hits both alike."""
    first_run, second_run = Run(), Run()
    for _ in range(2):
        first_run.merge(load(first[0], first[1], concurrency, seconds / 2))
        second_run.merge(load(second[0], second[1], concurrency, seconds / 2))
    return first_run, second_run


def row(label: str, app: str, echo: str, ratio: str, target: str, verdict_text: str) -> str:
    return f"| {label} | {app} | {echo} | {ratio} | {target} | {verdict_text} |"


# The store's targets: with it on, the app serves >= 75 % of the idioms echo at c=32, and the
# store adds <= 50 us of server CPU per single-record predict at c=16 (on minus off).
STORE_TARGET_IDIOMS_RATIO, STORE_TARGET_CPU_US = 0.75, 50.0


def cpu_per_request_us(run: Run) -> float:
    """The server's CPU share over the run divided by its requests per second."""
    return run.server_cpu_s / run.wall_s / run.throughput * 1e6 if run.throughput else 0.0


def store_on_off(seconds: float, cold: dict[str, list[float]], log: Path) -> None:
    """The store's cost, same run: single-record predict with the SQLite store on and off (metrics
    on in both) beside the echo and the idioms echo, in alternating halves: at c=32 each one's
    req/s, p99, CPU per request and RSS; at c=16 the store's CPU per request (on minus off); beside
    them `cold`, the cold starts of COLD_START_TARGETS taken in turns; the rows the store kept."""
    body = json.dumps({"inputs": [EXAMPLE_PASSENGER]}).encode()
    single = post_request("/api/v1/predict", body)
    store_url = f"sqlite:///{log.parent}/store-bench.sqlite3"
    app = COLD_START_TARGETS["app"][:3]
    with (
        start("echo", "echo_app:app", "/health", log) as echo,
        start("echo", "echo_idioms_app:app", "/health", log) as idioms,
        start(*app, log, PREDICTION_STORE_URL="off") as off,
        start(*app, log, PREDICTION_STORE_URL=store_url) as on,
    ):
        targets = {
            "echo": (echo, post_request("/echo", body)),
            "idioms echo": (idioms, post_request("/api/v1/echo", body)),
            "store off": (off, single),
            "store on": (on, single),
        }
        at_32 = {name: Run() for name in targets}
        at_16 = {name: Run() for name in ("store off", "store on")}
        for _ in range(2):
            for name, (server, request) in targets.items():
                at_32[name].merge(load(server, request, 32, seconds / 2))
            for name in at_16:
                server, request = targets[name]
                at_16[name].merge(load(server, request, 16, seconds / 2))
        rss = {name: server.memory_mib() for name, (server, _) in targets.items()}
    print(
        f"\n== the prediction store's cost (SQLite, WAL), {seconds:.0f} s per target and level =="
    )
    print("| c=32 | req/s | p99 | server CPU per request | RSS after | cold start (median) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, run in at_32.items():
        times = cold.get("app" if name == "store on" else name)
        cold_s = f"{statistics.median(times):.2f} s" if times else "(as store on)"
        print(
            f"| {name} | {run.throughput:,.0f} | {run.percentile_ms(0.99):.2f} ms | "
            f"{cpu_per_request_us(run):.0f} µs | {rss[name]:.0f} MiB | {cold_s} |"
        )
    echo_run, idioms_run, on_run = at_32["echo"], at_32["idioms echo"], at_32["store on"]
    of_idioms = on_run.throughput / idioms_run.throughput
    p99_factor = on_run.percentile_ms(0.99) / echo_run.percentile_ms(0.99)
    store_us = cpu_per_request_us(at_16["store on"]) - cpu_per_request_us(at_16["store off"])
    cold_factor = statistics.median(cold["app"]) / statistics.median(cold["echo"])
    checks = [
        (
            "store on vs the idioms echo, c=32 req/s",
            f"{of_idioms:.0%}",
            ">= 75 %",
            of_idioms >= STORE_TARGET_IDIOMS_RATIO,
        ),
        (
            "store on vs the echo, c=32 p99",
            f"{p99_factor:.2f}x",
            f"<= {TARGET_P99_FACTOR}x",
            p99_factor <= TARGET_P99_FACTOR,
        ),
        (
            "the store's server CPU per request at c=16 (on minus off)",
            f"{store_us:.0f} µs",
            f"<= {STORE_TARGET_CPU_US:.0f} µs",
            store_us <= STORE_TARGET_CPU_US,
        ),
        (
            f"cold start, store on vs the echo (median of {len(cold['app'])} in turns)",
            f"{cold_factor:.2f}x",
            f"<= {TARGET_COLD_START_FACTOR}x",
            cold_factor <= TARGET_COLD_START_FACTOR,
        ),
    ]
    print("\n| target | this run | asked | verdict |\n| --- | ---: | ---: | --- |")
    for label, measured, asked, ok in checks:
        print(f"| {label} | {measured} | {asked} | {verdict(ok)} |")
    for name in at_16:
        print(
            f"c=16 {name:<9} {describe(at_16[name])}  {cpu_per_request_us(at_16[name]):.0f} µs/req"
        )
    for name in at_32:
        print(f"c=32 {name:<11} {describe(at_32[name])}")
    for name, times in cold.items():
        print(f"cold starts (s), {name}: " + ", ".join(f"{t:.2f}" for t in times))
    errors = sum(run.errors for run in [*at_32.values(), *at_16.values()])
    # warm-up requests included: every answered row is in the store once the server has stopped
    stored = sqlite3.connect(store_url.removeprefix("sqlite:///")).execute(
        "SELECT count(*) FROM predictions"
    )
    print(f"errors: {errors}; rows stored after SIGTERM: {stored.fetchone()[0]:,}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per measurement")
    parser.add_argument("--starts", type=int, default=9, help="cold starts of each, in turns")
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    parser.add_argument("--store-only", action="store_true", help="only the store on/off rows")
    parser.add_argument(
        "--before",
        type=Path,
        metavar="API_DIR",
        help="only compare this api/ with another checkout's api/ (store on, c=32, same run)",
    )
    parser.add_argument("--rounds", type=int, default=6, help="rounds of --before (>= 3)")
    args = parser.parse_args(argv)
    seconds = 3.0 if args.quick else args.duration
    if args.before:
        with tempfile.TemporaryDirectory() as tmp:
            before_after(args.before.resolve(), seconds, args.rounds, Path(tmp) / "servers.log")
        return
    if args.store_only:
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "servers.log"
            store_on_off(seconds, cold_starts(args.starts, log), log)
        return

    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )
    print("client: asyncio + uvloop raw HTTP/1.1, keep-alive, one connection per concurrent user")
    body = {"inputs": [EXAMPLE_PASSENGER]}
    single = post_request("/api/v1/predict", json.dumps(body).encode())
    explained = post_request("/api/v1/predict", json.dumps({**body, "explain": True}).encode())
    echo_request = post_request("/echo", json.dumps(body).encode())
    batch = post_request(
        "/api/v1/predict", json.dumps({"inputs": [EXAMPLE_PASSENGER] * BATCH_ROWS}).encode()
    )

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "servers.log"
        cold = cold_starts(args.starts, log)
        app_cold, echo_cold, idioms_cold = cold["app"], cold["echo"], cold["idioms echo"]
        with (
            start("app", "app.main:app", "/api/v1/health", log) as app,
            start("echo", "echo_app:app", "/health", log) as echo,
        ):
            loaded = app.memory_mib(), echo.memory_mib()
            results: dict[int, tuple[Run, Run]] = {}
            for concurrency in CONCURRENCY:
                results[concurrency] = alternate(
                    (app, single), (echo, echo_request), concurrency, seconds
                )
            after = app.memory_mib(), echo.memory_mib()
            peak = app.memory_mib("VmHWM"), echo.memory_mib("VmHWM")
            plain, with_explain = alternate((app, single), (app, explained), 8, seconds)

        print(
            f"\n== app vs echo: one uvicorn worker each, single-record predict, {seconds:.0f} s "
            "per target and level (alternating halves) =="
        )
        print(row("", "app", "echo", "app vs echo", "target", ""))
        print(row("---", "---:", "---:", "---:", "---", "---"))
        app_median, echo_median = statistics.median(app_cold), statistics.median(echo_cold)
        factor = app_median / echo_median
        print(
            row(
                f"cold start, process start -> first 200 (median of {args.starts})",
                f"{app_median:.2f} s",
                f"{echo_median:.2f} s",
                f"{factor:.2f}x",
                f"<= {TARGET_COLD_START_FACTOR}x",
                verdict(factor <= TARGET_COLD_START_FACTOR),
            )
        )
        for label, (app_mib, echo_mib) in (
            ("RSS after load", loaded),
            ("RSS after the throughput runs", after),
        ):
            extra = app_mib - echo_mib
            print(
                row(
                    label,
                    f"{app_mib:.0f} MiB",
                    f"{echo_mib:.0f} MiB",
                    f"{extra:+.0f} MiB",
                    f"<= +{TARGET_EXTRA_RSS_MIB:.0f} MiB",
                    verdict(extra <= TARGET_EXTRA_RSS_MIB),
                )
            )
        for concurrency, (app_run, echo_run) in results.items():
            ratio = app_run.throughput / echo_run.throughput
            p99_factor = app_run.percentile_ms(0.99) / echo_run.percentile_ms(0.99)
            at_target = concurrency == 32
            print(
                row(
                    f"c={concurrency} throughput",
                    f"{app_run.throughput:.0f} req/s",
                    f"{echo_run.throughput:.0f} req/s",
                    f"{ratio:.0%}",
                    f">= {TARGET_RATIO:.0%}" if at_target else "",
                    verdict(ratio >= TARGET_RATIO) if at_target else "",
                )
            )
            print(
                row(
                    f"c={concurrency} p99",
                    f"{app_run.percentile_ms(0.99):.2f} ms",
                    f"{echo_run.percentile_ms(0.99):.2f} ms",
                    f"{p99_factor:.2f}x",
                    f"<= {TARGET_P99_FACTOR}x" if at_target else "",
                    verdict(p99_factor <= TARGET_P99_FACTOR) if at_target else "",
                )
            )
        errors = sum(app_run.errors for app_run, _ in results.values())
        echo_errors = sum(echo_run.errors for _, echo_run in results.values())
        print(row("errors", str(errors), str(echo_errors), "", "0", verdict(errors == 0)))

        print("\nin detail (server and client CPU show the client is not the bottleneck):")
        for concurrency, (app_run, echo_run) in results.items():
            print(f"c={concurrency:<3} echo {describe(echo_run)}")
            print(f"      app  {describe(app_run)}")
        print(f"peak RSS (VmHWM): app {peak[0]:.0f} MiB, echo {peak[1]:.0f} MiB")
        print("cold starts (s): app " + ", ".join(f"{t:.2f}" for t in app_cold))
        print("                 echo " + ", ".join(f"{t:.2f}" for t in echo_cold))
        print("          idioms echo " + ", ".join(f"{t:.2f}" for t in idioms_cold))
        idioms_factor = statistics.median(idioms_cold) / echo_median
        print(
            f"cold start of the idioms echo (echo_idioms_app.py): {idioms_factor:.2f}x the echo's"
        )
        print("the app's start-up, part by part, each in a fresh interpreter (median of 3):")
        for label, code in IMPORT_BREAKDOWN.items():
            print(f"  {label:<40} {median_import_time(code):.2f} s")

        print(f'\n== "explain": true vs off, single-record predict at c=8, {seconds:.0f} s each ==')
        print(f"off  {describe(plain)}")
        print(f"on   {describe(with_explain)}")
        print(
            f"explain on / off: throughput {with_explain.throughput / plain.throughput:.0%}, "
            f"p50 {with_explain.percentile_ms(0.5) - plain.percentile_ms(0.5):+.3f} ms; "
            f"off is the plain request above (c=8: {results[8][0].throughput:.0f} req/s)"
        )

        bench_batches(batch, single, seconds, log)
        store_on_off(seconds, cold, log)


def before_after(before_api: Path, seconds: float, rounds: int, log: Path) -> None:
    """Single-record predict at c=32, SQLite store on, from this api/ ("after") and another
    checkout's ("before", e.g. `git worktree add --detach /tmp/before HEAD~1`), beside the echo:
    `seconds` per server per round, the servers' order rotating from round to round so drift hits
    all alike. Prints each round, each server's totals and RSS, the medians of the per-round
    ratios, then the three servers' cold starts, in turns."""
    single = post_request("/api/v1/predict", json.dumps({"inputs": [EXAMPLE_PASSENGER]}).encode())
    echo_request = post_request("/echo", json.dumps({"inputs": [EXAMPLE_PASSENGER]}).encode())
    print(
        f"== before ({before_api}) vs after ({API_DIR}): c=32, store on, {rounds} rounds of "
        f"{seconds:.0f} s per server, load average {os.getloadavg()[0]:.2f} =="
    )
    names = ("echo", "before", "after")
    totals = {name: Run() for name in names}
    ratios: dict[str, list[float]] = {"after/before req/s": [], "after/before p99": []}
    ratios |= {"before/echo req/s": [], "after/echo req/s": []}
    with (
        start("echo", "echo_app:app", "/health", log) as echo,
        start(
            "app",
            "app.main:app",
            "/api/v1/health",
            log,
            api_dir=before_api,
            PREDICTION_STORE_URL=f"sqlite:///{log.parent}/before.sqlite3",
        ) as before,
        start(
            "app",
            "app.main:app",
            "/api/v1/health",
            log,
            PREDICTION_STORE_URL=f"sqlite:///{log.parent}/after.sqlite3",
        ) as after,
    ):
        targets = {
            "echo": (echo, echo_request),
            "before": (before, single),
            "after": (after, single),
        }
        started_mib = {name: server.memory_mib() for name, (server, _) in targets.items()}
        for round_index in range(rounds):
            order = names[round_index % 3 :] + names[: round_index % 3]
            runs = {name: load(*targets[name], 32, seconds) for name in order}
            for name, run in runs.items():
                totals[name].merge(run)
            ratios["after/before req/s"].append(
                runs["after"].throughput / runs["before"].throughput
            )
            ratios["after/before p99"].append(
                runs["after"].percentile_ms(0.99) / runs["before"].percentile_ms(0.99)
            )
            ratios["before/echo req/s"].append(runs["before"].throughput / runs["echo"].throughput)
            ratios["after/echo req/s"].append(runs["after"].throughput / runs["echo"].throughput)
            print(
                f"round {round_index + 1}: "
                + "; ".join(
                    f"{name} {run.throughput:.0f} req/s p99 {run.percentile_ms(0.99):.1f} ms"
                    for name, run in runs.items()
                )
            )
        for name in names:
            ended_mib = targets[name][0].memory_mib()
            print(
                f"{name:<6} {describe(totals[name])}  RSS after start-up "
                f"{started_mib[name]:.0f} MiB, after the rounds {ended_mib:.0f} MiB"
            )
    for label, values in ratios.items():
        print(f"median {label}: {statistics.median(values):.1%}")
    app = COLD_START_TARGETS["app"]
    targets = {
        "echo": COLD_START_TARGETS["echo"],
        "before": (*app[:3], before_api),
        "after": app,
    }
    starts = cold_starts(rounds, log, targets)
    medians = {name: statistics.median(times) for name, times in starts.items()}
    print(
        f"cold starts, process start -> first 200 (median of {rounds}): "
        + ", ".join(
            f"{name} {median:.2f} s ({median / medians['echo']:.2f}x)"
            for name, median in medians.items()
        )
    )


def bench_batches(batch: bytes, single: bytes, seconds: float, log: Path) -> None:
    """Single-record latency while a client posts large batches, offloaded or on the loop."""
    print(
        f"\n== single-record requests (c=8) while one client posts {BATCH_ROWS:,}-row "
        f"batches back to back, {seconds:.0f} s =="
    )
    with (
        start("app", "app.main:app", "/api/v1/health", log) as app,
        start(
            "app", "app.main:app", "/api/v1/health", log, THREAD_OFFLOAD_ROWS="1000000"
        ) as blocking_app,
    ):
        alone = load(app, single, 8, seconds)
        print(f"no batches            single {describe(alone)}")
        for label, server in (("batches in a thread", app), ("batches on the loop", blocking_app)):
            singles, batches = uvloop.run(_with_batches(server.port, single, batch, 8, seconds))
            rows_per_s = len(batches.latencies_s) * BATCH_ROWS / batches.elapsed_s
            print(
                f"{label:<21} single {singles.throughput:8.0f} req/s  "
                f"p50 {singles.percentile_ms(0.5):6.2f} ms  "
                f"p99 {singles.percentile_ms(0.99):6.2f} ms  "
                f"errors {singles.errors + batches.errors} | batches {rows_per_s:,.0f} rows/s, "
                f"p50 {batches.percentile_ms(0.5):.0f} ms each"
            )


if __name__ == "__main__":
    main()
