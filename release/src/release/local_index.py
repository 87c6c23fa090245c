"""The local private package index: a real pypiserver on 127.0.0.1 behind htpasswd authentication.

It stands in for Gemfury so that publishing and installing locally take the same path as in
production: `twine upload` with credentials, `pip install` through an authenticated
`PIP_EXTRA_INDEX_URL`. Every action is authenticated (upload, download and listing), as on a
private Gemfury account, and overwriting an existing file is refused (pypiserver answers 409).

Layout of a state directory (default `.index/`, git-ignored):

    credentials.json   username + random password (mode 600), generated on first start
    htpasswd           the same password hashed with apr_md5_crypt (mode 600), read by pypiserver
    packages/          the uploaded distributions
    server.json        pid + port of the background server started by `make index`
    pypiserver.log     its log (requests are logged without credentials)

As a library (tests, differential tests, publishing)::

    from release.local_index import running_index

    with running_index(tmp_path / "index") as index:      # free port, stopped on exit
        env = {**os.environ, **index.twine_env()}         # TWINE_REPOSITORY_URL/USERNAME/PASSWORD
        ...                                               # twine upload ...
        env = {**os.environ, **index.pip_env()}           # PIP_EXTRA_INDEX_URL with credentials
        ...                                               # pip install ...

The Python that runs this module must have `pypiserver` and `passlib` installed (the tox envs
that install `release[index]` have them).

As a command (what `make index` / `make index-stop` run)::

    python -m release.local_index start [--port 8090] [--max-hours 12]
    python -m release.local_index stop
    python -m release.local_index status
    python -m release.local_index pip-url   # the authenticated simple URL, for PIP_EXTRA_INDEX_URL
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from release.project import REPO_ROOT
from release.servers import (
    HOST,
    ServerError,
    answers_health,
    free_port,
    is_alive,
    port_in_use,
    start_server,
    stop_server,
)

DEFAULT_STATE_DIR = REPO_ROOT / ".index"
DEFAULT_PORT = 8090
USERNAME = "publisher"
HEALTH_PATH = "/health"
# A background index stops itself after this long: a forgotten `make index` does not live forever.
DEFAULT_MAX_HOURS = 12.0
# Throwaway indexes started by tests are bounded too, in case the test process dies without cleanup.
THROWAWAY_MAX_HOURS = 1.0

CREDENTIALS_FILE = "credentials.json"
HTPASSWD_FILE = "htpasswd"
PACKAGES_DIR = "packages"
SERVER_STATE_FILE = "server.json"
LOG_FILE = "pypiserver.log"


class LocalIndexError(RuntimeError):
    """The index could not be started, reached or stopped."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class LocalIndex:
    """A running index: where it listens, who may use it, and the process serving it."""

    port: int
    pid: int
    state_dir: Path
    credentials: Credentials
    host: str = HOST

    @property
    def url(self) -> str:
        """The upload URL, for twine's TWINE_REPOSITORY_URL."""
        return f"http://{self.host}:{self.port}/"

    @property
    def simple_url(self) -> str:
        """The PEP 503 simple index, without credentials (safe to print)."""
        return f"{self.url}simple/"

    @property
    def username(self) -> str:
        return self.credentials.username

    @property
    def password(self) -> str:
        return self.credentials.password

    @property
    def packages_dir(self) -> Path:
        return self.state_dir / PACKAGES_DIR

    def authenticated_simple_url(self) -> str:
        """http://user:pass@127.0.0.1:PORT/simple/ — the value for PIP_EXTRA_INDEX_URL. Secret."""
        return authenticated_simple_url(self.host, self.port, self.credentials)

    def twine_env(self) -> dict[str, str]:
        """twine's own variables pointing at this index."""
        return {
            "TWINE_REPOSITORY_URL": self.url,
            "TWINE_USERNAME": self.username,
            "TWINE_PASSWORD": self.password,
        }

    def pip_env(self) -> dict[str, str]:
        """The only variable pip needs to install from this index (third-party deps still come
        from the default index)."""
        return {"PIP_EXTRA_INDEX_URL": self.authenticated_simple_url()}


def authenticated_simple_url(host: str, port: int, credentials: Credentials) -> str:
    user = quote(credentials.username, safe="")
    password = quote(credentials.password, safe="")
    return f"http://{user}:{password}@{host}:{port}/simple/"


# --- credentials -----------------------------------------------------------------------------


def _write_private(path: Path, text: str) -> None:
    """Create (or replace) a file that only its owner can read: mode 600 from the first byte."""
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def _write_htpasswd(path: Path, credentials: Credentials) -> None:
    # apr_md5_crypt needs no compiled backend (passlib's bcrypt support breaks with bcrypt>=4.1);
    # the password is 32 random bytes and the server listens on loopback only, so the hash scheme
    # is not what protects it.
    with warnings.catch_warnings():  # passlib imports the deprecated `crypt` module
        warnings.simplefilter("ignore", DeprecationWarning)
        from passlib.apache import HtpasswdFile  # type: ignore[import-untyped]

    htpasswd = HtpasswdFile(default_scheme="apr_md5_crypt")
    htpasswd.set_password(credentials.username, credentials.password)
    _write_private(path, htpasswd.to_string().decode("utf-8"))


def ensure_credentials(state_dir: Path) -> tuple[Credentials, bool]:
    """The index's credentials, generated (and the htpasswd written) the first time.

    Returns the credentials and whether they were created just now.
    """
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    credentials_path = state_dir / CREDENTIALS_FILE
    htpasswd_path = state_dir / HTPASSWD_FILE
    created = False
    if credentials_path.exists():
        stored = json.loads(credentials_path.read_text(encoding="utf-8"))
        credentials = Credentials(username=stored["username"], password=stored["password"])
    else:
        credentials = Credentials(username=USERNAME, password=secrets.token_urlsafe(32))
        payload = {"username": credentials.username, "password": credentials.password}
        _write_private(credentials_path, json.dumps(payload, indent=2) + "\n")
        created = True
    if created or not htpasswd_path.exists():
        _write_htpasswd(htpasswd_path, credentials)
    return credentials, created


def read_credentials(state_dir: Path = DEFAULT_STATE_DIR) -> Credentials:
    path = state_dir / CREDENTIALS_FILE
    if not path.exists():
        raise LocalIndexError(f"no index credentials in {path}; start the index first (make index)")
    stored = json.loads(path.read_text(encoding="utf-8"))
    return Credentials(username=stored["username"], password=stored["password"])


# --- processes -------------------------------------------------------------------------------


def _server_command(
    python: str, port: int, state_dir: Path, log_path: Path, max_hours: float
) -> list[str]:
    return [
        python,
        "-m",
        "release.local_index",
        "serve",
        "--max-hours",
        str(max_hours),
        "--",
        "run",
        "--host",
        HOST,
        "--port",
        str(port),
        "--passwords",
        str(state_dir / HTPASSWD_FILE),
        "--authenticate",
        "update,download,list",
        "--disable-fallback",
        "--hash-algo",
        "sha256",
        "--health-endpoint",
        HEALTH_PATH,
        "--log-file",
        str(log_path),
        "--log-stream",
        "none",
        str(state_dir / PACKAGES_DIR),
    ]


def _health_url(port: int) -> str:
    return f"http://{HOST}:{port}{HEALTH_PATH}"


def start_index(
    state_dir: Path,
    port: int | None = None,
    *,
    python: str = sys.executable,
    max_hours: float = THROWAWAY_MAX_HOURS,
    startup_timeout: float = 30.0,
) -> LocalIndex:
    """Start pypiserver in its own session and return once it answers its health endpoint.

    The process outlives the caller unless stopped with `stop_index` (its lifetime is bounded by
    `max_hours`). Fails with the log's tail if the server exits or does not answer in time.
    """
    state_dir = state_dir.resolve()
    chosen_port = free_port() if port is None else port
    if port_in_use(chosen_port):  # before anything is written
        raise LocalIndexError(
            f"port {chosen_port} on {HOST} is already in use; choose another with INDEX_PORT "
            f"(e.g. make index INDEX_PORT={chosen_port + 1})"
        )
    credentials, created = ensure_credentials(state_dir)
    if created:
        _announce_credentials(state_dir, credentials)
    (state_dir / PACKAGES_DIR).mkdir(parents=True, exist_ok=True)
    log_path = state_dir / LOG_FILE
    command = _server_command(python, chosen_port, state_dir, log_path, max_hours)
    try:
        process = start_server(
            command,
            _health_url(chosen_port),
            log_path,
            cwd=state_dir,
            timeout=startup_timeout,
            poll_interval=0.1,
        )
    except ServerError as error:
        raise LocalIndexError(f"pypiserver: {error}") from None
    return LocalIndex(
        port=chosen_port, pid=process.pid, state_dir=state_dir, credentials=credentials
    )


def stop_index(pid: int) -> None:
    """Stop the index with this PID: SIGTERM, then SIGKILL if it lingers. Idempotent."""
    stop_server(pid, timeout=10.0)


@contextlib.contextmanager
def running_index(
    root: Path, port: int | None = None, *, python: str = sys.executable
) -> Iterator[LocalIndex]:
    """A throwaway index under `root`, stopped on exit even on error."""
    index = start_index(root, port, python=python)
    try:
        yield index
    finally:
        stop_index(index.pid)


# --- the background index of `make index` ------------------------------------------------------


def _announce_credentials(state_dir: Path, credentials: Credentials) -> None:
    """Say once where the new credentials are kept; show the password only on an interactive
    terminal, so it never lands in a CI log."""
    where = state_dir / CREDENTIALS_FILE
    print(f"Created index credentials for user {credentials.username!r} in {where} (mode 600).")
    if sys.stdout.isatty() and not os.environ.get("CI"):
        print(f"  password (shown once; it stays in that file): {credentials.password}")


def read_background_index(state_dir: Path = DEFAULT_STATE_DIR) -> LocalIndex | None:
    """The background index recorded in `server.json`, if its process is alive and answers."""
    state_path = state_dir / SERVER_STATE_FILE
    if not state_path.exists():
        return None
    state = json.loads(state_path.read_text(encoding="utf-8"))
    pid, port = int(state["pid"]), int(state["port"])
    if not is_alive(pid) or not answers_health(_health_url(port)):
        return None
    return LocalIndex(
        port=port, pid=pid, state_dir=state_dir.resolve(), credentials=read_credentials(state_dir)
    )


def configured_port() -> int:
    """The background index's port: $INDEX_PORT, else DEFAULT_PORT."""
    return int(os.environ.get("INDEX_PORT") or DEFAULT_PORT)


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
    (state_dir / SERVER_STATE_FILE).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    return index, True


def stop_background_index(state_dir: Path = DEFAULT_STATE_DIR) -> int | None:
    """Stop the background index by the PID it recorded. Returns that PID, or None if none ran."""
    state_path = state_dir / SERVER_STATE_FILE
    if not state_path.exists():
        return None
    pid = int(json.loads(state_path.read_text(encoding="utf-8"))["pid"])
    was_alive = is_alive(pid)
    if was_alive:
        stop_index(pid)
    state_path.unlink()
    return pid if was_alive else None


# --- command line ------------------------------------------------------------------------------


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
    running = read_background_index(state_dir)
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
