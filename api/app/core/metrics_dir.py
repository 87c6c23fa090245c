"""Where the workers of one server share their Prometheus counts (multiprocess mode).

With WEB_CONCURRENCY > 1 uvicorn runs that many worker processes, and a scrape reaches only one
of them; prometheus-client's multiprocess mode keeps each worker's values in files of one shared
directory and adds them up at scrape time. Its PROMETHEUS_MULTIPROC_DIR must be set before
prometheus_client is imported. Unless the operator set one, the workers agree on a directory
named after their parent (the uvicorn supervisor): its PID plus its start time, so a restarted
server (or a new container whose PID 1 is also uvicorn) never adds up a previous one's files.
"""

import os
import tempfile
from pathlib import Path

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def _workers() -> int:
    try:
        return int(os.environ.get("WEB_CONCURRENCY", "1"))
    except ValueError:
        return 1


def _supervisor_key() -> str:
    parent = os.getppid()
    stat = Path(f"/proc/{parent}/stat").read_text(encoding="ascii")
    started = stat.rsplit(")", 1)[1].split()[19]  # field 22: start time in clock ticks
    return f"{parent}-{started}"


def prepare_multiprocess_dir() -> Path | None:
    """Set PROMETHEUS_MULTIPROC_DIR for a multi-worker server; None when one process serves."""
    if MULTIPROC_DIR_VARIABLE in os.environ:
        path = Path(os.environ[MULTIPROC_DIR_VARIABLE])
        path.mkdir(parents=True, exist_ok=True)
        return path
    if _workers() <= 1:
        return None
    path = Path(tempfile.gettempdir()) / f"titanic-api-metrics-{_supervisor_key()}"
    path.mkdir(mode=0o700, exist_ok=True)
    os.environ[MULTIPROC_DIR_VARIABLE] = str(path)
    return path
