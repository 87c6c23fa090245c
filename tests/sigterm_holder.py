"""A process that holds a server is ended by SIGTERM: it must stop the server first (the server
runs in a process group of its own, or would outlive it). Shared by the suites whose helpers
start servers."""

import subprocess
import sys
from collections.abc import Mapping

from titanic_release.servers import is_alive, stop_server


def assert_sigterm_stops_its_server(
    code: str, args: list[str], env: Mapping[str, str] | None = None
) -> None:
    """Run `code` (it prints its server's PID, then waits), SIGTERM it, and require exit 143
    (SystemExit, not death by the signal) with the server gone."""
    holder = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, env=env
    )
    assert holder.stdout is not None
    server_pid = int(holder.stdout.readline())
    try:
        assert is_alive(server_pid)
        holder.terminate()
        assert holder.wait(timeout=60) == 128 + 15  # SystemExit from SIGTERM, not the signal
        assert not is_alive(server_pid)
    finally:  # whatever failed above: neither outlives the test
        holder.kill()
        holder.wait(timeout=30)
        stop_server(server_pid)
