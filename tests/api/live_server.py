"""Start the API as a real uvicorn process on 127.0.0.1 and always stop it again, by its PID.

The lifecycle (free port, wait for health, stop the process group) is titanic_release.servers',
the one every server of this repository uses.
"""

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from titanic_release.project import API_DIR
from titanic_release.servers import HOST, free_port, start_server, stop_server, stopped_on_exit

# What the Procfile must say (test_api_deploy checks it does), written here as the expectation.
PROCFILE_COMMAND = "python -m app.launch uvicorn app.main:app --host 0.0.0.0 --port $PORT"
# The same command bound to loopback only: what every test but the Procfile's own one runs.
LOOPBACK_COMMAND = PROCFILE_COMMAND.replace("0.0.0.0", HOST)
STARTUP_TIMEOUT_S = 90.0  # generous: the machine is shared, and import time is not under test here
HEALTH_PATH = "/api/v1/health"

__all__ = ["API_DIR", "PROCFILE_COMMAND", "LiveServer", "serve"]


@dataclass
class LiveServer:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def output(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Graceful stop now (the log stays readable until the `serve` block ends)."""
        stop_server(self.process.pid)


def _environment(port: int, overrides: Mapping[str, str], tmp: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PREDICTION_STORE_URL"] = f"sqlite:///{tmp}/predictions.sqlite3"  # never api/data/
    # The uvicorn of the interpreter running the tests, whatever PATH says.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PORT"] = str(port)
    env.setdefault("PYTHONUNBUFFERED", "1")
    # No drain delay after SIGTERM unless a test asks (the drain tests do): nothing balances here.
    env["SHUTDOWN_DELAY_S"] = "0"
    env.update(overrides)
    return env


@contextmanager
def serve(
    command: str = LOOPBACK_COMMAND, env: Mapping[str, str] | None = None
) -> Iterator[LiveServer]:
    """Run `command` through the shell from api/ (as Procfile runners do) with PORT set."""
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "server.log"
        with stopped_on_exit(
            start_server(
                ["/bin/sh", "-c", f"exec {command}"],  # exec: the PID is uvicorn's own
                base_url + HEALTH_PATH,
                log_path,
                cwd=API_DIR,
                env=_environment(port, env or {}, tmp),
                timeout=STARTUP_TIMEOUT_S,
            )
        ) as process:
            yield LiveServer(process, base_url, log_path)
