"""The local index's command line: what `make index` and `make index-stop` run.

Usage::

    python -m titanic_release.local_index start [--port 8090] [--max-hours 12]
    python -m titanic_release.local_index stop
    python -m titanic_release.local_index status
    python -m titanic_release.local_index pip-url   # the authenticated URL: PIP_EXTRA_INDEX_URL
"""

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from titanic_release.local_index.background import (
    DEFAULT_MAX_HOURS,
    DEFAULT_STATE_DIR,
    ensure_background_index,
    read_background_index,
    stop_background_index,
)
from titanic_release.local_index.credentials import CREDENTIALS_FILE, LocalIndexError
from titanic_release.local_index.server import LOG_FILE


def _serve(max_hours: float, pypiserver_args: Sequence[str]) -> None:
    """Run pypiserver in this process and end it after `max_hours`, whatever happens."""
    from pypiserver.__main__ import main as pypiserver_main  # type: ignore[import-untyped]

    timer = threading.Timer(max_hours * 3600, os.kill, args=(os.getpid(), signal.SIGTERM))
    timer.daemon = True
    timer.start()
    pypiserver_main(list(pypiserver_args))


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="default: %(default)s"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start the background index (no-op if running)")
    start.add_argument("--port", type=int, default=None, help="default: $INDEX_PORT or 8090")
    start.add_argument("--max-hours", type=float, default=DEFAULT_MAX_HOURS)
    commands.add_parser("stop", help="stop the background index by its recorded PID")
    commands.add_parser("status", help="say whether the background index runs, and where")
    commands.add_parser("pip-url", help="print the authenticated simple URL (a secret)")
    serve = commands.add_parser("serve", help=argparse.SUPPRESS)
    serve.add_argument("--max-hours", type=float, required=True)
    serve.add_argument("pypiserver_args", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    state_dir: Path = args.state_dir.resolve()
    if args.command == "serve":
        forwarded = [a for a in args.pypiserver_args if a != "--"]
        _serve(args.max_hours, forwarded)
        return 0
    if args.command == "start":
        try:
            index, started = ensure_background_index(state_dir, args.port, max_hours=args.max_hours)
        except LocalIndexError as error:
            print(f"The local index did not start: {error}", file=sys.stderr)
            return 1
        verb = "started" if started else "already running"
        print(
            f"Local index {verb}: {index.simple_url} (pid {index.pid}, packages in "
            f"{index.packages_dir}, log {state_dir / LOG_FILE})."
        )
        print(f"Credentials: {state_dir / CREDENTIALS_FILE}. Stop it with: make index-stop")
        return 0
    if args.command == "stop":
        pid = stop_background_index(state_dir)
        print(f"Local index stopped (pid {pid})." if pid else "No local index was running.")
        return 0
    try:
        running = read_background_index(state_dir)
    except LocalIndexError as error:  # its credentials are damaged
        print(error, file=sys.stderr)
        return 1
    if args.command == "status":
        if running is None:
            print("No local index is running (start it with: make index).")
            return 1
        print(f"Local index running: {running.simple_url} (pid {running.pid}).")
        return 0
    if running is None:
        print("No local index is running (start it with: make index).", file=sys.stderr)
        return 1
    print(running.authenticated_simple_url())
    return 0


if __name__ == "__main__":
    sys.exit(main())
