"""Run one command for the release machinery: its stdout back, or an error naming what failed.

A failure raises CommandError with the output's tail; an index URL's credentials are masked in
whatever comes back, so a message or a log never shows them.
"""

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from titanic_masking import mask_url_credentials

COMMAND_TIMEOUT_S = 600


class CommandError(RuntimeError):
    """A command failed; the message says which and why."""


def run(
    command: Sequence[str | Path],
    what: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    index_url: str | None = None,
) -> str:
    """Run a command; on failure raise CommandError with its output's tail. Returns its stdout.
    `index_url`'s credentials are masked in both."""
    try:
        result = subprocess.run(
            [str(part) for part in command],
            env=dict(env) if env is not None else None,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CommandError(f"{what} failed: {error}") from None
    if result.returncode != 0:
        output = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        if index_url is not None:
            output = mask_url_credentials(output, index_url)
        raise CommandError(f"{what} failed (exit {result.returncode}):\n{output}")
    if index_url is not None:
        return mask_url_credentials(result.stdout, index_url)
    return result.stdout
