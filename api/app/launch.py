"""`python -m app.launch uvicorn app.main:app ...`: the start command (api/Procfile).

Prepares what must exist before uvicorn starts its workers, then runs the given command. Today
that is one thing: with WEB_CONCURRENCY > 1 the metrics directory the workers share
(core/metrics_dir.py), handed to them as PROMETHEUS_MULTIPROC_DIR in the environment, since
prometheus-client reads it when the workers import it.

uvicorn runs in this process, as its own `uvicorn` script would run it: exec'ing the script
would start a second interpreter, a cost every cold start pays (docs/performance.md), and the
settings read here are the ones the app then finds already imported. Requests in flight at
shutdown get SHUTDOWN_GRACE_S (uvicorn's --timeout-graceful-shutdown, unless the command or
UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN sets it). Any other command replaces this process (exec).
Either way the PID stays the one that gets SIGTERM.
"""

import os
import sys
from pathlib import Path

from pydantic import ValidationError

from app.core.config import get_settings
from app.core.metrics_dir import MULTIPROC_DIR_VARIABLE, prepare_multiprocess_dir
from app.shadow.settings import get_shadow_settings
from titanic_model.settings_yaml import describe


def main(command: list[str]) -> None:
    if not command:
        sys.exit("usage: python -m app.launch COMMAND [ARGS...]  (e.g. uvicorn app.main:app)")
    try:
        settings = get_settings()
        get_shadow_settings()
    except ValidationError as error:  # every bad variable on a line, never its value
        sys.exit(f"the API's settings are invalid; nothing was started:\n{describe(error)}")
    workers = settings.WEB_CONCURRENCY
    shared = prepare_multiprocess_dir(workers, os.getpid(), os.environ)
    if shared is not None:
        os.environ[MULTIPROC_DIR_VARIABLE] = str(shared)  # for the workers this process starts
    if Path(command[0]).name == "uvicorn":
        from uvicorn.main import main as uvicorn_command

        arguments = command[1:]
        given = any(a.startswith("--timeout-graceful-shutdown") for a in arguments)
        if not given and "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN" not in os.environ:
            # in-flight requests get this long once the drain's delay is over (core/drain.py)
            arguments += ["--timeout-graceful-shutdown", f"{settings.SHUTDOWN_GRACE_S:g}"]
        uvicorn_command.main(args=arguments, prog_name="uvicorn")  # exits with its status
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
