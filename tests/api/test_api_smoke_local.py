"""`make test` runs the deploy smoke test (tests/smoke, `tox -e smoke`) against a local server,
exactly as CircleCI's deploy_api runs it against Railway."""

import os
import subprocess
import sys
from pathlib import Path

from live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]


def run_smoke(*options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "tests/smoke", "-q", "-p", "no:cacheprovider"]
    # The smoke suite needs no plugin; loading this env's (schemathesis, playwright) costs seconds.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [*command, *options],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_smoke_test_passes_against_the_local_api(live_server: LiveServer) -> None:
    result = run_smoke("--url", live_server.base_url, "--expected-release", "local")

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "4 passed" in result.stdout


def test_smoke_test_fails_while_the_previous_release_serves_the_same_version(
    live_server: LiveServer,
) -> None:
    """A redeploy that keeps VERSION is verified by its release id, not by the model version."""
    result = run_smoke(
        "--url", live_server.base_url, "--expected-release", "9c1d2e3-new", "--wait", "1"
    )

    assert result.returncode == 1
    assert "9c1d2e3-new" in result.stdout
    assert "1 failed, 3 passed" in result.stdout


def test_smoke_test_fails_when_another_version_is_serving(live_server: LiveServer) -> None:
    result = run_smoke("--url", live_server.base_url, "--expected-version", "0.0.0-not-deployed")

    assert result.returncode == 1
    assert "0.0.0-not-deployed" in result.stdout


def test_smoke_test_fails_when_nothing_answers() -> None:
    result = run_smoke("--url", "http://127.0.0.1:9", "--wait", "1")

    assert result.returncode == 1
    assert "4 failed" in result.stdout
