"""The Grafana dashboard without a Grafana (none here): its structure, its provisioning, and that
it shows what an operator needs. Its queries run on a real Prometheus in test_live_prometheus.py."""

from typing import Any

import yaml
from expressions import GRAFANA_DIR, dashboard, dashboard_expressions

PROVISIONING = GRAFANA_DIR / "provisioning"


def panels() -> list[dict[str, Any]]:
    return list(dashboard()["panels"])


def provisioned_datasource() -> dict[str, Any]:
    text = (PROVISIONING / "datasources" / "titanic.yml").read_text(encoding="utf-8")
    (source,) = yaml.safe_load(text)["datasources"]
    assert isinstance(source, dict)
    return source


def test_panel_ids_are_unique_and_the_dashboard_has_a_uid() -> None:
    ids = [panel["id"] for panel in panels()]
    assert len(ids) == len(set(ids))
    assert dashboard()["uid"]


def test_every_panel_and_query_names_the_provisioned_datasource() -> None:
    source = provisioned_datasource()
    assert source["type"] == "prometheus"
    expected = {"type": "prometheus", "uid": source["uid"]}
    for panel in panels():
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == expected, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == expected, panel["title"]
            assert target["expr"].strip(), panel["title"]


def test_panels_do_not_overlap_on_the_24_column_grid() -> None:
    taken: set[tuple[int, int]] = set()
    for panel in panels():
        grid = panel["gridPos"]
        assert grid["x"] >= 0, panel["title"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells


def test_the_dashboard_provider_loads_a_folder_of_dashboards() -> None:
    text = (PROVISIONING / "dashboards" / "titanic.yml").read_text(encoding="utf-8")
    (provider,) = yaml.safe_load(text)["providers"]
    assert provider["type"] == "file"
    assert provider["options"]["path"].startswith("/")


def test_the_dashboard_shows_what_the_issue_asks_for() -> None:
    """Each subject by the metric that carries it, not by a panel's title."""
    queries = " ".join(dashboard_expressions().values())
    for metric in (
        "titanic_api_requests_total",
        "titanic_api_request_duration_seconds_bucket",
        "histogram_quantile(0.5,",
        "histogram_quantile(0.99,",
        "titanic_api_rows_scored_total",
        "titanic_api_rows_rejected_total",
        "titanic:predicted_positive_share:1h",
        "titanic:model_card:survival_rate",
        "titanic_api_probability_bucket",
        "titanic_api_store_queue_rows",
        "titanic_api_store_rows_written_total",
        "titanic_api_store_rows_dropped_total",
        "titanic_api_store_rows_quarantined_total",
        "titanic_api_store_rows_in_doubt_total",
        "titanic_api_store_last_write_age_seconds",
        'status="503"',
        "titanic_model_info",
        "titanic_monitor_exit_code",
        "titanic_monitor_drifted_columns",
        "titanic_monitor_quality",
    ):
        assert metric in queries, metric
