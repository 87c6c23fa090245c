"""/docs in a real headless Chromium with every non-loopback request aborted: the page must still
render the API (its assets come from the app, not a CDN), and the favicon is served."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from live_server import LiveServer
from test_api_browser import CHROMIUM, CHROMIUM_ARGS, pytestmark  # noqa: F401  (same skip rule)

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="module")
def offline_context(live_server: LiveServer) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A browser context that can reach only loopback; yields it, the blocked URLs and failures."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    failed: list[str] = []

    def only_loopback(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOOPBACK_HOSTS:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=live_server.base_url)
            context.route("**/*", only_loopback)
            context.on(
                "response",
                lambda response: (
                    failed.append(f"{response.status} {response.url}")
                    if response.status >= 400
                    else None
                ),
            )
            yield context, blocked, failed
        finally:
            browser.close()


def test_docs_lists_the_predict_operation_with_no_internet(
    offline_context: tuple[Any, list[str], list[str]],
) -> None:
    context, blocked, failed = offline_context
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto("/docs")

    operation = page.locator(".opblock-summary-path", has_text="/api/v1/predict")
    operation.first.wait_for(state="visible")

    assert page.locator(".opblock-post .opblock-summary-path").all_inner_texts() == [
        "/api/v1/predict",
        "/api/v1/outcomes",
        "/v2/models/{model_name}/versions/{model_version}/infer",
        "/v2/models/{model_name}/infer",
    ]
    assert blocked == [], "the docs page tried to reach the internet"
    assert failed == [], "a request of the docs page failed"


def test_home_page_and_docs_link_a_favicon_that_is_served(live_server: LiveServer) -> None:
    for path in ("/", "/docs"):
        page = httpx.get(f"{live_server.base_url}{path}", timeout=10).text
        assert 'href="/favicon.ico"' in page, path
    icon = httpx.get(f"{live_server.base_url}/favicon.ico", timeout=10)
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # the ICO signature
