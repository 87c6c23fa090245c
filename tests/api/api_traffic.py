"""Rows sent through the real API (uvicorn, the store on) and outcomes through its outcomes route,
as production fills the prediction store: what the monitoring and retraining tests read back."""

import math
from typing import Any

import httpx
import pandas as pd
from live_server import serve

BATCH = 100
INPUTS = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked", "name", "cabin"]


def _json_safe(record: dict[str, Any]) -> dict[str, Any]:
    return {
        key: None if isinstance(value, float) and math.isnan(value) else value
        for key, value in record.items()
    }


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
