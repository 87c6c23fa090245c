"""Soak: the API under steady load for 10 minutes, RSS sampled every 10 s; memory must not creep.

Starts the real app (uvicorn, one worker, bench_api.start, prediction store on) on 127.0.0.1 and
keeps 64 keep-alive connections busy: 60 send single-record predicts, 4 send 1,000-row batches.
Every --interval seconds it prints the server's RSS (VmRSS) and the requests answered so far.
The first --warm-up seconds of load are printed but not judged: the prediction store's bounded
queue and SQLite's page cache fill up to their steady state then (measured: about two minutes
at this load). The figure is the growth from the first sample after warm-up to the last one;
>= 5 % fails (exit code 1), as does any answer other than 200 (the load stays well under the
overload bounds).

    python benchmarks/soak_api.py [--duration 600] [--warm-up 120] [--interval 10]
                                  [--concurrency 64]
"""

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import uvloop
from bench_api import exchange, post_request, start
from titanic_release.servers import memory_mib

from titanic_model.contract import EXAMPLE_PASSENGER

PREDICT = "/api/v1/predict"
BATCH_CONNECTIONS, BATCH_ROWS = 4, 1_000
GROWTH_LIMIT_PERCENT = 5.0


async def connection(port: int, request: bytes, until: float, statuses: Counter[int]) -> None:
    """One keep-alive connection sending `request` back to back until `until`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            head = await exchange(reader, writer, request)
            statuses[int(head[9:12])] += 1
    finally:
        writer.close()


async def sample(
    pid: int, until: float, interval: float, statuses: Counter[int]
) -> list[tuple[float, float]]:
    """(seconds since start, RSS MiB) every `interval`, printed as it goes."""
    samples = []
    started = time.perf_counter()
    while time.perf_counter() + interval <= until + 0.5:
        await asyncio.sleep(interval)
        elapsed, rss = time.perf_counter() - started, memory_mib(pid)
        samples.append((elapsed, rss))
        answered = sum(statuses.values())
        print(f"  {elapsed:5.0f} s  RSS {rss:6.1f} MiB  answered {answered:,}", flush=True)
    return samples


async def soak(
    pid: int, port: int, seconds: float, interval: float, concurrency: int
) -> tuple[list[tuple[float, float]], Counter[int]]:
    single = post_request(PREDICT, json.dumps({"inputs": [EXAMPLE_PASSENGER]}).encode())
    batch = post_request(PREDICT, json.dumps({"inputs": [EXAMPLE_PASSENGER] * BATCH_ROWS}).encode())
    statuses: Counter[int] = Counter()
    until = time.perf_counter() + seconds
    requests = [batch] * BATCH_CONNECTIONS + [single] * (concurrency - BATCH_CONNECTIONS)
    results = await asyncio.gather(
        sample(pid, until, interval, statuses),
        *(connection(port, request, until, statuses) for request in requests),
    )
    return results[0], statuses


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds judged")
    parser.add_argument("--warm-up", type=float, default=120.0, help="seconds before judging")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--concurrency", type=int, default=64, help="connections")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory() as tmp,
        start("app", "app.main:app", "/api/v1/health", Path(tmp) / "app.log") as server,
    ):
        pid = server.process.pid
        print(
            f"soak: {args.warm_up:.0f} s warm-up, then {args.duration:.0f} s judged, "
            f"at c={args.concurrency} "
            f"({BATCH_CONNECTIONS} sending {BATCH_ROWS:,}-row batches), RSS every "
            f"{args.interval:.0f} s; started at {memory_mib(pid):.1f} MiB"
        )
        samples, statuses = uvloop.run(
            soak(pid, server.port, args.warm_up + args.duration, args.interval, args.concurrency)
        )
        peak = memory_mib(pid, "VmHWM")
    judged = [rss for elapsed, rss in samples if elapsed >= args.warm_up]
    if len(judged) < 2:
        print("soak: too short for two samples after the warm-up")
        return 1
    first, last = judged[0], judged[-1]
    growth = (last - first) / first * 100
    others = {status: count for status, count in statuses.items() if status != 200}
    print(
        f"soak: RSS {first:.1f} -> {last:.1f} MiB from the first sample after warm-up to the "
        f"last: growth {growth:+.1f} % (limit {GROWTH_LIMIT_PERCENT:.0f} %); peak {peak:.1f} MiB; "
        f"{statuses[200]:,} answered 200, other statuses {others or 'none'}"
    )
    return 0 if growth < GROWTH_LIMIT_PERCENT and not others else 1


if __name__ == "__main__":
    raise SystemExit(main())
