"""The live stack of the observability tests: a real API (two workers, the multiprocess
collector, a PostgreSQL store) under load, the daily report pushed to a real Pushgateway, and a
real Prometheus scraping both with the example config and the alert rules (`for:` shortened)."""

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import psycopg
import pytest
import yaml
from api_traffic import INPUTS
from expressions import ALERTS, PROMETHEUS_DIR
from live_server import LiveServer, serve
from load import run_load
from observability_servers import prometheus, pushgateway, query
from postgres_cluster import PostgresCluster, postgres  # noqa: F401 - the session fixture

from titanic_model import reference_data

METRICS_TOKEN = "observability-metrics-t0ken"
OUTCOMES_TOKEN = "observability-outcomes-t0ken"
MONITOR = str(Path(sys.executable).with_name("titanic-monitor"))
LOAD_SECONDS = 6.0
SHORT_FOR = "3s"  # every alert's `for:` in the test overlay: the timeline in seconds, not minutes
WAIT_S = 60.0


def wait_for(condition: Callable[[], Any], seconds: float = WAIT_S) -> Any:
    """Poll until `condition()` is truthy, and return it; fail past the deadline."""
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.25)
    return result


def shifted_passengers() -> pd.DataFrame:
    """The held-out passengers 25 years older, first and third class swapped: drift by design."""
    rows = reference_data("held_out")
    rows["age"] = rows["age"] + 25
    rows["pclass"] = rows["pclass"].map({1: 3, 2: 2, 3: 1})
    return rows


@dataclass
class Stack:
    api: LiveServer
    postgres: PostgresCluster
    prometheus_url: str
    pushgateway_url: str
    rows_scored: int  # the rows the API answered with a prediction, counted by the client
    report: subprocess.CompletedProcess[str]
    summary: dict[str, Any]


def _overlay(root: Path, api: str, gateway: str) -> Path:
    """The example config and rules with test targets, intervals of 1 s and every `for:` short."""
    rules = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = SHORT_FOR
    (root / "alerts.yml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    for job in config["scrape_configs"]:
        job["static_configs"] = [
            {"targets": [api if job["job_name"] == "titanic-api" else gateway]}
        ]
        if job["job_name"] == "titanic-api":
            job["scheme"] = "http"
            credentials = root / job["authorization"]["credentials_file"]
            credentials.write_text(METRICS_TOKEN + "\n", encoding="utf-8")
    (root / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return root / "prometheus.yml"


def _refusing_deck_x(url: str) -> None:
    """A store that refuses deck X rows, so one row is quarantined (every counter has a series)."""
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        connection.execute("ALTER TABLE predictions ADD CONSTRAINT no_deck_x CHECK (deck <> 'X')")


def _traffic(api: LiveServer) -> int:
    """Load from 16 clients (some shed by the small in-flight bound), then every shifted
    passenger once with its outcome, and one rejected and one quarantined row. The rows scored."""
    records = json.loads(shifted_passengers()[INPUTS].to_json(orient="records"))  # NaN: null
    bodies = [{"inputs": records[start : start + 20]} for start in range(0, len(records), 20)]
    load = run_load(api.base_url, bodies, LOAD_SECONDS, concurrency=16)
    assert load.statuses.get(200), load.statuses
    assert load.statuses.get(503), load.statuses  # the shedding panel and alert get data
    answer = httpx.post(f"{api.base_url}/api/v1/predict", json={"inputs": records}, timeout=60)
    assert answer.status_code == 200, answer.text
    assert None not in answer.json()["ids"]  # every record valid: the load's rows all scored
    survived = reference_data("held_out")["survived"].astype(int).tolist()
    outcomes = [
        {"id": id_, "survived": label}
        for id_, label in zip(answer.json()["ids"], survived, strict=True)
    ]
    headers = {"Authorization": f"Bearer {OUTCOMES_TOKEN}"}
    stored = httpx.post(f"{api.base_url}/api/v1/outcomes", json=outcomes, headers=headers)
    assert stored.status_code == 200, stored.text
    odd = [{**records[0], "sex": "neither"}, {**records[1], "cabin": "X1"}]
    odd_answer = httpx.post(f"{api.base_url}/api/v1/predict", json={"inputs": odd}, timeout=60)
    assert odd_answer.status_code == 200, odd_answer.text
    assert odd_answer.json()["ids"][0] is None  # rejected: the rejected-rows panel gets data
    return load.rows_answered + len(records) + 1


@pytest.fixture(scope="session")
def stack(
    postgres: PostgresCluster,  # noqa: F811 - the fixture imported above
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    postgres.reset_store()
    _refusing_deck_x(postgres.url)
    env = {
        "WEB_CONCURRENCY": "2",
        "PREDICTION_STORE_URL": postgres.url,
        "METRICS_TOKEN": METRICS_TOKEN,
        "OUTCOMES_TOKEN": OUTCOMES_TOKEN,
        "MAX_REQUESTS_IN_FLIGHT": "1",
        "THREAD_OFFLOAD_ROWS": "1",  # every batch awaits a thread: requests overlap, some shed
        "STORE_CONNECT_TIMEOUT_S": "2",
        "STORE_STATEMENT_TIMEOUT_S": "2",
        "STORE_SHUTDOWN_TIMEOUT_S": "5",
    }
    root = tmp_path_factory.mktemp("observability")
    with serve(env=env) as api, pushgateway(root) as gateway_url:
        config = _overlay(
            root, api.base_url.removeprefix("http://"), gateway_url.removeprefix("http://")
        )
        with prometheus(config) as prometheus_url:
            rows_scored = _traffic(api)
            report = subprocess.run(
                [
                    MONITOR,
                    "--store-url",
                    postgres.url,
                    "--since",
                    "1h",
                    "--output",
                    str(root / "report"),
                    "--push",
                    gateway_url,
                ],
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            summary = json.loads((root / "report" / "summary.json").read_text(encoding="utf-8"))
            wait_for(
                lambda: query(prometheus_url, 'titanic_monitor_exit_code{job="titanic-monitor"}')
            )
            yield Stack(api, postgres, prometheus_url, gateway_url, rows_scored, report, summary)
