"""Fixtures for the drift report's tests: the real API (uvicorn) feeding a SQLite store."""

import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from live_server import serve

from titanic_model import contract, reference_data

ROWS = 2_000
BATCH = 100
MONITOR = str(Path(sys.executable).with_name("titanic-monitor"))


def _json_safe(record: dict[str, Any]) -> dict[str, Any]:
    return {
        key: None if isinstance(value, float) and math.isnan(value) else value
        for key, value in record.items()
    }


@pytest.fixture(scope="session")
def held_out_like() -> pd.DataFrame:
    """2,000 rows drawn (with replacement, seeded) from the held-out split: no drift by design."""
    held_out = reference_data("held_out")
    rows = held_out[list(contract.FIELD_NAMES)]
    return rows.sample(n=ROWS, replace=True, random_state=7).reset_index(drop=True)


def send_through_api(frame: pd.DataFrame, store_url: str) -> None:
    """Every row through a real uvicorn API with the store on; the server stopped by SIGTERM."""
    records = [_json_safe(record) for record in frame.to_dict(orient="records")]
    with serve(env={"PREDICTION_STORE_URL": store_url}) as server:
        for start in range(0, len(records), BATCH):
            answer = httpx.post(
                f"{server.base_url}/api/v1/predict",
                json={"inputs": records[start : start + BATCH]},
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
        server.stop()


@pytest.fixture
def run_monitor(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """The report's command line, as `tox -e monitor -- ARGS` runs it."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [MONITOR, *args], capture_output=True, text=True, check=False, timeout=600
        )

    return run


@pytest.fixture(scope="session")
def reports(
    held_out_like: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """Reports over held-out-like rows and over rows with older passengers, classes swapped."""
    shifted = held_out_like.copy()
    shifted["age"] = shifted["age"] + 25
    shifted["pclass"] = shifted["pclass"].map({1: 3, 2: 2, 3: 1})
    outcomes = {}
    for name, frame in {"held_out_like": held_out_like, "shifted": shifted}.items():
        root = tmp_path_factory.mktemp(name)
        url = f"sqlite:///{root}/predictions.sqlite3"
        send_through_api(frame, url)
        output = root / "report"
        outcomes[name] = (
            subprocess.run(
                [MONITOR, "--store-url", url, "--since", "1h", "--output", str(output)],
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
            ),
            output,
        )
    return outcomes
