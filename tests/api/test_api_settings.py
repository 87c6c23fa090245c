"""Settings come from the environment; bad values stop start-up naming the variable."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from live_server import API_DIR, LOOPBACK_COMMAND
from pydantic import ValidationError

from app.core.config import Settings


def test_defaults_when_nothing_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PORT", "LOG_LEVEL", "LOG_JSON", "MAX_BATCH_SIZE", "BACKEND_CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)

    settings = Settings()

    assert (settings.PORT, settings.LOG_LEVEL, settings.LOG_JSON) == (8001, "INFO", False)
    assert settings.BACKEND_CORS_ORIGINS == []


def test_values_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("LOG_JSON", "true")
    monkeypatch.setenv("MAX_BATCH_SIZE", "50")
    monkeypatch.setenv("BACKEND_CORS_ORIGINS", "https://a.example, https://b.example")

    settings = Settings()

    assert (settings.PORT, settings.LOG_LEVEL, settings.LOG_JSON) == (9000, "DEBUG", True)
    assert settings.MAX_BATCH_SIZE == 50
    assert settings.BACKEND_CORS_ORIGINS == ["https://a.example", "https://b.example"]


def test_cors_origins_may_also_be_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKEND_CORS_ORIGINS", '["https://a.example"]')

    assert Settings().BACKEND_CORS_ORIGINS == ["https://a.example"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("MAX_BATCH_SIZE", "0"),
        ("LOG_LEVEL", "LOUD"),
        ("WEB_CONCURRENCY", "0"),
        ("WEB_CONCURRENCY", "two"),
    ],
)
def test_a_bad_value_fails_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError, match=name):
        Settings()


def test_cors_headers_only_for_configured_origins(make_client: Any) -> None:
    client = make_client(BACKEND_CORS_ORIGINS=["https://app.example"])

    allowed = client.get("/api/v1/health", headers={"Origin": "https://app.example"})
    other = client.get("/api/v1/health", headers={"Origin": "https://evil.example"})

    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in other.headers


def test_no_cors_headers_when_no_origin_is_configured(client: Any) -> None:
    response = client.get("/api/v1/health", headers={"Origin": "https://app.example"})

    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("variables", "shown"),
    [
        ({"STORE_QUEUE_ROWS": "abc"}, "  STORE_QUEUE_ROWS: Input should be a valid integer"),
        (
            {"PREDICTION_STORE_URL": "mysql://u:secret-pw@db/store"},  # pragma: allowlist secret
            "  PREDICTION_STORE_URL: Value error, neither sqlite:///path nor postgresql://",
        ),
        ({"SERVING_ROLE": "bogus"}, "  SERVING_ROLE: Input should be 'live' or 'shadow'"),
        (
            {"SHADOW_URL": "http://user:secret-pw@candidate:8002"},  # pragma: allowlist secret
            "SHADOW_TOKEN is required with SHADOW_URL",
        ),
    ],
)
def test_the_start_command_refuses_bad_settings_in_lines_naming_them_never_their_values(
    variables: dict[str, str], shown: str
) -> None:
    env = {**os.environ, "PORT": "8001", "PREDICTION_STORE_URL": "off", **variables}
    env.pop("SHADOW_TOKEN", None)
    started = subprocess.run(
        ["/bin/sh", "-c", f"exec {LOOPBACK_COMMAND}"],
        cwd=API_DIR,
        env={**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 1
    assert started.stderr.startswith("the API's settings are invalid; nothing was started:\n")
    assert shown in started.stderr
    assert "Traceback" not in started.stderr
    assert "secret-pw" not in started.stdout + started.stderr
