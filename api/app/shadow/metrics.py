"""The mirror's Prometheus counters: every offered request ends as mirrored, dropped or failed.

Registered like app.core.metrics' (several workers add up through the shared directory), in a
module of their own so the shadow release does not edit the service's metrics module.
"""

from prometheus_client import Counter

MIRRORED = Counter(
    "titanic_api_shadow_mirrored_requests_total",
    "Predict requests the candidate accepted (its answers stored)",
)
MIRRORED_ROWS = Counter(
    "titanic_api_shadow_mirrored_rows_total", "Rows the candidate accepted and stored"
)
DROPPED = Counter(
    "titanic_api_shadow_dropped_requests_total",
    "Sampled predict requests not sent to the candidate, by reason",
    ["reason"],
)
FAILED = Counter(
    "titanic_api_shadow_failed_requests_total",
    "Mirror calls that failed, by reason (timeout, connection, status)",
    ["reason"],
)

DROP_REASONS = ("queue_full", "breaker_open", "shutdown")
FAIL_REASONS = ("timeout", "connection", "status")
for _reason in DROP_REASONS:
    DROPPED.labels(reason=_reason)
for _reason in FAIL_REASONS:
    FAILED.labels(reason=_reason)
