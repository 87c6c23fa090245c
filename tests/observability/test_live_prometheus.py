"""A real Prometheus scraping the real API (two workers) and the Pushgateway: every query of the
dashboard and the rules returns data, the workers' counts add up, the pushed report fires its
alert, and a stopped store fires the store's alert in Prometheus' own ALERTS."""

import re
import time

import httpx
from conftest import Stack, wait_for
from expressions import ALERTS, DASHBOARD, dashboard_expressions, rule_expressions
from observability_servers import query


def test_prometheus_scrapes_both_targets_the_api_with_its_bearer(stack: Stack) -> None:
    targets = httpx.get(f"{stack.prometheus_url}/api/v1/targets", timeout=10).json()
    health = {t["labels"]["job"]: t["health"] for t in targets["data"]["activeTargets"]}
    assert health == {"titanic-api": "up", "pushgateway": "up"}, targets
    assert httpx.get(f"{stack.api.base_url}/metrics", timeout=10).status_code == 401


def test_the_two_workers_counts_add_up(stack: Stack) -> None:
    """Every row the client saw scored, counted once, whichever worker scored it."""
    total = 'sum(titanic_api_rows_scored_total{job="titanic-api"})'

    def scored() -> float | None:
        result = query(stack.prometheus_url, total)
        return float(result[0]["value"][1]) if result else None

    wait_for(lambda: scored() == stack.rows_scored)


def _returning_data(expressions: dict[str, str], prometheus_url: str) -> dict[str, int]:
    """Each expression's series count, once all return data (or the deadline passes)."""
    counts: dict[str, int] = {}

    def all_return_data() -> bool:
        counts.update(
            {name: len(query(prometheus_url, expr)) for name, expr in expressions.items()}
        )
        return all(counts.values())

    try:
        wait_for(all_return_data)
    finally:
        print(f"{sum(map(bool, counts.values()))} of {len(expressions)} returned data: {counts}")
    return counts


def test_every_dashboard_expression_returns_a_series(stack: Stack) -> None:
    expressions = dashboard_expressions()
    assert len(expressions) >= 20
    _returning_data(expressions, stack.prometheus_url)


def test_every_rule_expression_returns_a_series(stack: Stack) -> None:
    _returning_data(rule_expressions(), stack.prometheus_url)


def test_every_metric_name_in_the_files_is_one_prometheus_scraped(stack: Stack) -> None:
    text = ALERTS.read_text(encoding="utf-8") + DASHBOARD.read_text(encoding="utf-8")
    used = set(re.findall(r"\b(titanic_\w+|push_time_seconds)\b", text))
    answer = httpx.get(f"{stack.prometheus_url}/api/v1/label/__name__/values", timeout=10)
    assert used - set(answer.json()["data"]) == set()


def test_the_pushed_report_reaches_prometheus_and_fires_the_drift_alert(stack: Stack) -> None:
    """Older passengers, classes swapped: the report says drift (exit 1), and so do the alerts."""
    assert stack.report.returncode == 1, stack.report.stdout + stack.report.stderr

    def value(expr: str) -> float:
        (series,) = query(stack.prometheus_url, expr)
        return float(series["value"][1])

    assert value('titanic_monitor_drift{job="titanic-monitor"}') == 1
    assert value('titanic_monitor_drifted_columns{job="titanic-monitor"}') >= 2  # age, pclass
    accuracy = 'titanic_monitor_quality{job="titanic-monitor",kind="measured",metric="accuracy"}'
    assert value(accuracy) == stack.summary["quality"]["measured"]["accuracy"]["value"]
    firing = 'ALERTS{alertname="TitanicInputDrift",alertstate="firing"}'
    wait_for(lambda: query(stack.prometheus_url, firing))


def test_a_stopped_store_fires_the_store_alert(stack: Stack) -> None:
    """Last: the database stops, the API keeps answering, Prometheus fires TitanicStoreDown."""
    passenger = {"pclass": 1, "sex": "female", "age": 29, "sibsp": 0, "parch": 0, "fare": 211.3}
    pending = 'ALERTS{alertname="TitanicStoreDown",alertstate="pending"}'
    firing = 'ALERTS{alertname="TitanicStoreDown",alertstate="firing"}'
    assert not query(stack.prometheus_url, firing)
    stopped = time.monotonic()
    stack.postgres.stop()
    try:
        for _ in range(5):  # a write must fail before the store reports itself down
            answer = httpx.post(
                f"{stack.api.base_url}/api/v1/predict", json={"inputs": [passenger]}, timeout=30
            )
            assert answer.status_code == 200, answer.text
        wait_for(
            lambda: query(stack.prometheus_url, pending) or query(stack.prometheus_url, firing)
        )
        seen_pending = time.monotonic() - stopped
        wait_for(lambda: query(stack.prometheus_url, firing))
        seen_firing = time.monotonic() - stopped
        assert query(stack.prometheus_url, 'up{job="titanic-api"} == 1')  # still answering
    finally:
        stack.postgres.start()
    print(
        f"store stopped at 0 s; TitanicStoreDown seen pending at {seen_pending:.1f} s, "
        f"firing at {seen_firing:.1f} s (overlay `for:` 3s, scrape and evaluation every 1 s)"
    )
