"""Fixtures for the API tests: the app in-process, a real uvicorn server, sample passengers.

The service is run from api/ (its Procfile's working directory), so `app` is importable from
there (pytest's `pythonpath` in pyproject.toml); the model package is installed in the
environment like any dependency.
"""

import math
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from live_server import LiveServer, serve
from postgres_cluster import PostgresCluster, postgres  # noqa: F401 - the session fixture
from titanic_release.project import current_version

from app.core.config import Settings
from app.main import create_app
from titanic_model import reference_data
from titanic_store.engine import open_engine
from titanic_store.schema import upgrade


@pytest.fixture(scope="session")
def model_version() -> str:
    """Read from the VERSION file, not from the code under test."""
    return current_version()


@pytest.fixture(scope="session")
def upgraded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store at the newest schema, made once: start-up checks the schema before the app
    is ready (a new file would cost each client an upgrade child process)."""
    path = tmp_path_factory.mktemp("template") / "predictions.sqlite3"
    engine = open_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        upgrade(connection)
    engine.dispose()
    return path


@pytest.fixture
def make_client(tmp_path: Path, upgraded_sqlite: Path) -> Iterator[Callable[..., TestClient]]:
    """Factory: a TestClient for an app built with the given settings (lifespan included).

    The prediction store is a SQLite file in the test's temp dir (a copy of an upgraded one)
    unless the test says otherwise.
    """
    clients: list[TestClient] = []

    def build(**settings: Any) -> TestClient:
        default = tmp_path / "predictions.sqlite3"
        if "PREDICTION_STORE_URL" not in settings and not default.exists():
            shutil.copyfile(upgraded_sqlite, default)
        settings.setdefault("PREDICTION_STORE_URL", f"sqlite:///{default}")
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


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty prediction store: a SQLite file (its directory not made yet) or the PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store/predictions.sqlite3"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    cluster.reset_store()
    return cluster.url


def json_safe(record: dict[str, Any]) -> dict[str, Any]:
    """A DataFrame record as a JSON client would send it: NaN becomes null."""
    return {
        key: None if isinstance(value, float) and math.isnan(value) else value
        for key, value in record.items()
    }


@pytest.fixture(scope="session")
def held_out_records() -> list[dict[str, Any]]:
    held_out = reference_data("held_out")
    return [json_safe(record) for record in held_out.to_dict(orient="records")]
