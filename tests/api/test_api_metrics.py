"""GET /metrics: Prometheus' format, counts that match the requests sent, token, workers."""

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from live_server import API_DIR, serve
from prometheus_client.parser import text_string_to_metric_families

PREDICT = "/api/v1/predict"


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, keyed by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): float(sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(
    scrape: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return scrape.get((name, frozenset(labels.items())), 0.0)


def test_counts_match_the_requests_sent(
    client: TestClient, passenger: dict[str, Any], model_version: str
) -> None:
    before = samples(client.get("/metrics").text)
    man = {**passenger, "sex": "male", "pclass": 3, "name": "Doe, Mr. John"}
    bad_age = {**passenger, "age": -1}
    bad_both = {**passenger, "age": 500, "sex": "x"}
    answers = [
        client.post(PREDICT, json={"inputs": [passenger]}),
        client.post(PREDICT, json={"inputs": [passenger, man, bad_age]}),
        client.post(PREDICT, json={"inputs": [bad_both]}),
        client.post(PREDICT, json={"inputs": []}),  # 422
    ]
    client.get("/api/v1/health")
    client.get("/no/such/page")
    after = samples(client.get("/metrics").text)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    predicted = [p for answer in answers[:3] for p in answer.json()["predictions"] if p is not None]
    probabilities = [
        p for answer in answers[:3] for p in answer.json()["probabilities"] if p is not None
    ]
    assert delta("titanic_api_requests_total", route=PREDICT, status="200") == 3
    assert delta("titanic_api_requests_total", route=PREDICT, status="422") == 1
    assert delta("titanic_api_requests_total", route="/api/v1/health", status="200") == 1
    assert delta("titanic_api_requests_total", route="unmatched", status="404") == 1
    assert delta("titanic_api_request_duration_seconds_count", route=PREDICT) == 4
    assert delta("titanic_api_rows_scored_total") == 3 == len(predicted)
    assert delta("titanic_api_rows_rejected_total", field="age") == 2
    assert delta("titanic_api_rows_rejected_total", field="sex") == 1
    for label in (0, 1):
        assert delta("titanic_api_predicted_labels_total", label=str(label)) == predicted.count(
            label
        )
    assert delta("titanic_api_probability_count") == 3
    assert delta("titanic_api_probability_sum") == pytest.approx(sum(probabilities))
    assert delta("titanic_api_probability_bucket", le="+Inf") == 3
    assert value(after, "titanic_model_info", version=model_version) == 1
    for name in ("store_queue_rows", "store_rows_written_total", "store_rows_dropped_total"):
        assert any(key[0] == f"titanic_api_{name}" for key in after), name


def test_rows_written_counts_the_store(client: TestClient, passenger: dict[str, Any]) -> None:
    before = value(samples(client.get("/metrics").text), "titanic_api_store_rows_written_total")
    client.post(PREDICT, json={"inputs": [passenger] * 7})
    written = before
    for _ in range(50):  # the writer flushes every STORE_FLUSH_INTERVAL_MS (at most 200 ms)
        written = value(
            samples(client.get("/metrics").text), "titanic_api_store_rows_written_total"
        )
        if written - before == 7:
            break
        time.sleep(0.1)
    assert written - before == 7


def test_metrics_token_is_required_when_set(
    make_client: Callable[..., TestClient], capfd: pytest.CaptureFixture[str]
) -> None:
    client = make_client(METRICS_TOKEN="t0ken-for-scraper")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "t0ken-for-scraper"}).status_code == 401
    granted = client.get("/metrics", headers={"Authorization": "Bearer t0ken-for-scraper"})
    assert granted.status_code == 200
    assert granted.headers["content-type"].startswith("text/plain; version=")
    assert "titanic_model_info" in granted.text
    # RFC 7235: the scheme's name is case-insensitive; the token is not
    for scheme in ("bearer", "BEARER", "BeArEr"):
        answer = client.get("/metrics", headers={"Authorization": f"{scheme} t0ken-for-scraper"})
        assert answer.status_code == 200, scheme
    upper = client.get("/metrics", headers={"Authorization": "Bearer T0KEN-FOR-SCRAPER"})
    assert upper.status_code == 401
    assert (
        client.get("/metrics", headers={"Authorization": "Basic t0ken-for-scraper"}).status_code
        == 401
    )
    client.__exit__(None, None, None)
    assert "t0ken-for-scraper" not in capfd.readouterr().out


def test_metrics_is_open_without_a_token_and_not_in_the_openapi_schema(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 200
    assert "/metrics" not in client.get("/api/v1/openapi.json").json()["paths"]


def test_two_workers_add_up(passenger: dict[str, Any]) -> None:
    requests = 60
    with serve(env={"WEB_CONCURRENCY": "2", "PREDICTION_STORE_URL": "off"}) as server:
        for _ in range(requests):  # a new connection each: the workers share the listening socket
            answer = httpx.post(f"{server.base_url}{PREDICT}", json={"inputs": [passenger]})
            assert answer.status_code == 200
        metrics_dirs = list(
            Path(tempfile.gettempdir()).glob(f"titanic-api-metrics-{server.process.pid}-*")
        )
        scrapes = [samples(httpx.get(f"{server.base_url}/metrics").text) for _ in range(6)]
    (metrics_dir,) = metrics_dirs
    writers = {path.stem.rsplit("_", 1)[1] for path in metrics_dir.glob("counter_*.db")}
    assert len(writers) == 2  # both workers counted...
    for scrape in scrapes:  # ...and whichever answers the scrape reports the sum of both
        assert value(scrape, "titanic_api_requests_total", route=PREDICT, status="200") == requests
        assert value(scrape, "titanic_api_rows_scored_total") == requests


def test_importing_the_app_leaves_the_environment_and_temp_dir_alone(tmp_path: Path) -> None:
    """Even with WEB_CONCURRENCY=2 and a dead server's metrics directory in the temp dir: the
    start command (app.launch) prepares the shared directory, importing the app does not."""
    dead = tmp_path / "titanic-api-metrics-999999999-1"  # no such PID
    dead.mkdir()
    check = (
        "import os; before = dict(os.environ); import app.main; "
        "assert dict(os.environ) == before, set(os.environ.items()) ^ set(before.items())"
    )
    env = {**os.environ, "WEB_CONCURRENCY": "2", "TMPDIR": str(tmp_path), "LOG_LEVEL": "ERROR"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=API_DIR, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert [path.name for path in tmp_path.iterdir()] == [dead.name]


def test_the_launcher_hands_uvicorn_a_fresh_shared_directory(tmp_path: Path) -> None:
    """`python -m app.launch CMD` with WEB_CONCURRENCY=2: CMD (here: env) runs with the
    directory set, made under the temp dir and named after the launcher's PID; a dead server's
    directory is removed."""
    dead = tmp_path / "titanic-api-metrics-999999999-1"
    dead.mkdir()
    env = {**os.environ, "WEB_CONCURRENCY": "2", "TMPDIR": str(tmp_path)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    launched = subprocess.Popen(
        [sys.executable, "-m", "app.launch", "env"], cwd=API_DIR, env=env, stdout=subprocess.PIPE
    )
    output, _ = launched.communicate(timeout=60)
    assert launched.returncode == 0
    variables = dict(line.split("=", 1) for line in output.decode().splitlines() if "=" in line)
    shared = Path(variables["PROMETHEUS_MULTIPROC_DIR"])
    assert shared.parent == tmp_path
    assert shared.name.startswith(f"titanic-api-metrics-{launched.pid}-")
    assert shared.is_dir()
    assert not dead.exists()


def test_the_launcher_serves_uvicorn_in_its_own_process() -> None:
    """The start command's uvicorn is the launcher's process, not an exec'd second interpreter:
    the serving PID still runs `-m app.launch`."""
    with serve(env={"PREDICTION_STORE_URL": "off"}) as server:
        assert httpx.get(f"{server.base_url}/api/v1/health").status_code == 200
        arguments = Path(f"/proc/{server.process.pid}/cmdline").read_bytes().split(b"\0")
    assert arguments[1:4] == [b"-m", b"app.launch", b"uvicorn"]


def test_the_launcher_sets_nothing_for_one_worker() -> None:
    env = {**os.environ, "WEB_CONCURRENCY": "1"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    output = subprocess.run(
        [sys.executable, "-m", "app.launch", "env"],
        cwd=API_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "PROMETHEUS_MULTIPROC_DIR" not in output


def test_the_launcher_refuses_a_bad_worker_count_naming_the_variable() -> None:
    env = {**os.environ, "WEB_CONCURRENCY": "two"}
    done = subprocess.run(
        [sys.executable, "-m", "app.launch", "env"],
        cwd=API_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "WEB_CONCURRENCY" in done.stderr
    assert "PATH=" not in done.stdout  # the command never ran
