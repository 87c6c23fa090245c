"""Smoke test of a running API:
`tox -e smoke -- --url URL [--expected-version V] [--expected-release R] [--wait S]`.

Run after every deploy (CircleCI's deploy_api) and against a local server in `make test`. It waits
up to --wait seconds for the URL to report the expected model version and, when given, the
expected release id (a rollout takes a while; a deploy that keeps the model version is told from
the old one by its release id), then checks the rest once. Standard library only on the HTTP side,
so it runs anywhere.
"""

import json
import re
import time
import urllib.error
from pathlib import Path

import pytest
from smoke_api import HEALTH_PATH, Api

POLL_INTERVAL_S = 5.0
REQUIREMENTS = Path(__file__).resolve().parents[2] / "api" / "requirements.txt"
_PIN = re.compile(r"^titanic-survival-model==(\S+)", re.MULTILINE)


def pinned_version() -> str:
    """The model version api/requirements.txt pins: what the API installs and must serve (this
    tree's VERSION, or a retrained candidate a reviewed change promoted)."""
    match = _PIN.search(REQUIREMENTS.read_text(encoding="utf-8"))
    if match is None:
        raise pytest.UsageError(f"{REQUIREMENTS} pins no titanic-survival-model version")
    return match.group(1)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("smoke")
    group.addoption("--url", help="base URL of the running API, e.g. https://api.example.com")
    group.addoption(
        "--expected-version",
        help="model version the API must serve (default: the one api/requirements.txt pins)",
    )
    group.addoption(
        "--expected-release",
        help="release id the API must report (CircleCI: the commit deployed); not checked if unset",
    )
    group.addoption(
        "--wait",
        type=float,
        default=0.0,
        help="seconds to keep retrying until the API is healthy with the expected version",
    )


def _serving(api: Api) -> tuple[str, str] | None:
    """The model version and release id the API reports, or None while health does not answer."""
    try:
        status, _, body = api.get(HEALTH_PATH)
    except (OSError, urllib.error.URLError):
        return None
    if status != 200:
        return None
    health = json.loads(body)
    return health.get("model_version", ""), health.get("release_id", "")


def _is_expected(serving: tuple[str, str] | None, api: Api) -> bool:
    if serving is None:
        return False
    version, release = serving
    return version == api.expected_version and api.expected_release in (None, release)


@pytest.fixture(scope="session")
def api(pytestconfig: pytest.Config) -> Api:
    """The API under test, once it reports the expected version and release (or time is up)."""
    url = pytestconfig.getoption("--url")
    if not url:
        raise pytest.UsageError("the smoke test needs --url (the running API's base URL)")
    expected = pytestconfig.getoption("--expected-version") or pinned_version()
    api = Api(
        base_url=url.rstrip("/"),
        expected_version=expected,
        expected_release=pytestconfig.getoption("--expected-release"),
    )
    deadline = time.monotonic() + pytestconfig.getoption("--wait")
    while not _is_expected(_serving(api), api) and time.monotonic() < deadline:
        time.sleep(min(POLL_INTERVAL_S, max(deadline - time.monotonic(), 0)))
    return api
