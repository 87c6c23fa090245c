"""titanic-monitor --push URL: the report's verdict as gauges on a Prometheus Pushgateway, so the
alert rules (deploy/prometheus/alerts.yml) fire on a report nobody opened.

One group per job, replaced whole on every run: a report that could not be made pushes its exit
code alone, and the previous run's drift figures disappear with it. A user:password in the URL is
sent as basic auth and never shown (titanic_masking).
"""

from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway
from prometheus_client.exposition import basic_auth_handler, default_handler

from titanic_masking import Masker, shown_url, split_credentials, url_secrets

JOB = "titanic-monitor"


class PushError(RuntimeError):
    """The Pushgateway could not be reached or refused the push; the message shows no secret."""


def registry_for(exit_code: int, summary: dict[str, Any] | None) -> CollectorRegistry:
    """The gauges of one run: its exit code, and with a report its verdict and figures."""
    registry = CollectorRegistry()
    Gauge(
        "titanic_monitor_exit_code",
        "titanic-monitor's exit: 0 no drift, 1 drift or degraded, 2 no report",
        registry=registry,
    ).set(exit_code)
    if summary is None:
        return registry
    verdicts = summary["verdict"].split(", ")
    gauges = {
        "titanic_monitor_drift": ("1 when the report found drift", "drift" in verdicts),
        "titanic_monitor_quality_degraded": (
            "1 when the report found quality degraded",
            "degraded" in verdicts,
        ),
        "titanic_monitor_drifted_columns": (
            "Input features and prediction columns that drifted",
            len(summary["drifted_features"])
            + sum(result["drifted"] for result in summary["prediction_drift"].values()),
        ),
        "titanic_monitor_rows": ("Rows in the report's window", summary["rows"]["window"]),
    }
    for name, (description, value) in gauges.items():
        Gauge(name, description, registry=registry).set(float(value))
    _quality(registry, summary["quality"])
    return registry


def _quality(registry: CollectorRegistry, quality: dict[str, Any]) -> None:
    """Realized (on rows with outcomes) and estimated figures, each beside its bound."""
    value = Gauge(
        "titanic_monitor_quality",
        "Quality figure: kind measured (rows with outcomes) or estimated (all scored rows)",
        ["kind", "metric"],
        registry=registry,
    )
    bound = Gauge(
        "titanic_monitor_quality_bound",
        "The held-out figure worsened by its tolerance: beyond it, degraded",
        ["kind", "metric"],
        registry=registry,
    )
    for kind in ("measured", "estimated"):
        for metric, figure in (quality[kind] or {}).items():
            value.labels(kind=kind, metric=metric).set(figure["value"])
            bound.labels(kind=kind, metric=metric).set(figure["bound"])


def push(url: str, exit_code: int, summary: dict[str, Any] | None, timeout: float = 30) -> None:
    """Replace the job's group on the Pushgateway at `url` with this run's gauges."""
    bare, user, password = split_credentials(url)
    handler: Callable[..., Callable[[], None]] = default_handler
    if user or password:

        def handler(**request: Any) -> Callable[[], None]:
            return basic_auth_handler(**request, username=user, password=password)

    try:
        push_to_gateway(
            bare,
            job=JOB,
            registry=registry_for(exit_code, summary),
            timeout=timeout,
            handler=handler,
        )
    except OSError as error:  # urllib's URLError and HTTPError are OSErrors
        reason = Masker(url_secrets(url))(str(error))
        raise PushError(f"cannot push to {shown_url(url)}: {reason}") from None
