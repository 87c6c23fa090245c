"""No body makes the API answer 5xx: a table of hostile requests, in-process and over real HTTP."""

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from live_server import LiveServer

PREDICT = "/api/v1/predict"
JSON = "application/json"


def rows(*records: str) -> bytes:
    return ('{"inputs": [' + ", ".join(records) + "]}").encode()


# (id, body, content type, expected status, rows expected to be scored (200 only))
HOSTILE: list[tuple[str, bytes, str, int, list[bool]]] = [
    ("invalid-json", b'{"inputs": [{"pclass": 1,,}]}', JSON, 422, []),
    ("not-json-at-all", b"\x00\x01\x02 hello", JSON, 422, []),
    (
        "wrong-types",
        rows('{"pclass": "first", "sex": 1, "age": [], "fare": {}}'),
        JSON,
        200,
        [False],
    ),
    ("age-1e308", rows('{"pclass": 1, "sex": "male", "age": 1e308}'), JSON, 200, [False]),
    ("fare-1e308", rows('{"pclass": 1, "sex": "male", "fare": 1e308}'), JSON, 200, [True]),
    ("fare-1e400", rows('{"pclass": 1, "sex": "male", "fare": 1e400}'), JSON, 200, [False]),
    ("age-tiny", rows('{"pclass": 1, "sex": "male", "age": 5e-324}'), JSON, 200, [True]),
    ("huge-int", rows('{"pclass": 1' + "0" * 400 + ', "sex": "male"}'), JSON, 200, [False]),
    ("nan-age", rows('{"pclass": 1, "sex": "male", "age": NaN}'), JSON, 200, [True]),
    ("infinity-fare", rows('{"pclass": 1, "sex": "male", "fare": Infinity}'), JSON, 200, [False]),
    ("minus-infinity", rows('{"pclass": 1, "sex": "male", "age": -Infinity}'), JSON, 200, [False]),
    ("negative-fare", rows('{"pclass": 2, "sex": "female", "fare": -10}'), JSON, 200, [False]),
    (
        "nested-junk",
        rows('{"pclass": {"a": [1, {"b": null}]}, "sex": [[["male"]]], "name": {"x": []}}'),
        JSON,
        200,
        [False],
    ),
    ("deep-nesting", b"[" * 200_000 + b"]" * 200_000, JSON, 422, []),
    (
        "deep-in-row",
        rows('{"pclass": 1, "sex": "male", "name": ' + "[" * 50_000 + "]" * 50_000 + "}"),
        JSON,
        422,
        [],
    ),
    (
        "lone-surrogate-value",
        rows('{"pclass": 1, "sex": "\\ud800", "name": "\\udfff"}'),
        JSON,
        200,
        [False],
    ),
    (
        "lone-surrogate-name",
        rows('{"pclass": 1, "sex": "male", "name": "Doe, \\ud800 Mr. X"}'),
        JSON,
        200,
        [True],
    ),
    ("lone-surrogate-key", rows('{"pclass": 1, "sex": "male", "\\ud800": 1}'), JSON, 200, [True]),
    ("lone-surrogate-inputs", b'{"inputs": "\\ud800"}', JSON, 422, []),
    ("invalid-utf8", b'{"inputs": [{"pclass": 1, "sex": "\xc3\x28"}]}', JSON, 422, []),
    ("utf16-bom", '{"inputs": []}'.encode("utf-16"), JSON, 422, []),
    (
        "null-bytes",
        rows('{"pclass": 1, "sex": "male\\u0000", "cabin": "\\u0000"}'),
        JSON,
        200,
        [False],
    ),
    (
        "mixed-rows",
        rows('{"pclass": 1, "sex": "male"}', '{"pclass": 9}', '{"pclass": 3, "sex": "female"}'),
        JSON,
        200,
        [True, False, True],
    ),
    ("duplicate-keys", rows('{"pclass": 1, "pclass": "x", "sex": "male"}'), JSON, 200, [False]),
    ("text-plain", rows('{"pclass": 1, "sex": "male"}'), "text/plain", 415, []),
    ("form-encoded", b"pclass=1&sex=male", "application/x-www-form-urlencoded", 415, []),
    ("ten-megabytes", b'{"inputs": [' + b" " * (10 * 1024 * 1024) + b"]}", JSON, 413, []),
]


@pytest.fixture(params=["in-process", "uvicorn"])
def send(request: pytest.FixtureRequest, client: TestClient) -> Iterator[Any]:
    """Posts a raw body to predict, through the ASGI app directly or a real uvicorn server."""
    if request.param == "in-process":
        yield lambda body, content_type: client.post(
            PREDICT, content=body, headers={"content-type": content_type}
        )
        return
    server: LiveServer = request.getfixturevalue("live_server")
    with httpx.Client(base_url=server.base_url, timeout=60) as http:
        yield lambda body, content_type: http.post(
            PREDICT, content=body, headers={"content-type": content_type}
        )


@pytest.mark.parametrize(
    ("body", "content_type", "status", "scored"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_body_gets_a_4xx_or_per_row_errors_never_5xx(
    send: Any, body: bytes, content_type: str, status: int, scored: list[bool]
) -> None:
    response = send(body, content_type)

    assert response.status_code == status, response.text[:500]
    if status == 413:
        return
    if status == 415:
        assert content_type in json.loads(response.content)["detail"]
        return
    answer = json.loads(response.content)  # always valid JSON, even when the input was not
    if status == 200:
        assert [p is not None for p in answer["probabilities"]] == scored
        for probability in answer["probabilities"]:
            assert probability is None or 0.0 <= probability <= 1.0
        bad_rows = {error["row"] for error in answer["errors"] or []}
        assert bad_rows == {row for row, ok in enumerate(scored) if not ok}
    else:
        assert answer["detail"][0]["field"] in {"body", "inputs"}


def test_a_number_too_long_to_parse_is_named_as_such(client: TestClient) -> None:
    """Valid JSON that json.loads refuses: an integer of 5,000 digits (Python's limit is 4,300)."""
    body = rows('{"pclass": 1' + "0" * 5_000 + ', "sex": "male"}')
    response = client.post(PREDICT, content=body, headers={"content-type": JSON})
    assert response.status_code == 422
    message = response.json()["detail"][0]["message"]
    assert message == "body has a number of over 4,300 digits", message


def test_wrong_method_and_unknown_path_are_4xx(client: TestClient) -> None:
    assert client.get(PREDICT).status_code == 405
    assert client.post("/api/v1/nothing-here", json={}).status_code == 404
    assert client.get("/api/v1/health/%ED%A0%80").status_code == 404
