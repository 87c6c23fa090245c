"""Fixtures of the shadow tests: titanic rows as traffic, one migrated store per test."""

from pathlib import Path
from typing import Any

import pytest
from postgres_cluster import PostgresCluster, postgres  # noqa: F401 - the session fixture
from shadow_services import upgrade_store

from titanic_model import reference_data


@pytest.fixture(scope="session")
def traffic() -> list[dict[str, Any]]:
    """Held-out titanic rows as a client sends them (NaN as null)."""
    frame = reference_data("held_out").astype(object)
    frame = frame.where(frame.notna(), None)
    return list(frame.to_dict(orient="records"))


@pytest.fixture
def sqlite_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    upgrade_store(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated store: a SQLite file or the throwaway PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/store.sqlite3"
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres")
        cluster.reset_store()
        url = cluster.url
    upgrade_store(url)
    return url
