"""Start the API as a real uvicorn process on 127.0.0.1 and always stop it again, by its PID."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parents[2]
API_DIR = ROOT / "api"
PROCFILE_COMMAND = "uvicorn app.main:app --host 0.0.0.0 --port $PORT"
# The same command bound to loopback only: what every test but the Procfile's own one runs.
LOOPBACK_COMMAND = PROCFILE_COMMAND.replace("0.0.0.0", "127.0.0.1")
STARTUP_TIMEOUT_S = 90.0  # generous: the machine is shared, and import time is not under test here


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
        stop(self.process)


def _environment(port: int, overrides: Mapping[str, str], tmp: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PREDICTION_STORE_URL"] = f"sqlite:///{tmp}/predictions.sqlite3"  # never api/data/
    # The uvicorn of the interpreter running the tests, whatever PATH says.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PORT"] = str(port)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(overrides)
    return env


def wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx2.get(f"{base_url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server not healthy after {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (uvicorn and its workers), then SIGKILL."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@contextmanager
def serve(
    command: str = LOOPBACK_COMMAND, env: Mapping[str, str] | None = None
) -> Iterator[LiveServer]:
    """Run `command` through the shell from api/ (as Procfile runners do) with PORT set."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {command}"],  # the PID is uvicorn's own
                cwd=API_DIR,
                env=_environment(port, env or {}, tmp),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so stop() reaches the workers
            )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_healthy(process, base_url, log_path)
            yield LiveServer(process, base_url, log_path)
        finally:
            stop(process)
