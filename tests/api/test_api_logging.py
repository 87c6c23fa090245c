"""One log line per request with a request id; JSON lines on demand; credentials never logged."""

import json
import logging
import re
import time
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from live_server import serve

from app.core.logging import credential_masker

PREDICT = "/api/v1/predict"
ACCESS_LOGGER = "app.core.access_log"
ROW = {"pclass": 1, "sex": "female", "age": 30}
SECRET_USER = "index-user-7f3a"
SECRET_PASSWORD = "s3cr3t-p@ss/word-91c2"  # '@' and '/' must be percent-encoded in a URL
SECRET_PASSWORD_IN_URL = "s3cr3t-p%40ss%2Fword-91c2"
SECRET_INDEX_URL = f"https://{SECRET_USER}:{SECRET_PASSWORD_IN_URL}@pypi.example.org/simple/"
TWINE_PASSWORD = "pypi-twine-token-5be0d1"
SECRETS = (SECRET_USER, SECRET_PASSWORD, SECRET_PASSWORD_IN_URL, TWINE_PASSWORD)


def request_lines(output: str) -> list[dict[str, Any]]:
    """The per-request lines of a JSON log."""
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    return [line for line in lines if line["logger"] == ACCESS_LOGGER]


@pytest.fixture
def json_client(make_client: Any, capsys: pytest.CaptureFixture[str]) -> TestClient:
    """JSON lines, each request's line written at once (the buffered default is tested below)."""
    client: TestClient = make_client(LOG_JSON=True, LOG_FLUSH_INTERVAL_MS=0)
    capsys.readouterr()  # drop start-up lines
    return client


def test_every_request_gets_exactly_one_line_with_its_facts(
    json_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    json_client.get("/api/v1/health")
    json_client.post(PREDICT, json={"inputs": [ROW]})
    json_client.post(PREDICT, json={"inputs": []})

    lines = request_lines(capsys.readouterr().out)

    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/api/v1/health", 200),
        ("POST", PREDICT, 200),
        ("POST", PREDICT, 422),
    ]
    for line in lines:
        assert isinstance(line["duration_ms"], float)
        assert line["duration_ms"] >= 0
        assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
        assert line["level"] == "INFO"
        assert str(line["status"]) in line["message"]


def test_buffered_lines_keep_their_own_times_and_are_all_written_by_shutdown(
    make_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client(LOG_JSON=True, LOG_FLUSH_INTERVAL_MS=10_000)  # nothing flushes by time
    capsys.readouterr()
    for request_id in ("first", "second", "third"):
        client.get("/api/v1/health", headers={"X-Request-ID": request_id})
    assert request_lines(capsys.readouterr().out) == []  # still queued

    client.__exit__(None, None, None)  # lifespan shutdown flushes the queue

    lines = request_lines(capsys.readouterr().out)
    assert [line["request_id"] for line in lines] == ["first", "second", "third"]
    times = [line["time"] for line in lines]
    assert times == sorted(times)


def test_a_full_queue_is_written_without_waiting_for_the_timer(
    make_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.core.access_log import MAX_PENDING

    client = make_client(LOG_JSON=True, LOG_FLUSH_INTERVAL_MS=10_000)
    capsys.readouterr()
    for _ in range(MAX_PENDING):
        client.get("/api/v1/health")

    assert len(request_lines(capsys.readouterr().out)) == MAX_PENDING


def test_queued_lines_are_written_after_the_flush_interval(
    make_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client(LOG_JSON=True, LOG_FLUSH_INTERVAL_MS=50)
    capsys.readouterr()
    client.get("/api/v1/health", headers={"X-Request-ID": "timer-1"})

    deadline = time.monotonic() + 30
    lines: list[dict[str, Any]] = []
    while not lines and time.monotonic() < deadline:
        time.sleep(0.05)
        lines = request_lines(capsys.readouterr().out)
    assert [line["request_id"] for line in lines] == ["timer-1"]


def test_client_request_id_is_echoed_and_logged(
    json_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    response = json_client.post(
        PREDICT, json={"inputs": [ROW]}, headers={"X-Request-ID": "abc-123"}
    )

    assert response.headers["x-request-id"] == "abc-123"
    assert request_lines(capsys.readouterr().out)[0]["request_id"] == "abc-123"


@pytest.mark.parametrize("unsafe", ["has spaces", "x" * 129, "semi;colon", ""])
def test_unsafe_request_id_is_replaced_by_a_fresh_one(json_client: TestClient, unsafe: str) -> None:
    response = json_client.get("/api/v1/health", headers={"X-Request-ID": unsafe})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_without_a_client_id_each_request_gets_its_own(json_client: TestClient) -> None:
    first = json_client.get("/api/v1/health").headers["x-request-id"]
    second = json_client.get("/api/v1/health").headers["x-request-id"]

    assert first != second


def test_encoded_newline_in_the_path_cannot_split_a_log_line(
    json_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    json_client.get("/api/v1/health%0AINFO%20forged")

    (line,) = request_lines(capsys.readouterr().out)
    assert "\n" not in line["path"]


def test_standard_library_logging_is_routed_into_loguru(
    json_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.getLogger("some.library").warning("disk %s is full", "sda")
    logging.getLogger("uvicorn.error").info("uvicorn says hello")

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    messages = {(line["level"], line["message"]) for line in lines}
    assert ("WARNING", "disk sda is full") in messages
    assert ("INFO", "uvicorn says hello") in messages


def test_text_format_has_level_request_id_and_message(
    make_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client(LOG_JSON=False, LOG_FLUSH_INTERVAL_MS=0)
    capsys.readouterr()

    client.get("/api/v1/health", headers={"X-Request-ID": "text-1"})

    (line,) = [ln for ln in capsys.readouterr().out.splitlines() if ACCESS_LOGGER in ln]
    assert re.search(
        r"\| INFO +\| text-1 \| app\.core\.access_log \| GET /api/v1/health 200 ", line
    )


def test_log_level_filters_lines(make_client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    client = make_client(LOG_LEVEL="warning", LOG_FLUSH_INTERVAL_MS=0)
    capsys.readouterr()

    client.get("/api/v1/health")

    assert ACCESS_LOGGER not in capsys.readouterr().out


def test_the_log_masker_masks_url_credentials_in_every_spelling() -> None:
    redact = credential_masker(
        {"PIP_EXTRA_INDEX_URL": SECRET_INDEX_URL, "TWINE_PASSWORD": TWINE_PASSWORD}
    )
    text = " ".join(
        [SECRET_INDEX_URL, SECRET_USER, SECRET_PASSWORD, SECRET_PASSWORD_IN_URL, TWINE_PASSWORD]
    )
    escaped = json.dumps({"url": SECRET_INDEX_URL, "password": SECRET_PASSWORD})

    for masked in (redact(text), redact(escaped)):
        assert not any(secret in masked for secret in SECRETS)
        assert "***" in masked
    assert redact("nothing secret here") == "nothing secret here"


def test_credentials_reach_neither_logs_nor_responses(
    monkeypatch: pytest.MonkeyPatch, make_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", SECRET_INDEX_URL)
    monkeypatch.setenv("TWINE_USERNAME", SECRET_USER)
    monkeypatch.setenv("TWINE_PASSWORD", TWINE_PASSWORD)
    client: TestClient = make_client(LOG_JSON=False, LOG_LEVEL="DEBUG", LOG_FLUSH_INTERVAL_MS=0)

    @client.app.get("/boom")
    async def boom() -> None:
        raise RuntimeError(f"could not reach {SECRET_INDEX_URL} with {TWINE_PASSWORD}")

    logging.getLogger("pip._internal").warning("Looking in indexes: %s", SECRET_INDEX_URL)
    responses = [
        client.get("/boom"),
        client.post(PREDICT, json={"inputs": [ROW]}),
        client.post(PREDICT, json={"inputs": SECRET_INDEX_URL}),
        client.post(PREDICT, json={"inputs": [{"pclass": SECRET_PASSWORD, "sex": TWINE_PASSWORD}]}),
        client.post(
            PREDICT, content=SECRET_INDEX_URL.encode(), headers={"content-type": "application/json"}
        ),
    ]

    output = capsys.readouterr().out
    assert responses[0].status_code == 500
    assert "could not reach *** with ***" in output  # the error was logged, masked
    assert "Looking in indexes: ***" in output
    for text in [output, *(response.text for response in responses)]:
        for secret in SECRETS:
            assert secret not in text


def test_real_server_output_never_shows_credentials() -> None:
    secrets_env = {
        "PIP_EXTRA_INDEX_URL": SECRET_INDEX_URL,
        "TWINE_USERNAME": SECRET_USER,
        "TWINE_PASSWORD": TWINE_PASSWORD,
        "LOG_LEVEL": "DEBUG",
        "LOG_JSON": "true",
    }
    with serve(env=secrets_env) as server, httpx.Client(base_url=server.base_url) as http:
        http.post(PREDICT, json={"inputs": [ROW]}, headers={"X-Request-ID": "real-1"})
        http.post(PREDICT, json={"inputs": [{"pclass": SECRET_PASSWORD}]})
        http.post(PREDICT, content=b"{", headers={"content-type": "application/json"})
        server.stop()  # a graceful stop writes the request lines still queued
        output = server.output()

    assert not any(secret in output for secret in SECRETS)
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any("Uvicorn running" in line["message"] for line in lines)  # uvicorn's own, as JSON
    (request,) = [line for line in lines if line.get("request_id") == "real-1"]
    assert (request["method"], request["path"], request["status"]) == ("POST", PREDICT, 200)
    assert not [line for line in lines if line["logger"].startswith("uvicorn.access")]
