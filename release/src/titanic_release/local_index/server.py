"""A pypiserver process on 127.0.0.1 behind htpasswd: started, answering its health endpoint, and
stopped by its PID; every run is bounded in time."""

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from titanic_release.local_index.credentials import (
    HTPASSWD_FILE,
    Credentials,
    LocalIndexError,
    announce_credentials,
    authenticated_simple_url,
    ensure_credentials,
)
from titanic_release.servers import (
    HOST,
    ServerError,
    free_port,
    port_in_use,
    start_server,
    stop_server,
)

HEALTH_PATH = "/health"
# Throwaway indexes started by tests are bounded too, in case the test process dies without cleanup.
THROWAWAY_MAX_HOURS = 1.0
PACKAGES_DIR = "packages"
LOG_FILE = "pypiserver.log"


@dataclass(frozen=True)
class LocalIndex:
    """A running index: where it listens, who may use it, and the process serving it."""

    port: int
    pid: int
    state_dir: Path
    credentials: Credentials
    host: str = HOST

    @property
    def url(self) -> str:
        """The upload URL, for twine's TWINE_REPOSITORY_URL."""
        return f"http://{self.host}:{self.port}/"

    @property
    def simple_url(self) -> str:
        """The PEP 503 simple index, without credentials (safe to print)."""
        return f"{self.url}simple/"

    @property
    def username(self) -> str:
        return self.credentials.username

    @property
    def password(self) -> str:
        return self.credentials.password

    @property
    def packages_dir(self) -> Path:
        return self.state_dir / PACKAGES_DIR

    def authenticated_simple_url(self) -> str:
        """http://user:pass@127.0.0.1:PORT/simple/ — the value for PIP_EXTRA_INDEX_URL. Secret."""
        return authenticated_simple_url(self.host, self.port, self.credentials)

    def twine_env(self) -> dict[str, str]:
        """twine's own variables pointing at this index."""
        return {
            "TWINE_REPOSITORY_URL": self.url,
            "TWINE_USERNAME": self.username,
            "TWINE_PASSWORD": self.password,
        }

    def pip_env(self) -> dict[str, str]:
        """The only variable pip needs to install from this index (third-party deps still come
        from the default index)."""
        return {"PIP_EXTRA_INDEX_URL": self.authenticated_simple_url()}


def _server_command(
    python: str, port: int, state_dir: Path, log_path: Path, max_hours: float
) -> list[str]:
    return [
        python,
        "-m",
        "titanic_release.local_index",
        "serve",
        "--max-hours",
        str(max_hours),
        "--",
        "run",
        "--host",
        HOST,
        "--port",
        str(port),
        "--passwords",
        str(state_dir / HTPASSWD_FILE),
        "--authenticate",
        "update,download,list",
        "--disable-fallback",
        "--hash-algo",
        "sha256",
        "--health-endpoint",
        HEALTH_PATH,
        "--log-file",
        str(log_path),
        "--log-stream",
        "none",
        str(state_dir / PACKAGES_DIR),
    ]


def health_url(port: int) -> str:
    return f"http://{HOST}:{port}{HEALTH_PATH}"


def start_index(
    state_dir: Path,
    port: int | None = None,
    *,
    python: str = sys.executable,
    max_hours: float = THROWAWAY_MAX_HOURS,
    startup_timeout: float = 30.0,
) -> LocalIndex:
    """Start pypiserver in its own session and return once it answers its health endpoint.

    The process outlives the caller unless stopped with `stop_index` (its lifetime is bounded by
    `max_hours`). Fails with the log's tail if the server exits or does not answer in time.
    """
    state_dir = state_dir.resolve()
    chosen_port = free_port() if port is None else port
    if port_in_use(chosen_port):  # before anything is written
        raise LocalIndexError(
            f"port {chosen_port} on {HOST} is already in use; choose another with INDEX_PORT "
            f"(e.g. make index INDEX_PORT={chosen_port + 1})"
        )
    credentials, created = ensure_credentials(state_dir)
    if created:
        announce_credentials(state_dir, credentials)
    (state_dir / PACKAGES_DIR).mkdir(parents=True, exist_ok=True)
    log_path = state_dir / LOG_FILE
    command = _server_command(python, chosen_port, state_dir, log_path, max_hours)
    try:
        process = start_server(
            command,
            health_url(chosen_port),
            log_path,
            cwd=state_dir,
            timeout=startup_timeout,
            poll_interval=0.1,
        )
    except ServerError as error:
        raise LocalIndexError(f"pypiserver: {error}") from None
    return LocalIndex(
        port=chosen_port, pid=process.pid, state_dir=state_dir, credentials=credentials
    )


def stop_index(pid: int) -> None:
    """Stop the index with this PID: SIGTERM, then SIGKILL if it lingers. Idempotent."""
    stop_server(pid, timeout=10.0)


@contextlib.contextmanager
def running_index(
    root: Path, port: int | None = None, *, python: str = sys.executable
) -> Iterator[LocalIndex]:
    """A throwaway index under `root`, stopped on exit even on error."""
    index = start_index(root, port, python=python)
    try:
        yield index
    finally:
        stop_index(index.pid)
