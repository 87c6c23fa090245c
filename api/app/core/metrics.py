"""The service's Prometheus metrics, and their exposition for GET /metrics.

Single process: the default registry. Several uvicorn workers (WEB_CONCURRENCY > 1, started by
app/launch.py): every worker writes its values to the shared directory (metrics_dir.py) and a
scrape adds them up.
"""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

from app.core.metrics_dir import MULTIPROC_DIR_VARIABLE
from titanic_model import PassengerInput, PredictionResult, RowError

# Read from the environment, as prometheus-client itself does: the two cannot disagree.
MULTIPROC_DIR = os.environ.get(MULTIPROC_DIR_VARIABLE)

REQUESTS = Counter(
    "titanic_api_requests_total", "HTTP requests by route and status", ["route", "status"]
)
REQUEST_SECONDS = Histogram(
    "titanic_api_request_duration_seconds",
    "Time from request to complete response, by route",
    ["route"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
ROWS_SCORED = Counter("titanic_api_rows_scored_total", "Rows that got a prediction")
ROWS_REJECTED = Counter(
    "titanic_api_rows_rejected_total", "Rejected rows, by the field that was wrong", ["field"]
)
PREDICTED_LABELS = Counter(
    "titanic_api_predicted_labels_total", "Predictions by label (1 survived)", ["label"]
)
PROBABILITY = Histogram(
    "titanic_api_probability",
    "Predicted survival probabilities",
    buckets=tuple(step / 10 for step in range(1, 11)),
)
STORE_QUEUE_ROWS = Gauge(
    "titanic_api_store_queue_rows",
    "Rows waiting for the prediction store (queued or being written)",
    multiprocess_mode="livesum",
)
STORE_QUEUE_BYTES = Gauge(
    "titanic_api_store_queue_bytes",
    "Memory the rows waiting for the prediction store hold (upper bound)",
    multiprocess_mode="livesum",
)
STORE_UP = Gauge(
    "titanic_api_store_up",
    "1 while the prediction store's database is reachable, 0 from a failed write until it is again",
    multiprocess_mode="livemin",
)
STORE_SCHEMA_CURRENT = Gauge(
    "titanic_api_store_schema_current",
    "1 when the store's schema is the newest migration, 0 when it is behind (nothing is written)",
    multiprocess_mode="livemin",
)
STORE_LAST_WRITE_AGE = Gauge(
    "titanic_api_store_last_write_age_seconds",
    "Seconds since the prediction store last wrote rows (or since start-up)",
    multiprocess_mode="livemax",
)
STORE_ROWS_WRITTEN = Counter("titanic_api_store_rows_written_total", "Rows written to the store")
STORE_OUTCOMES_WRITTEN = Counter(
    "titanic_api_store_outcomes_written_total", "Outcomes written to the store"
)
STORE_ROWS_QUARANTINED = Counter(
    "titanic_api_store_rows_quarantined_total",
    "Rows the database refused even alone, kept aside, by the driver's error class",
    ["reason"],
)
STORE_ROWS_DROPPED = Counter(
    "titanic_api_store_rows_dropped_total",
    "Answered rows not stored, by reason: queue_full (database unreachable), shutdown_timeout, "
    "unstorable (refused, and the quarantine too)",
    ["reason"],
)
for _reason in ("queue_full", "shutdown_timeout", "unstorable"):
    STORE_ROWS_DROPPED.labels(reason=_reason)  # every reason shows, at 0 until it happens
STORE_ROWS_IN_DOUBT = Counter(
    "titanic_api_store_rows_in_doubt_total",
    "Answered rows whose commit was sent and not answered before shutdown (PostgreSQL): stored "
    "if it went through",
)
MODEL_INFO = Gauge(
    "titanic_model_info", "The model package version serving", ["version"], multiprocess_mode="max"
)


def exposition() -> tuple[bytes, str]:
    """The current values in Prometheus' text format, and its content type."""
    if MULTIPROC_DIR is None:
        return generate_latest(), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    _multiprocess.MultiProcessCollector(registry, path=MULTIPROC_DIR)  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST


def mark_worker_stopped() -> None:
    """Multiprocess mode: drop this worker's live gauges (its counters keep counting in the sum)."""
    if MULTIPROC_DIR is not None:
        _multiprocess.mark_process_dead(os.getpid(), MULTIPROC_DIR)  # type: ignore[no-untyped-call]


# Children looked up once: `.labels()` per row would cost more than the counting.
_LABELS = {0: PREDICTED_LABELS.labels(label="0"), 1: PREDICTED_LABELS.labels(label="1")}
_FIELDS = frozenset(PassengerInput.model_fields)


# (route, status) -> its request counter and duration histogram: looked up once per pair, since
# `.labels()` checks and joins its arguments under a lock on every call. Bounded: route templates
# times the statuses the app answers.
_REQUEST_CHILDREN: dict[tuple[str, int], tuple[Counter, Histogram]] = {}


def observe_request(route: str, status: int, seconds: float) -> None:
    """Count one HTTP request under its route template (never the raw path: bounded labels)."""
    children = _REQUEST_CHILDREN.get((route, status))
    if children is None:
        children = (
            REQUESTS.labels(route=route, status=str(status)),
            REQUEST_SECONDS.labels(route=route),
        )
        _REQUEST_CHILDREN[(route, status)] = children
    children[0].inc()
    children[1].observe(seconds)


def observe_result(result: PredictionResult) -> None:
    """Count one answer's scored rows, labels and probabilities, and its rejected rows by field."""
    survived = scored = 0
    for label, probability in zip(result["predictions"], result["probabilities"], strict=True):
        if label is not None and probability is not None:
            scored += 1
            survived += label
            PROBABILITY.observe(probability)
    # One call per counter and answer, not one per row: each takes the counter's lock.
    if scored:
        ROWS_SCORED.inc(scored)
    if survived:
        _LABELS[1].inc(survived)
    if scored > survived:
        _LABELS[0].inc(scored - survived)
    if result["errors"]:
        observe_rejected(result["errors"])


def observe_rejected(errors: list[RowError]) -> None:
    """Count each rejected row once per bad field."""
    rejected = {
        (error["row"], error["field"] if error["field"] in _FIELDS else "other") for error in errors
    }
    for _row, field in rejected:
        ROWS_REJECTED.labels(field=field).inc()
