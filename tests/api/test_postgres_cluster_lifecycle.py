"""The throwaway PostgreSQL of the store tests and benchmarks stops with the process that started
it, even when that process is ended by SIGTERM (a benchmark or a test run stopped with `kill`)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from titanic_release.servers import is_alive, stop_server

HOLDER = textwrap.dedent(
    """
    import time
    from postgres_cluster import postgres_cluster

    with postgres_cluster() as cluster:
        print(cluster.process.pid, flush=True)
        time.sleep(120)
    """
)


def test_sigterm_to_the_holder_stops_its_postgres() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True, env=env
    )
    assert holder.stdout is not None
    postgres_pid = int(holder.stdout.readline())
    try:
        assert is_alive(postgres_pid)
        holder.terminate()
        assert holder.wait(timeout=60) == 128 + 15  # SystemExit from SIGTERM, not the signal
        assert not is_alive(postgres_pid)
    finally:  # whatever failed above: neither outlives the test
        holder.kill()
        holder.wait(timeout=30)
        stop_server(postgres_pid)
