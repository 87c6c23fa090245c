"""A SQLite store on a disk that fills up: a real uvicorn process, its store on a small tmpfs of its
own. A full disk is an outage like a hung database: every request is still answered, the rows
wait in the bounded queue, and they are written once space is freed; a shutdown while the disk is
still full ends within its bound and counts what it could not write."""

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from live_server import serve
from load import run_load
from test_api_store import stored_rows
from test_api_store_load import scraped
from test_api_store_outages import closing_counts, wait_for

QUEUE_ROWS = "titanic_api_store_queue_rows"
STORE_UP = "titanic_api_store_up"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 30 MiB tmpfs mounted for this test (make test runs as root: apt needs it too)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=30m", "tmpfs", str(mount_point)], check=True
    )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


def fill_up(disk: Path) -> IO[bytes]:
    """A file that takes every free byte of `disk`; closed and deleted to free them again."""
    filler = (disk / "filler").open("wb", buffering=0)
    try:
        while True:
            filler.write(b"\0" * 4096)  # tmpfs's page: no partial block is left free
    except OSError:  # ENOSPC: the disk is full
        return filler


def test_a_full_disk_keeps_the_rows_and_writes_them_once_space_is_freed(
    small_disk: Path, passenger: dict[str, Any]
) -> None:
    url = f"sqlite:///{small_disk}/predictions.sqlite3"
    with serve(env={"PREDICTION_STORE_URL": url}) as server:
        warm = run_load(server.base_url, [{"inputs": [passenger]}], 0.5, concurrency=2)
        wait_for(lambda: scraped(server.base_url, QUEUE_ROWS) == 0, 15)
        filler = fill_up(small_disk)
        full = run_load(server.base_url, [{"inputs": [passenger] * 5}], 3.0, concurrency=8)
        assert set(full.statuses) == {200}, full.statuses
        wait_for(lambda: scraped(server.base_url, STORE_UP) == 0, 10)
        waiting = scraped(server.base_url, QUEUE_ROWS)
        filler.close()
        (small_disk / "filler").unlink()
        freed_after = wait_for(lambda: scraped(server.base_url, QUEUE_ROWS) == 0, 30)
        server.stop()
        log = server.output()
    answered = warm.rows_answered + full.rows_answered
    print(
        f"rows answered {answered}, {waiting:.0f} waiting while full, "
        f"all written {freed_after:.1f} s after space was freed"
    )
    assert waiting > 0
    assert "database or disk is full" in log
    assert closing_counts(log) == (answered, 0, 0, 0), log[-2000:]
    assert len(stored_rows(url)) == answered


def test_a_shutdown_while_the_disk_is_full_ends_within_its_bound_and_counts_the_rows(
    small_disk: Path, passenger: dict[str, Any]
) -> None:
    url = f"sqlite:///{small_disk}/predictions.sqlite3"
    env = {"PREDICTION_STORE_URL": url, "STORE_SHUTDOWN_TIMEOUT_S": "3"}
    with serve(env=env) as server:
        warm = run_load(server.base_url, [{"inputs": [passenger]}], 0.5, concurrency=2)
        wait_for(lambda: scraped(server.base_url, QUEUE_ROWS) == 0, 15)
        filler = fill_up(small_disk)
        full = run_load(server.base_url, [{"inputs": [passenger] * 5}], 2.0, concurrency=8)
        wait_for(lambda: scraped(server.base_url, STORE_UP) == 0, 10)
        started = time.monotonic()
        server.stop()  # SIGTERM; SIGKILL after 15 s
        stopping = time.monotonic() - started
        log = server.output()
        filler.close()
    print(f"rows answered while full {full.rows_answered}; stopped in {stopping:.1f} s")
    assert stopping < 3 + 10  # the store's bound plus the server's own shutdown
    written, quarantined, dropped, in_doubt = closing_counts(log)
    assert written == warm.rows_answered
    assert (quarantined, dropped, in_doubt) == (0, full.rows_answered, 0), log[-2000:]
    assert "rows not stored (shutdown timeout)" in log
