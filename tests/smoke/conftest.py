"""Smoke test of a running API: `tox -e smoke -- --url URL [--expected-version V] [--wait S]`.

Run after every deploy (CircleCI's deploy_api) and against a local server in `make test`. It waits
up to --wait seconds for the URL to report the expected model version (a rollout takes a while),
then checks the rest once. Standard library only on the HTTP side, so it runs anywhere.
"""

import json
import time
import urllib.error

import pytest
from smoke_api import HEALTH_PATH, Api

POLL_INTERVAL_S = 5.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("smoke")
    group.addoption("--url", help="base URL of the running API, e.g. https://api.example.com")
    group.addoption(
        "--expected-version",
        help="model version the API must serve (default: this working tree's titanic_model)",
    )
    group.addoption(
        "--wait",
        type=float,
        default=0.0,
        help="seconds to keep retrying until the API is healthy with the expected version",
    )


def _serving_version(api: Api) -> str | None:
    """The model version the API reports, or None while it does not answer health."""
    try:
        status, _, body = api.get(HEALTH_PATH)
    except (OSError, urllib.error.URLError):
        return None
    if status != 200:
        return None
    version: str = json.loads(body).get("model_version", "")
    return version


@pytest.fixture(scope="session")
def api(pytestconfig: pytest.Config) -> Api:
    """The API under test, once it reports the expected version (or the wait is over)."""
    url = pytestconfig.getoption("--url")
    if not url:
        raise pytest.UsageError("the smoke test needs --url (the running API's base URL)")
    expected = pytestconfig.getoption("--expected-version")
    if not expected:
        from titanic_model import __version__

        expected = __version__
    api = Api(base_url=url.rstrip("/"), expected_version=expected)
    deadline = time.monotonic() + pytestconfig.getoption("--wait")
    while _serving_version(api) != expected and time.monotonic() < deadline:
        time.sleep(min(POLL_INTERVAL_S, max(deadline - time.monotonic(), 0)))
    return api
