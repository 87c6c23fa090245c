"""What the slow doc-command tests share: a tree copy's environment with the reader's tools first
on PATH (`tox` is .venv's, as in an activated venv), and bash running a page's commands there."""

import contextlib
import os
import signal
import subprocess
from pathlib import Path

from doc_run import bash, clean_env, printed

# The copy's own settings: a reader's shell has none of CI's outside world.
OUTSIDE = ("TWINE_", "PIP_EXTRA_INDEX_URL", "INDEX_URL", "BASELINE_", "PREDICTION_STORE", "CIRCLE")
LONG_S = 3600.0  # a benchmark's whole run on a busy 2-core machine


def reader_env(tree: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in clean_env().items() if not k.startswith(OUTSIDE)}
    env["PATH"] = f"{tree / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    return {**env, **extra}


def run_page(page: str, keys: list[str], tree: Path, env: dict[str, str]) -> str:
    """The commands as `page` prints them, run by bash -e in `tree`; their output."""
    return bash(printed(page, keys), tree, env, timeout=LONG_S)


def stop_group(process: "subprocess.Popen[bytes]", signum: signal.Signals) -> None:
    """`signum` to the process group `process` leads (started with start_new_session), then
    SIGKILL to the group if it lingers past a minute."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
