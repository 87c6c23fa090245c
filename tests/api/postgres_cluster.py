"""A throwaway PostgreSQL cluster from Debian's `postgresql` binaries, on a free loopback port.

initdb into a temp dir, `postgres` started as our own child (by PID, as the `postgres` user when
we are root: PostgreSQL refuses to run as root), stopped by that PID. `.ci/run` installs the
binaries when they are missing.
"""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg
import pytest
from live_server import free_port
from titanic_release.servers import sigterm_exits

from titanic_store.engine import open_engine
from titanic_store.schema import upgrade
from titanic_store.tables import metadata

BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
BIN_DIR = Path(BIN_DIRS[0]) if BIN_DIRS else None
# --no-sync: a throwaway cluster (it runs with fsync=off) need not wait for the disk
INITDB_OPTIONS = ("-U", "postgres", "-A", "trust", "--no-sync")
START_TIMEOUT_S = 60.0


def _as_postgres_user() -> dict[str, Any]:
    """Popen arguments that drop root to the `postgres` user (nothing when not root)."""
    if os.getuid() != 0:
        return {}
    user = pwd.getpwnam("postgres")
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


class PostgresCluster:
    """One cluster; `stop()` and `start()` again on the same port and data (an outage)."""

    def __init__(self, root: Path) -> None:
        assert BIN_DIR is not None
        self.data_dir = root / "data"
        self.log_path = root / "postgres.log"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.process: subprocess.Popen[bytes] | None = None
        subprocess.run(
            [str(BIN_DIR / "initdb"), "-D", str(self.data_dir), *INITDB_OPTIONS],
            check=True,
            capture_output=True,
            timeout=120,
            **_as_postgres_user(),
        )

    def connect(self, **options: Any) -> psycopg.Connection[Any]:
        """A driver connection to the cluster's database (its URL without SQLAlchemy's driver)."""
        return psycopg.connect(self.url.replace("+psycopg", ""), **options)

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(BIN_DIR / "postgres"),  # type: ignore[operator]
                    "-D",
                    str(self.data_dir),
                    "-p",
                    str(self.port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={self.data_dir}",
                    "-c",
                    "fsync=off",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                **_as_postgres_user(),
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited:\n{self.log_path.read_text()}")
            try:
                self.connect(connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise RuntimeError(f"postgres not ready after {START_TIMEOUT_S} s")

    def stop(self) -> None:
        """Fast shutdown (SIGINT: clients are disconnected) by PID; SIGKILL if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def _children(self) -> list[int]:
        """The postmaster's children (backends, background workers), from /proc."""
        assert self.process is not None
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # the parent's PID
                pids.append(int(stat.parent.name))
        return pids

    @contextmanager
    def hung(self) -> Iterator[None]:
        """Every process of the cluster stopped (SIGSTOP): connections are accepted by the
        kernel, nothing is ever answered. Continued (SIGCONT) on the way out, whatever happens."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)  # first: a stopped postmaster forks no more
        pids = [self.process.pid, *self._children()]
        for pid in pids[1:]:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in pids:
                # a backend that had exited was a zombie until the continued postmaster reaped it
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def reset_store(self) -> None:
        """An empty prediction store at the newest schema, as the pre-deploy step leaves it."""
        with self.connect() as connection:
            tables = ", ".join([*metadata.tables, "alembic_version"])
            connection.execute(f"DROP TABLE IF EXISTS {tables}")
        engine = open_engine(self.url)
        with engine.connect() as connection:
            upgrade(connection)
            connection.commit()
        engine.dispose()

    def delete_rows(self, table: str) -> None:
        """Empty one table of the store, its schema and the other tables as they are."""
        with self.connect() as connection:
            connection.execute(f"DELETE FROM {table}")

    def count_rows(self, table: str = "predictions") -> int:
        with self.connect() as connection:
            row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert row is not None
        return int(row[0])


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    root = Path(tempfile.mkdtemp(prefix="titanic-pg-"))
    try:
        if os.getuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        cluster = PostgresCluster(root)
        with sigterm_exits():  # a `kill` of this process stops the cluster too
            cluster.start()
            try:
                yield cluster
            finally:
                cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A real PostgreSQL server for the session (Debian's binaries; make system-deps installs
    them). Imported by the conftests that need it."""
    if BIN_DIR is None:
        pytest.fail("PostgreSQL binaries missing: make system-deps installs them")
    with postgres_cluster() as cluster:
        yield cluster
