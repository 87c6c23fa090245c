"""The local index's command line, as `make index` and `make index-stop` run it: start a real
background pypiserver, ask for its status and authenticated URL, stop it by its recorded PID."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from titanic_release.servers import free_port, is_alive

pytestmark = pytest.mark.e2e


def _local_index(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "titanic_release.local_index", "--state-dir", str(state_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_start_status_pip_url_stop(tmp_path: Path) -> None:
    state_dir = tmp_path / "index"
    port = free_port()
    try:
        started = _local_index(state_dir, "start", "--port", str(port), "--max-hours", "0.1")
        assert started.returncode == 0, started.stderr
        assert f"Local index started: http://127.0.0.1:{port}/simple/" in started.stdout
        again = _local_index(state_dir, "start", "--port", str(port))
        assert "Local index already running" in again.stdout

        status = _local_index(state_dir, "status")
        assert status.returncode == 0
        assert f"http://127.0.0.1:{port}/simple/" in status.stdout

        pip_url = _local_index(state_dir, "pip-url").stdout.strip()
        password = json.loads((state_dir / "credentials.json").read_text())["password"]
        assert pip_url == f"http://publisher:{password}@127.0.0.1:{port}/simple/"
    finally:
        stopped = _local_index(state_dir, "stop")
    pid = int(stopped.stdout.split("(pid ")[1].rstrip(").\n"))
    assert not is_alive(pid)
    assert _local_index(state_dir, "status").returncode == 1
    assert "No local index was running." in _local_index(state_dir, "stop").stdout


def test_damaged_state_files_are_one_line_or_replaced_never_a_traceback(tmp_path: Path) -> None:
    """A server.json cut short (a full disk, a kill mid-write) is as if none were recorded; damaged
    credentials are refused in one line while the index runs, and replaced at the next start."""
    state_dir = tmp_path / "index"
    state_dir.mkdir()
    (state_dir / "server.json").write_text('{"pid": 12')
    (state_dir / "credentials.json").write_text('{"username": ')
    port = free_port()
    try:
        assert _local_index(state_dir, "status").returncode == 1
        started = _local_index(state_dir, "start", "--port", str(port), "--max-hours", "0.1")
        assert started.returncode == 0, started.stderr
        assert "Created index credentials" in started.stdout
        password = json.loads((state_dir / "credentials.json").read_text())["password"]
        assert password in _local_index(state_dir, "pip-url").stdout
        (state_dir / "credentials.json").write_text("{}")
        damaged = _local_index(state_dir, "pip-url")
        assert damaged.returncode == 1
        assert damaged.stderr == (
            f"the index credentials in {state_dir / 'credentials.json'} are damaged; "
            "make index-stop, then make index writes new ones\n"
        )
    finally:
        stopped = _local_index(state_dir, "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert "Local index stopped" in stopped.stdout
    outputs = [started, damaged, stopped]
    assert not any("Traceback" in done.stderr for done in outputs)
