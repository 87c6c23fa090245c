"""titanic-monitor --push against Debian's Pushgateway: a report that could not be made pushes its
exit code alone, and a URL's password is sent, never shown. (A pushed drift verdict, read back
through Prometheus: test_live_prometheus.py.)"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from observability_servers import pushgateway
from prometheus_client.parser import text_string_to_metric_families
from titanic_release.servers import free_port

MONITOR = str(Path(sys.executable).with_name("titanic-monitor"))
PASSWORD = "pushgateway-s3cret"  # pragma: allowlist secret


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[str]:
    with pushgateway(tmp_path) as url:
        yield url


def monitor(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """titanic-monitor over an empty store (no report: exit 2), with `args`."""
    store = f"sqlite:///{tmp_path}/empty.sqlite3"
    command = [MONITOR, "--store-url", store, "--output", str(tmp_path / "report"), *args]
    environment = {key: value for key, value in os.environ.items() if key != "PUSHGATEWAY_URL"}
    environment.update(env or {})
    return subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=300, env=environment
    )


def pushed(gateway_url: str) -> dict[str, float]:
    """The titanic-monitor group's samples on the Pushgateway, by name."""
    text = httpx.get(f"{gateway_url}/metrics", timeout=10).text
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.labels.get("job") == "titanic-monitor" and sample.name.startswith("titanic_")
    }


def test_a_report_that_could_not_be_made_pushes_exit_2_alone(tmp_path: Path, gateway: str) -> None:
    with_credentials = gateway.replace("http://", f"http://watcher:{PASSWORD}@")
    run = monitor(tmp_path, "--push", with_credentials)
    assert run.returncode == 2, run.stdout + run.stderr
    assert pushed(gateway) == {"titanic_monitor_exit_code": 2.0}
    assert PASSWORD not in run.stdout + run.stderr


def test_an_unreachable_pushgateway_is_exit_2_and_shows_no_password(tmp_path: Path) -> None:
    nowhere = f"http://watcher:{PASSWORD}@127.0.0.1:{free_port()}"
    run = monitor(tmp_path, "--push", nowhere)
    assert run.returncode == 2
    assert "cannot push to http://***@127.0.0.1:" in run.stderr, run.stderr
    assert PASSWORD not in run.stdout + run.stderr
    assert "watcher" not in run.stdout + run.stderr


def test_the_gateway_url_may_come_from_the_environment(tmp_path: Path, gateway: str) -> None:
    """PUSHGATEWAY_URL: what CircleCI's monitor job uses, so no password is in tox's log."""
    run = monitor(tmp_path, env={"PUSHGATEWAY_URL": gateway})
    assert run.returncode == 2, run.stdout + run.stderr
    assert pushed(gateway) == {"titanic_monitor_exit_code": 2.0}
