"""Fixtures for the report's tests: the real API (uvicorn) feeding a SQLite store, and the
outcomes of what it answered."""

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
from postgres_cluster import PostgresCluster, postgres  # noqa: F401 - the session fixture

from titanic_model import contract, reference_data

ROWS = 2_000
BATCH = 100
INPUTS = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked", "name", "cabin"]
FLIPPED_SHARE = 0.3
MONITOR = str(Path(sys.executable).with_name("titanic-monitor"))


def _json_safe(record: dict[str, Any]) -> dict[str, Any]:
    return {
        key: None if isinstance(value, float) and math.isnan(value) else value
        for key, value in record.items()
    }


@pytest.fixture(scope="session")
def held_out_like() -> pd.DataFrame:
    """2,000 rows drawn (with replacement, seeded) from the held-out split, with their true
    `survived`: no drift by design, and the quality of the model card."""
    held_out = reference_data("held_out")
    rows = held_out[[*contract.FIELD_NAMES, "survived"]]
    return rows.sample(n=ROWS, replace=True, random_state=7).reset_index(drop=True)


def send_through_api(frame: pd.DataFrame, store_url: str) -> list[str | None]:
    """Every row's inputs through a real uvicorn API with the store on; the server stopped by
    SIGTERM. The ids the API answered, one per row (None for a rejected row)."""
    records = [_json_safe(record) for record in frame[INPUTS].to_dict(orient="records")]
    ids: list[str | None] = []
    with serve(env={"PREDICTION_STORE_URL": store_url}) as server:
        for start in range(0, len(records), BATCH):
            answer = httpx.post(
                f"{server.base_url}/api/v1/predict",
                json={"inputs": records[start : start + BATCH]},
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
            ids += answer.json()["ids"]
        server.stop()
    assert len(ids) == len(records)
    return ids


def send_outcomes(store_url: str, pairs: list[tuple[str, int]]) -> None:
    """(prediction id, survived) outcomes through the real API's POST /api/v1/outcomes, as a
    labelling job sends them; the server stopped by SIGTERM (its writer stores what it queued)."""
    token = "monitoring-outcomes-t0ken"
    headers = {"Authorization": f"Bearer {token}"}
    env = {"PREDICTION_STORE_URL": store_url, "OUTCOMES_TOKEN": token}
    with serve(env=env) as server:
        for start in range(0, len(pairs), BATCH):
            body = [{"id": id_, "survived": label} for id_, label in pairs[start : start + BATCH]]
            answer = httpx.post(
                f"{server.base_url}/api/v1/outcomes", json=body, headers=headers, timeout=30
            )
            assert answer.status_code == 200, answer.text
            assert answer.json()["stored"] == len(body), answer.text
        server.stop()


def _labelled_pairs(ids: list[str | None], survived: pd.Series) -> list[tuple[str, int]]:
    return [(id_, int(label)) for id_, label in zip(ids, survived, strict=True) if id_]


def flipped(survived: pd.Series, share: float = FLIPPED_SHARE) -> pd.Series:
    """`survived` with `share` of the outcomes (a seeded random choice) turned into the other."""
    flip = survived.sample(frac=share, random_state=11).index
    result = survived.copy()
    result[flip] = 1 - result[flip]
    return result


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
    held_out_like: pd.DataFrame,
    tmp_path_factory: pytest.TempPathFactory,
    postgres: PostgresCluster,  # noqa: F811 - the fixture imported above
) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """Reports over held-out-like rows (no outcomes; with their true outcomes; with 30 % of them
    flipped) and over rows with older passengers, classes swapped; the outcome cases also on
    PostgreSQL (`..._postgres`)."""
    shifted = held_out_like.copy()
    shifted["age"] = shifted["age"] + 25
    shifted["pclass"] = shifted["pclass"].map({1: 3, 2: 2, 3: 1})
    truth = held_out_like["survived"]
    cases = {
        "held_out_like": (held_out_like, None),
        "shifted": (shifted, None),
        "true_outcomes": (held_out_like, truth),
        "flipped_outcomes": (held_out_like, flipped(truth)),
        "true_outcomes_postgres": (held_out_like, truth),
        "flipped_outcomes_postgres": (held_out_like, flipped(truth)),
    }
    results = {}
    for name, (frame, survived) in cases.items():
        root = tmp_path_factory.mktemp(name)
        url = f"sqlite:///{root}/predictions.sqlite3"
        if name.endswith("_postgres"):
            postgres.reset_store()  # an empty store at the newest schema for this case
            url = postgres.url
        ids = send_through_api(frame, url)
        if survived is not None:
            send_outcomes(url, _labelled_pairs(ids, survived))
        output = root / "report"
        results[name] = (
            subprocess.run(
                [MONITOR, "--store-url", url, "--since", "1h", "--output", str(output)],
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
            ),
            output,
        )
    return results
