"""One step of `make run`: its output to a log file, one line on the terminal with its time.

    python -m titanic_release.make_step --log reports/make-run.log "[2/6] the index" -- CMD ARGS

The line starts when the step does and ends with its elapsed time, so a slow step shows what is
running. When the step fails, its whole output follows the line and its exit code is kept.
Standard library only: it runs before any environment exists.
"""

import argparse
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from titanic_masking import mask_url_credentials


def elapsed_text(seconds: float) -> str:
    """12.3 s, or 2 min 05 s."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _logged(command: Sequence[str]) -> str:
    """The command as the log shows it: a URL's user and password masked (a store's URL)."""
    return shlex.join(mask_url_credentials(arg, arg) if "://" in arg else arg for arg in command)


def run_step(title: str, command: Sequence[str], log_path: Path, *, new_log: bool) -> int:
    """Run `command` with its output appended to `log_path`; print one line; its exit code."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"{title} ...", end=" ", flush=True)
    started = time.monotonic()
    with log_path.open("w" if new_log else "a", encoding="utf-8") as log:
        log.write(f"=== {title}: {_logged(command)}\n")
        log.flush()
        step_start = log.tell()
        try:
            code = subprocess.call(
                list(command), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        except OSError as error:
            log.write(f"{error}\n")
            code = 127
    elapsed = elapsed_text(time.monotonic() - started)
    if code == 0:
        print(elapsed)
        return 0
    print(f"FAILED after {elapsed} (exit {code}); its output (also in {log_path}):")
    with log_path.open(encoding="utf-8", errors="replace") as log:
        log.seek(step_start)
        sys.stdout.write(log.read())
    sys.stdout.flush()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", type=Path, required=True, help="file the output is appended to")
    parser.add_argument("--new-log", action="store_true", help="empty the log first")
    parser.add_argument("title", help="the step's line, e.g. '[2/6] .venv with tox'")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given after --")
    return run_step(args.title, command, args.log, new_log=args.new_log)


if __name__ == "__main__":
    sys.exit(main())
