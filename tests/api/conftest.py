"""Fixtures for the API tests: the app in-process, a real uvicorn server, sample passengers.

The service is run from api/ (its Procfile's working directory), so `app` is importable from
there; the model package is installed in the environment like any dependency.
"""

import math
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

API_DIR = Path(__file__).resolve().parents[2] / "api"
sys.path.insert(0, str(API_DIR))

from fastapi.testclient import TestClient  # noqa: E402
from live_server import LiveServer, serve  # noqa: E402
from postgres_cluster import BIN_DIR, PostgresCluster, postgres_cluster  # noqa: E402

from app.core.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402

VERSION_FILE = API_DIR.parent / "model_package" / "titanic_model" / "VERSION"


@pytest.fixture(scope="session")
def model_version() -> str:
    """Read from the file, not from the code under test."""
    return VERSION_FILE.read_text(encoding="utf-8").strip()


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """Factory: a TestClient for an app built with the given settings (lifespan included).

    The prediction store is a SQLite file in the test's temp dir unless the test says otherwise.
    """
    clients: list[TestClient] = []

    def build(**settings: Any) -> TestClient:
        settings.setdefault("PREDICTION_STORE_URL", f"sqlite:///{tmp_path}/predictions.sqlite3")
        client = TestClient(create_app(Settings(**settings)), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """One real server (the Procfile command) shared by the tests that only send requests."""
    with serve() as server:
        yield server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A real PostgreSQL server for the session (Debian's binaries; .ci/run installs them)."""
    if BIN_DIR is None:
        pytest.fail("PostgreSQL binaries missing: apt-get install -y postgresql (as .ci/run does)")
    with postgres_cluster() as cluster:
        yield cluster


def json_safe(record: dict[str, Any]) -> dict[str, Any]:
    """A DataFrame record as a JSON client would send it: NaN becomes null."""
    return {
        key: None if isinstance(value, float) and math.isnan(value) else value
        for key, value in record.items()
    }


@pytest.fixture(scope="session")
def held_out_records() -> list[dict[str, Any]]:
    from titanic_model.config import config
    from titanic_model.processing.data_manager import load_dataset, split_dataset

    held_out = split_dataset(load_dataset(), config)[1]
    return [json_safe(record) for record in held_out.to_dict(orient="records")]
