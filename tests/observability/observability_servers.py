"""Debian's Prometheus and Pushgateway as throwaway servers on free loopback ports: started in a
temp dir through the repository's one server lifecycle (titanic_release.servers), so each is
stopped by its PID, even when a test fails."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from titanic_release.servers import HOST, free_port, start_server, stopped_on_exit

PROMETHEUS = shutil.which("prometheus")
PUSHGATEWAY = shutil.which("prometheus-pushgateway")
PROMTOOL = shutil.which("promtool")
START_TIMEOUT_S = 60.0


def binary(path: str | None, name: str) -> str:
    if path is None:
        pytest.fail(f"{name} missing: make system-deps installs Debian's prometheus packages")
    return path


@contextmanager
def pushgateway(root: Path) -> Iterator[str]:
    """A Pushgateway without persistence; yields its base URL."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    command = [binary(PUSHGATEWAY, "prometheus-pushgateway"), f"--web.listen-address={HOST}:{port}"]
    with stopped_on_exit(
        start_server(command, f"{url}/-/healthy", root / "pushgateway.log", timeout=START_TIMEOUT_S)
    ):
        yield url


@contextmanager
def prometheus(config: Path) -> Iterator[str]:
    """A Prometheus reading `config`, its data beside it; yields its base URL."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    command = [
        binary(PROMETHEUS, "prometheus"),
        f"--config.file={config}",
        f"--storage.tsdb.path={config.parent / 'data'}",
        f"--web.listen-address={HOST}:{port}",
        "--storage.tsdb.retention.time=1h",
    ]
    log = config.parent / "prometheus.log"
    with stopped_on_exit(start_server(command, f"{url}/-/ready", log, timeout=START_TIMEOUT_S)):
        yield url


def query(prometheus_url: str, expr: str) -> list[dict[str, Any]]:
    """An instant query through Prometheus' HTTP API: the result's series."""
    answer = httpx.get(f"{prometheus_url}/api/v1/query", params={"query": expr}, timeout=30)
    body = answer.json()
    assert body["status"] == "success", (expr, body)
    result: list[dict[str, Any]] = body["data"]["result"]
    return result
