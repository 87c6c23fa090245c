"""The one server lifecycle: pick a free loopback port, start a process, wait until its health
URL answers 200, read its memory, and stop it by its PID (its whole process group) even when
something failed.

Used by the local index, `make run`'s index, the API tests, the end-to-end test and the API
benchmark, so every server of this repository starts and stops the same way.
"""

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType

HOST = "127.0.0.1"


class ServerError(RuntimeError):
    """A server exited on start or did not answer its health URL in time; the message has its
    log's tail."""


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def port_setting(name: str, value: str) -> int:
    """The port a setting such as PORT or INDEX_PORT names; ValueError naming the setting, for a
    value a socket would refuse with a traceback (`abc`, `99999`, `-1`)."""
    if value.strip().isdecimal() and 1 <= int(value) <= 65535:  # isdigit takes '²'
        return int(value)
    raise ValueError(f"{name}={value!r} is not a port: give a number from 1 to 65535")


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


def is_alive(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie, exited but not reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    status = Path(f"/proc/{pid}/status")
    with contextlib.suppress(OSError):
        return "\nState:\tZ" not in status.read_text()
    return True


def memory_mib(pid: int, field: str = "VmRSS") -> float:
    """VmRSS (resident now) or VmHWM (peak since start) of `pid`, in MiB, from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no {field} in /proc/{pid}/status")


def answers_health(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return int(reply.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def log_tail(log_path: Path, lines: int = 30) -> str:
    if not log_path.exists():
        return "(no log)"
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def start_server(
    command: Sequence[str],
    health_url: str,
    log_path: Path,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 90.0,
    poll_interval: float = 0.05,
) -> subprocess.Popen[bytes]:
    """Start `command` in its own session (output appended to `log_path`) and return once
    `health_url` answers 200. The process outlives the caller unless stopped with `stop_server`;
    on failure it is stopped here and ServerError says why."""
    with open(os.devnull, "rb") as devnull, log_path.open("ab") as log:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=devnull,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop_server reaches its workers
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"{command[0]} exited with code {process.returncode} on start; "
                f"log {log_path}:\n{log_tail(log_path)}"
            )
        if answers_health(health_url):
            return process
        time.sleep(poll_interval)
    stop_server(process.pid)
    raise ServerError(
        f"{command[0]} did not answer {health_url} within {timeout:.0f} s; "
        f"log {log_path}:\n{log_tail(log_path)}"
    )


def _signal(pid: int, signum: int) -> None:
    """Signal the process group `pid` leads, or the process alone if it leads none."""
    with contextlib.suppress(ProcessLookupError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)


def _gone(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return True
    return not is_alive(pid)


def stop_server(pid: int, timeout: float = 15.0) -> None:
    """SIGTERM to the server with this PID (and its group), SIGKILL if it lingers. Idempotent."""
    if _gone(pid):
        return
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _gone(pid):
            return
        time.sleep(0.05)
    _signal(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def sigterm_exits() -> Iterator[None]:
    """While inside, SIGTERM raises SystemExit in the main thread, so `finally` blocks run: by
    default it ends Python without them, and a server in its own process group outlives it."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield  # not ours to change (a server's own handler, or one set by an outer block)
        return
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def stopped_on_exit(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """`with stopped_on_exit(start_server(...)) as process:` stops it on exit, even on error or
    SIGTERM (a benchmark or a test ended by `kill`)."""
    with sigterm_exits():
        try:
            yield process
        finally:
            stop_server(process.pid)
