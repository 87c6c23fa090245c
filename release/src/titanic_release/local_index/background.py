"""The background index of `make index`: one per clone, under `.index/`, recorded in server.json
(pid and port) so that later commands find it and `make index-stop` stops it by its PID."""

import json
import os
import sys
from pathlib import Path

from titanic_release.local_index.credentials import (
    LocalIndexError,
    read_credentials,
    write_private,
)
from titanic_release.local_index.server import LocalIndex, health_url, start_index, stop_index
from titanic_release.project import REPO_ROOT
from titanic_release.servers import answers_health, is_alive, port_setting

DEFAULT_STATE_DIR = REPO_ROOT / ".index"
DEFAULT_PORT = 8090
# A background index stops itself after this long: a forgotten `make index` does not live forever.
DEFAULT_MAX_HOURS = 12.0
SERVER_STATE_FILE = "server.json"


def read_background_index(state_dir: Path = DEFAULT_STATE_DIR) -> LocalIndex | None:
    """The background index recorded in `server.json`, if its process is alive and answers."""
    recorded = _recorded(state_dir)
    if recorded is None:
        return None
    pid, port = recorded
    if not is_alive(pid) or not answers_health(health_url(port)):
        return None
    return LocalIndex(
        port=port, pid=pid, state_dir=state_dir.resolve(), credentials=read_credentials(state_dir)
    )


def _recorded(state_dir: Path) -> tuple[int, int] | None:
    """(pid, port) from server.json; None when there is none, or it is damaged (a write cut short
    by a full disk or a kill): an index it named is then not this clone's to reuse or stop."""
    try:
        state = json.loads((state_dir / SERVER_STATE_FILE).read_text(encoding="utf-8"))
        return int(state["pid"]), int(state["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def configured_port() -> int:
    """The background index's port: $INDEX_PORT, else DEFAULT_PORT; LocalIndexError for a value
    that is no port."""
    try:
        return port_setting("INDEX_PORT", os.environ.get("INDEX_PORT") or str(DEFAULT_PORT))
    except ValueError as error:
        raise LocalIndexError(str(error)) from None


def ensure_background_index(
    state_dir: Path = DEFAULT_STATE_DIR,
    port: int | None = None,
    *,
    python: str = sys.executable,
    max_hours: float = DEFAULT_MAX_HOURS,
) -> tuple[LocalIndex, bool]:
    """The running background index, started if needed. Returns it and whether it was started."""
    running = read_background_index(state_dir)
    if running is not None:
        return running, False
    index = start_index(
        state_dir, configured_port() if port is None else port, python=python, max_hours=max_hours
    )
    state = {"pid": index.pid, "port": index.port, "url": index.url, "python": python}
    write_private(state_dir / SERVER_STATE_FILE, json.dumps(state, indent=2) + "\n")
    return index, True


def stop_background_index(state_dir: Path = DEFAULT_STATE_DIR) -> int | None:
    """Stop the background index by the PID it recorded. Returns that PID, or None if none ran."""
    state_path = state_dir / SERVER_STATE_FILE
    recorded = _recorded(state_dir)
    state_path.unlink(missing_ok=True)
    if recorded is None or not is_alive(recorded[0]):
        return None
    stop_index(recorded[0])
    return recorded[0]
