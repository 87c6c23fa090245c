"""A process that started a server with titanic_release.servers and is ended by SIGTERM (a
benchmark or a test run stopped with `kill`) stops that server first: the server runs in its own
process group, so nothing else would."""

import textwrap
from pathlib import Path

import pytest
from sigterm_holder import assert_sigterm_stops_its_server

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
    assert_sigterm_stops_its_server(HOLDER, [str(tmp_path / "server.log"), str(tmp_path)])
