"""Prometheus' own graph page draws two of the dashboard's panels from the live API's series, in
the headless Chromium the browser tests use: its screenshot (reports/observability/) is the one
docs/monitoring.md shows."""

from typing import Any
from urllib.parse import urlencode

from conftest import Stack
from expressions import DASHBOARD, dashboard_expressions
from test_api_browser import CHROMIUM, CHROMIUM_ARGS, pytestmark  # noqa: F401 (same skip rule)
from titanic_release.project import REPORTS_DIR

PREDICT_SERIES = 'route="/api/v1/predict"'
SCREENSHOT = REPORTS_DIR / "observability" / "prometheus-graph.png"
# 'panel title / refId' in dashboard_expressions: traffic and its p99 latency, both by route
PANELS = ("Requests by route and status / A", "Latency p50 and p99 by route / B")


def _graph_url(prometheus_url: str, expressions: list[str]) -> str:
    """The graph page with one graph tab per expression, over the last 2 minutes (the stack's
    whole life)."""
    params: dict[str, Any] = {}
    for index, expr in enumerate(expressions):
        params |= {f"g{index}.expr": expr, f"g{index}.tab": 0, f"g{index}.range_input": "2m"}
    return f"{prometheus_url}/graph?{urlencode(params)}"


def test_the_graph_page_draws_two_panels_from_the_live_series(stack: Stack) -> None:
    from playwright.sync_api import sync_playwright

    expressions = dashboard_expressions(DASHBOARD)
    chosen = [expressions[panel] for panel in PANELS]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(_graph_url(stack.prometheus_url, chosen))
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            try:
                page.wait_for_function(  # both graphs' legends name the predict route
                    f"document.body.innerText.split({PREDICT_SERIES!r}).length > 2",
                    timeout=30_000,
                )
            finally:  # what the page showed, also when it never drew
                page.screenshot(path=str(SCREENSHOT), full_page=True)
            text = page.inner_text("body")
        finally:
            browser.close()
    assert text.count(PREDICT_SERIES) == 2, text
    assert "Error" not in text, text
