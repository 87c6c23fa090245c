"""The built image's own command, as its own user with its own environment: health, predict,
HEALTHCHECK, SIGTERM drain, and who may write where."""

import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import VERSION
from container_rootfs import Rootfs
from load import run_load
from titanic_release.servers import HOST, free_port, start_server, stop_server

from titanic_model import make_prediction
from titanic_model.contract import EXAMPLE_PASSENGER

RELEASE_ID = "image-test-release"
DRAIN_TIMEOUT_S = 10  # STORE_SHUTDOWN_TIMEOUT_S, set as a deployer would
STARTUP_TIMEOUT_S = 90
STORE_FILE = "app/data/predictions.sqlite3"  # the image's default store, under its WorkingDir


@dataclass
class ImageServer:
    rootfs: Rootfs
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    env: dict[str, str]


@pytest.fixture
def served(rootfs: Rootfs, tmp_path: Path) -> Iterator[ImageServer]:
    """The image's CMD running in a fresh container file system; stopped by its PID after."""
    port = free_port()
    env = {
        "PORT": str(port),
        "RELEASE_ID": RELEASE_ID,
        "STORE_SHUTDOWN_TIMEOUT_S": str(DRAIN_TIMEOUT_S),
        "SHUTDOWN_DELAY_S": "1",  # the drain's delay (nothing balances here), within the bound
    }
    base_url = f"http://{HOST}:{port}"
    log_path = tmp_path / "image-server.log"
    process = start_server(
        rootfs.argv(rootfs.own_command(), env),
        f"{base_url}/api/v1/health",
        log_path,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        timeout=STARTUP_TIMEOUT_S,
    )
    try:
        yield ImageServer(rootfs, process, base_url, log_path, env)
    finally:
        stop_server(process.pid)


def test_the_image_runs_as_a_user_who_may_write_only_its_data_directory(rootfs: Rootfs) -> None:
    uid, _ = rootfs.ids()
    assert uid != 0, f"the image runs as root (User {rootfs.config.user!r})"
    writable = rootfs.run(["find", "/app", "-writable"])
    assert writable.returncode == 0, writable.stderr
    assert writable.stdout.split() == ["/app/data"]
    elsewhere = rootfs.run(["touch", "/app/app/planted.py"])
    assert elsewhere.returncode != 0


# Prints the path of every module compiled from source while the service's module is imported:
# the import system compiles through this loader method only when no valid bytecode is found.
COMPILED_AT_IMPORT = """
from importlib.machinery import SourceFileLoader
compiled = []
original = SourceFileLoader.source_to_code
def counted(self, data, path, *args, **kwargs):
    compiled.append(path)
    return original(self, data, path, *args, **kwargs)
SourceFileLoader.source_to_code = counted
import app.main
print("\\n".join(compiled))
"""


def test_a_start_compiles_no_module_of_the_service_or_its_packages(rootfs: Rootfs) -> None:
    """Bytecode for every module the service imports is in the image: the image's user cannot
    write it, so a module without it is compiled again at every start and scale-up."""
    imported = rootfs.run(["python", "-c", COMPILED_AT_IMPORT], {"PREDICTION_STORE_URL": "off"})
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.split() == []


def test_the_images_own_command_answers_health_and_predicts_like_the_package(
    served: ImageServer,
) -> None:
    health = httpx.get(f"{served.base_url}/api/v1/health", timeout=10).json()
    print(f"health from the image's own command: {health}")
    assert health["status"] == "ok"
    assert health["model_version"] == VERSION
    assert health["release_id"] == RELEASE_ID
    reply = httpx.post(
        f"{served.base_url}/api/v1/predict", json={"inputs": [EXAMPLE_PASSENGER]}, timeout=30
    )
    assert reply.status_code == 200, reply.text
    answer = reply.json()
    print(f"predict from the image's own command: {answer}")
    expected = make_prediction(input_data=[EXAMPLE_PASSENGER])
    assert answer["predictions"] == expected["predictions"]
    assert answer["probabilities"] == expected["probabilities"]
    assert answer["version"] == VERSION


def test_the_healthcheck_passes_while_serving_and_fails_after_stop(served: ImageServer) -> None:
    command = served.rootfs.healthcheck_command()
    assert served.rootfs.run(command, served.env).returncode == 0
    stop_server(served.process.pid)
    assert served.rootfs.run(command, served.env).returncode != 0


def test_sigterm_stops_it_within_the_drain_timeout_with_every_answered_row_stored(
    served: ImageServer,
) -> None:
    bad: dict[str, Any] = {**EXAMPLE_PASSENGER, "age": -3}
    bodies = [{"inputs": [EXAMPLE_PASSENGER]}, {"inputs": [EXAMPLE_PASSENGER] * 50 + [bad]}]
    outcome = run_load(served.base_url, bodies, seconds=5.0)
    served.process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    served.process.wait(timeout=DRAIN_TIMEOUT_S + 5)
    stopped_after = time.monotonic() - signalled
    log = served.log_path.read_text(errors="replace")
    print(f"rows answered {outcome.rows_answered}, stopped {stopped_after:.1f} s after SIGTERM")
    assert set(outcome.statuses) == {200}, outcome.statuses
    assert outcome.rows_answered > 100
    assert stopped_after <= DRAIN_TIMEOUT_S
    # uvicorn shuts down gracefully, then re-raises the SIGTERM it handled (a kill would be -9).
    assert served.process.returncode == -signal.SIGTERM, log[-2000:]
    assert "Application shutdown complete" in log
    assert "0 dropped" in log
    with sqlite3.connect(served.rootfs.path / STORE_FILE) as store:
        (stored,) = store.execute("SELECT count(*) FROM predictions").fetchone()
    assert stored == outcome.rows_answered, log[-2000:]
