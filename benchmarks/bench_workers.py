"""Scale on one machine: the API with WEB_CONCURRENCY=2 beside one worker, in the same run.

Both servers start as the Procfile starts them (app.launch, uvicorn) with their own SQLite
prediction store on; single-record predict at c=32 from bench_api's keep-alive load generator,
the two servers measured in alternating rounds. Prints req/s and p99 of each and the ratio (the
target for two workers on two cores: >= 1.7x). The load generator shares the machine's cores with
the servers, which the ratio pays for: its CPU share is printed (client CPU). Figures only.

    python benchmarks/bench_workers.py [--seconds 8] [--rounds 3]
"""

import argparse
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench_api import Run, Server, describe, load, post_request, start

from titanic_model.contract import EXAMPLE_PASSENGER

TARGET_RATIO = 1.7


def _tree_cpu_seconds(server: Server) -> float:
    """The CPU of uvicorn and its worker processes (with two workers the parent only watches)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(server.process.pid) or fields[1] == str(server.process.pid):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (>= 2)")
    args = parser.parse_args(argv)
    request = post_request("/api/v1/predict", json.dumps({"inputs": [EXAMPLE_PASSENGER]}).encode())
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        log = Path(tmp) / "servers.log"
        store = f"sqlite:///{tmp}/workers-{{}}.sqlite3"
        runs = {workers: Run() for workers in ("1", "2")}
        with (
            start(
                "app",
                "app.main:app",
                "/api/v1/health",
                log,
                WEB_CONCURRENCY="1",
                PREDICTION_STORE_URL=store.format(1),
            ) as one,
            start(
                "app",
                "app.main:app",
                "/api/v1/health",
                log,
                WEB_CONCURRENCY="2",
                PREDICTION_STORE_URL=store.format(2),
            ) as two,
        ):
            for _ in range(max(2, args.rounds)):
                for workers, server in (("1", one), ("2", two)):
                    cpu = _tree_cpu_seconds(server)
                    run = load(server, request, 32, args.seconds)
                    run.server_cpu_s = _tree_cpu_seconds(server) - cpu
                    runs[workers].merge(run)
    print(
        f"== WEB_CONCURRENCY 2 vs 1, single-record predict, c=32, store on ({args.rounds} x "
        f"{args.seconds:.0f} s each) =="
    )
    for workers, run in runs.items():
        print(f"{workers} worker(s): {describe(run)}")
    ratio = runs["2"].throughput / runs["1"].throughput
    p99 = runs["2"].percentile_ms(0.99) / runs["1"].percentile_ms(0.99)
    met = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(
        f"2 workers / 1: throughput {ratio:.2f}x (target >= {TARGET_RATIO}x: {met}), p99 {p99:.2f}x"
    )
    # Whether the shortfall is the app's or the machine's: req/s per core the servers got.
    per_cpu = {
        workers: run.throughput * run.wall_s / run.server_cpu_s for workers, run in runs.items()
    }
    print(
        f"req/s per server core: 1 worker {per_cpu['1']:.0f}, 2 workers {per_cpu['2']:.0f} "
        f"({per_cpu['2'] / per_cpu['1']:.2f}x: 1.00x is linear in the CPU the workers get)"
    )


if __name__ == "__main__":
    main()
