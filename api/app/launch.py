"""`python -m app.launch uvicorn app.main:app ...`: the start command (api/Procfile).

Prepares what must exist before uvicorn starts its workers, then becomes the given command (exec:
same PID, so uvicorn is still the process that gets SIGTERM). Today that is one thing: with
WEB_CONCURRENCY > 1 the metrics directory the workers share (core/metrics_dir.py), handed to
them as PROMETHEUS_MULTIPROC_DIR in the command's environment, since prometheus-client reads it
when the workers import it.
"""

import os
import sys

from app.core.metrics_dir import MULTIPROC_DIR_VARIABLE, prepare_multiprocess_dir


def workers() -> int:
    """WEB_CONCURRENCY as the app's Settings read it. Unset or 1, the usual case, is answered
    without importing the settings (pydantic-settings): that import would add a third of a
    second to every cold start (docs/performance.md)."""
    if os.environ.get("WEB_CONCURRENCY", "1").strip() == "1":
        return 1
    from app.core.config import get_settings  # here: see the docstring

    return get_settings().WEB_CONCURRENCY


def main(command: list[str]) -> None:
    if not command:
        sys.exit("usage: python -m app.launch COMMAND [ARGS...]  (e.g. uvicorn app.main:app)")
    environ = dict(os.environ)
    shared = prepare_multiprocess_dir(workers(), os.getpid(), environ)
    if shared is not None:
        environ[MULTIPROC_DIR_VARIABLE] = str(shared)
    os.execvpe(command[0], command, environ)


if __name__ == "__main__":
    main(sys.argv[1:])
