"""A process that started a server with titanic_release.servers and is ended by SIGTERM (a
benchmark or a test run stopped with `kill`) stops that server first: the server runs in its own
process group, so nothing else would."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from titanic_release.servers import is_alive, stop_server

pytestmark = pytest.mark.e2e

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from titanic_release.servers import HOST, free_port, start_server, stopped_on_exit

    port = free_port()
    server = start_server(
        [sys.executable, "-m", "http.server", "--bind", HOST, str(port)],
        f"http://{HOST}:{port}/",
        Path(sys.argv[1]),
        cwd=Path(sys.argv[2]),
    )
    with stopped_on_exit(server) as process:
        print(process.pid, flush=True)
        time.sleep(120)
    """
)


def test_sigterm_to_the_holder_stops_its_server(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "server.log"), str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    server_pid = int(holder.stdout.readline())
    try:
        assert is_alive(server_pid)
        holder.terminate()
        assert holder.wait(timeout=30) == 128 + 15  # SystemExit from SIGTERM, not the signal
        assert not is_alive(server_pid)
    finally:  # whatever failed above: neither outlives the test
        holder.kill()
        holder.wait(timeout=30)
        stop_server(server_pid)
