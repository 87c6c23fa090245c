"""The bearer-token routes (/metrics, /api/v1/outcomes) against a real uvicorn: any header a
client can send is a client error, never a 500; outcomes sent as another media type are a 415."""

from collections.abc import Iterator

import httpx
import pytest
from live_server import LiveServer, serve

METRICS_TOKEN = "scrape-t0ken"
OUTCOMES_TOKEN = "outcomes-t0ken"
BODY = [{"id": "0" * 32, "survived": 1}]


@pytest.fixture(scope="module")
def guarded() -> Iterator[LiveServer]:
    env = {"METRICS_TOKEN": METRICS_TOKEN, "OUTCOMES_TOKEN": OUTCOMES_TOKEN}
    with serve(env=env) as server:
        yield server


def _headers(raw: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"Authorization", raw), (b"Content-Type", b"application/json")]


@pytest.mark.parametrize("byte", list(range(0x80, 0x100)), ids=lambda b: f"0x{b:02x}")
def test_every_high_byte_in_the_token_is_refused_with_401(guarded: LiveServer, byte: int) -> None:
    tokens = {"/metrics": METRICS_TOKEN, "/api/v1/outcomes": OUTCOMES_TOKEN}
    with httpx.Client(base_url=guarded.base_url, timeout=10) as http:
        for path, token in tokens.items():
            for raw in (b"Bearer " + bytes([byte]), b"Bearer " + token.encode() + bytes([byte])):
                method = "GET" if path == "/metrics" else "POST"
                content = None if method == "GET" else b'[{"id": "x", "survived": 1}]'
                answer = http.request(method, path, headers=_headers(raw), content=content)
                assert answer.status_code == 401, (path, raw, answer.text)
                assert answer.headers["www-authenticate"] == "Bearer"


def test_a_latin1_scheme_or_token_is_refused_and_the_right_token_still_works(
    guarded: LiveServer,
) -> None:
    with httpx.Client(base_url=guarded.base_url, timeout=10) as http:
        for raw in ("Bearer caf\u00e9".encode("latin-1"), "B\u00e9arer x".encode("latin-1")):
            assert http.get("/metrics", headers=_headers(raw)).status_code == 401
        ok = http.get("/metrics", headers=_headers(f"Bearer {METRICS_TOKEN}".encode()))
        assert ok.status_code == 200
        stored = http.post(
            "/api/v1/outcomes", headers=_headers(f"Bearer {OUTCOMES_TOKEN}".encode()), json=BODY
        )
        assert stored.status_code == 200, stored.text
        assert stored.json()["errors"][0]["field"] == "id"  # authorized, judged item by item


def test_outcomes_sent_as_text_plain_are_refused_for_their_type(guarded: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {OUTCOMES_TOKEN}", "Content-Type": "text/plain"}
    with httpx.Client(base_url=guarded.base_url, timeout=10) as http:
        answer = http.post("/api/v1/outcomes", headers=headers, content=b'[{"id": "x"}]')
    assert answer.status_code == 415, answer.text
    assert "application/json" in answer.json()["detail"]
