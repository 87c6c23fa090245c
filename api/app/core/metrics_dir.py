"""Where the workers of one server share their Prometheus counts (multiprocess mode).

With WEB_CONCURRENCY > 1 uvicorn runs that many worker processes, and a scrape reaches only one
of them; prometheus-client's multiprocess mode keeps each worker's values in files of one shared
directory, named by PROMETHEUS_MULTIPROC_DIR, and adds them up at scrape time. Unless the operator
set one, the directory is named after the server's supervisor process: its PID plus its start
time, so a restarted server (or a new container whose PID 1 is also uvicorn) never adds up a
previous one's files. app/launch.py prepares it before uvicorn starts; nothing here runs on import.
"""

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
DIR_PREFIX = "titanic-api-metrics-"


def process_key(pid: int) -> str | None:
    """'<pid>-<start time>' of a running process, None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    started = stat.rsplit(")", 1)[1].split()[19]  # field 22: start time in clock ticks
    return f"{pid}-{started}"


def remove_dead_servers_dirs(parent: Path) -> None:
    """The directories of servers that have stopped: nobody reads them again."""
    for path in parent.glob(f"{DIR_PREFIX}*-*"):
        pid = path.name.removeprefix(DIR_PREFIX).split("-", 1)[0]
        if pid.isdigit() and process_key(int(pid)) != path.name.removeprefix(DIR_PREFIX):
            shutil.rmtree(path, ignore_errors=True)


def prepare_multiprocess_dir(
    workers: int, supervisor_pid: int, environ: Mapping[str, str]
) -> Path | None:
    """The shared directory of a multi-worker server, made; None when one process serves."""
    if MULTIPROC_DIR_VARIABLE in environ:
        path = Path(environ[MULTIPROC_DIR_VARIABLE])
        path.mkdir(parents=True, exist_ok=True)
        return path
    if workers <= 1:
        return None
    parent = Path(tempfile.gettempdir())
    remove_dead_servers_dirs(parent)
    path = parent / f"{DIR_PREFIX}{process_key(supervisor_pid)}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path
