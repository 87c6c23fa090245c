"""The throwaway PostgreSQL of the store tests and benchmarks stops with the process that started
it, even when that process is ended by SIGTERM (a benchmark or a test run stopped with `kill`)."""

import os
import textwrap
from pathlib import Path

from sigterm_holder import assert_sigterm_stops_its_server

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
    assert_sigterm_stops_its_server(HOLDER, [], env)
