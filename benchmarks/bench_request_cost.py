"""Where a single-record predict's time goes: CPU per request inside one process, without HTTP.

bench_api.py measures throughput through uvicorn, where the HTTP work is the same for the app and
the echo and so hides how much each adds. Here each ASGI app is called directly in a loop (its
lifespan run first, as uvicorn runs it), so the figures are the app's own cost per request:

- the echo (benchmarks/echo_app.py): FastAPI's floor, parsing the same body;
- the idioms echo (benchmarks/echo_idioms_app.py): the same echo behind the service's FastAPI
  idioms (routers, Depends, response_model), so the gap to the echo is what those cost;
- the app with the prediction store off: what our middleware, validation, scoring and metrics add;
- the app with the SQLite store on: what recording adds, the writer thread's work included (it
  runs in the same process and needs the same GIL).

A second table splits each from the same runs: the CPU spent outside the request's own thread
(with the store on, its writer's) and the voluntary context switches per request, which count the
GIL hand-offs between the two threads.

Each runs in its own fresh interpreter (the app reads its settings and registers its metrics at
import), with api/ and benchmarks/ on PYTHONPATH as uvicorn's --app-dir would put them.

    python benchmarks/bench_request_cost.py [--requests 20000] [--rounds 5] [--before API_DIR]

--before adds the same two app rows served from another checkout's api/ (e.g. the previous
commit's, `git worktree add --detach /tmp/before HEAD~1`), measured in the same turns.
"""

import argparse
import asyncio
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from titanic_model.contract import EXAMPLE_PASSENGER

ROOT = Path(__file__).resolve().parents[1]
BODY = json.dumps({"inputs": [EXAMPLE_PASSENGER]}).encode()
WARM_UP_REQUESTS = 2_000


def _scope(path: str) -> dict[str, Any]:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8001),
    }


async def _request(app: Any, path: str) -> None:
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:  # the app asks again only to watch for a disconnect
            await asyncio.sleep(3600)
        delivered = True
        return {"type": "http.request", "body": BODY, "more_body": False}

    status = 0

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(path), receive, send)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")


async def _cost(app: Any, path: str, requests: int) -> dict[str, float]:
    """Per request, the app's lifespan run around the loop: microseconds of CPU, of which the
    request's own thread, and the threads' voluntary context switches (a thread giving way:
    waiting for the GIL, a lock or a timer)."""
    events: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    started = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"].startswith("lifespan.startup"):
            started.set()

    await events.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(app({"type": "lifespan", "state": {}}, events.get, send))
    await started.wait()
    for _ in range(WARM_UP_REQUESTS):
        await _request(app, path)
    cpu, own, switches = time.process_time(), time.thread_time(), _voluntary_switches()
    for _ in range(requests):
        await _request(app, path)
    cost = {
        "cpu": (time.process_time() - cpu) / requests * 1e6,
        "request thread": (time.thread_time() - own) / requests * 1e6,
        "switches": (_voluntary_switches() - switches) / requests,
    }
    await events.put({"type": "lifespan.shutdown"})
    await lifespan
    return cost


def _voluntary_switches() -> int:
    """Of every thread of this process, those that have ended included (Linux's RUSAGE_SELF)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw


TARGETS = {  # label: (module, path, PREDICTION_STORE_URL)
    "echo (FastAPI's floor)": ("echo_app", "/echo", "off"),
    "idioms echo": ("echo_idioms_app", "/api/v1/echo", "off"),
    "app, store off": ("app.main", "/api/v1/predict", "off"),
    "app, store on (SQLite)": (
        "app.main",
        "/api/v1/predict",
        "sqlite:///{tmp}/predictions.sqlite3",
    ),
}


def _measure(label: str, requests: int, api_dir: Path) -> dict[str, float]:
    """The cost of one target, measured in a child interpreter."""
    store_url = TARGETS[label][2]
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            # the checkout's own store package too (--before): store/ beside api/, or api/store/
            "PYTHONPATH": os.pathsep.join(
                map(
                    str, [api_dir, api_dir.parent / "store", api_dir / "store", ROOT / "benchmarks"]
                )
            ),
            "PREDICTION_STORE_URL": store_url.format(tmp=tmp),
        }
        command = [sys.executable, __file__, "--one", label, "--requests", str(requests)]
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=600, check=True
        )
    costs: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return costs


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", type=Path, metavar="API_DIR", help="another api/ to compare")
    parser.add_argument("--one", choices=TARGETS, help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args(argv)
    if args.one:
        module, path, _ = TARGETS[args.one]
        app = importlib.import_module(module).app
        print(json.dumps(asyncio.run(_cost(app, path, args.requests))))
        return
    print(
        f"CPU per single-record predict, in-process, {args.requests:,} requests per run, "
        f"median of {args.rounds} runs taken in turns:"
    )
    checkouts = {"": ROOT / "api"}
    if args.before:
        checkouts["before: "] = args.before.resolve()
        print(f"before: {checkouts['before: ']}")
    runs: dict[str, list[dict[str, float]]] = {}
    for _ in range(args.rounds):  # in turns, so a noisy moment hits every target alike
        for prefix, api_dir in checkouts.items():
            for label in TARGETS:
                if prefix and "echo" in label:
                    continue
                runs.setdefault(prefix + label, []).append(_measure(label, args.requests, api_dir))
    previous = None
    for label, measured in runs.items():
        costs = [run["cpu"] for run in measured]
        cost = statistics.median(costs)
        added = "" if previous is None else f"  ({cost - previous:+.1f} µs)"
        spread = f"runs {min(costs):.0f}-{max(costs):.0f}"
        print(f"  {label:32} {cost:6.1f} µs  {spread:12}{added}")
        previous = cost
    print("The same runs (medians): CPU outside the request's thread, voluntary context switches:")
    for label, measured in runs.items():
        others = statistics.median(run["cpu"] - run["request thread"] for run in measured)
        switches = statistics.median(run["switches"] for run in measured)
        print(f"  {label:32} {others:6.1f} µs  {switches:5.2f} switches per request")


if __name__ == "__main__":
    main()
