"""What the API refuses as a whole (422, 413) and what it answers row by row (200 + errors)."""

import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest
from answers import without_ids
from fastapi.testclient import TestClient

PREDICT = "/api/v1/predict"
VALID = {"pclass": 3, "sex": "male", "age": 22.0, "fare": 7.25}
JSON_TYPE = {"content-type": "application/json"}


def errors_of(response: Any) -> list[tuple[int | None, str]]:
    return [(error["row"], error["field"]) for error in response.json()["detail"]]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({}, [(None, "inputs")], id="inputs-missing"),
        pytest.param({"rows": [VALID]}, [(None, "inputs")], id="inputs-misspelt"),
        pytest.param({"inputs": VALID}, [(None, "inputs")], id="inputs-an-object"),
        pytest.param({"inputs": "all"}, [(None, "inputs")], id="inputs-a-string"),
        pytest.param({"inputs": None}, [(None, "inputs")], id="inputs-null"),
        pytest.param({"inputs": []}, [(None, "inputs")], id="inputs-empty"),
        pytest.param({"inputs": [VALID, 7, VALID]}, [(1, "inputs")], id="row-a-number"),
        pytest.param({"inputs": [None]}, [(0, "inputs")], id="row-null"),
        pytest.param(
            {"inputs": [[3, "male"], VALID, "x"]},
            [(0, "inputs"), (2, "inputs")],
            id="rows-not-objects",
        ),
        pytest.param([VALID], [(None, "body")], id="body-a-list"),
        pytest.param("inputs", [(None, "body")], id="body-a-string"),
    ],
)
def test_malformed_body_is_refused_naming_row_and_field(
    client: TestClient, body: object, expected: list[tuple[int | None, str]]
) -> None:
    response = client.post(PREDICT, json=body)

    assert response.status_code == 422
    assert errors_of(response) == expected
    assert all(error["message"] for error in response.json()["detail"])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"inputs": [', "JSON"),
        (b"", "required"),
        (b"[" * 100_000, "nested"),
        (b'{"inputs": [{"pclass": 3}]}\xff', "UTF-8"),
    ],
    ids=["truncated", "empty", "deeply-nested", "not-utf8"],
)
def test_unparsable_body_is_422_not_400(client: TestClient, raw: bytes, message: str) -> None:
    response = client.post(PREDICT, content=raw, headers={"content-type": "application/json"})

    assert response.status_code == 422
    assert errors_of(response) == [(None, "body")]
    assert message.lower() in response.json()["detail"][0]["message"].lower()


def test_more_rows_than_max_batch_size_is_413(make_client: Any) -> None:
    client = make_client(MAX_BATCH_SIZE=3)

    assert client.post(PREDICT, json={"inputs": [VALID] * 3}).status_code == 200
    response = client.post(PREDICT, json={"inputs": [VALID] * 4})
    assert response.status_code == 413
    assert "3" in response.json()["detail"]


def test_body_larger_than_max_body_bytes_is_413(make_client: Any) -> None:
    client = make_client(MAX_BODY_BYTES=2048)
    small = {"inputs": [VALID] * 10}  # ~600 bytes
    large = {"inputs": [VALID] * 100}  # ~6,000 bytes

    assert client.post(PREDICT, json=small).status_code == 200
    response = client.post(PREDICT, json=large)
    assert response.status_code == 413
    assert "2048" in response.json()["detail"]


def test_streamed_body_without_length_is_cut_off_at_max_body_bytes(make_client: Any) -> None:
    client = make_client(MAX_BODY_BYTES=2048)
    body = json.dumps({"inputs": [VALID] * 100}).encode()

    def chunks(data: bytes) -> Iterator[bytes]:  # no Content-Length: sent chunked
        for start in range(0, len(data), 500):
            yield data[start : start + 500]

    small = json.dumps({"inputs": [VALID]}).encode()
    assert client.post(PREDICT, content=chunks(small), headers=JSON_TYPE).status_code == 200
    response = client.post(PREDICT, content=chunks(body), headers=JSON_TYPE)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert "2048" in response.json()["detail"]


@pytest.mark.parametrize(
    ("bad_row", "field"),
    [
        ({"pclass": 7, "sex": "male"}, "pclass"),
        ({"pclass": 1, "sex": "robot"}, "sex"),
        ({"pclass": 1, "sex": "male", "age": -1}, "age"),
        ({"pclass": 1, "sex": "male", "age": "old"}, "age"),
        ({"pclass": 1, "sex": "male", "fare": -5}, "fare"),
        ({"pclass": 1, "sex": "male", "sibsp": 99}, "sibsp"),
        ({"pclass": 1, "sex": "male", "embarked": "X"}, "embarked"),
        ({"sex": "male"}, "pclass"),
        ({"pclass": True, "sex": "male"}, "pclass"),
    ],
)
def test_a_bad_value_is_that_rows_error_and_the_other_rows_are_scored(
    client: TestClient, bad_row: dict[str, Any], field: str
) -> None:
    response = client.post(PREDICT, json={"inputs": [VALID, bad_row, VALID]})

    assert response.status_code == 200
    body = response.json()
    assert body["predictions"][1] is None
    assert body["probabilities"][1] is None
    assert [(error["row"], error["field"]) for error in body["errors"]] == [(1, field)]
    assert body["probabilities"][0] == body["probabilities"][2] is not None
    assert body["predictions"][0] in (0, 1)


def test_a_single_bad_row_is_answered_200_with_its_error(client: TestClient) -> None:
    response = client.post(PREDICT, json={"inputs": [{"pclass": 0, "sex": "male"}]})

    assert response.status_code == 200
    assert response.json()["predictions"] == [None]
    assert response.json()["errors"][0]["row"] == 0


def test_unknown_fields_are_ignored(client: TestClient) -> None:
    plain = client.post(PREDICT, json={"inputs": [VALID]}).json()
    extra = client.post(PREDICT, json={"inputs": [{**VALID, "boat": "13", "body": 7}]}).json()

    assert without_ids(extra) == without_ids(plain)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_sent_as_another_media_type_gets_415_naming_it(
    client: TestClient, content_type: str
) -> None:
    body = json.dumps({"inputs": [VALID]}).encode()
    response = client.post(PREDICT, content=body, headers={"content-type": content_type})

    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    assert content_type in response.json()["detail"]


def test_a_body_without_content_type_gets_415_saying_so(client: TestClient) -> None:
    response = client.post(PREDICT, content=json.dumps({"inputs": [VALID]}).encode())

    assert response.status_code == 415
    assert "not no Content-Type" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (PREDICT, {"inputs": [VALID]}),
        ("/api/v1/outcomes", [{"id": "0" * 32, "survived": 1}]),
        (
            "/v2/models/titanic/infer",
            {"inputs": [{"name": "pclass", "shape": [1], "datatype": "INT64", "data": [1]}]},
        ),
    ],
)
def test_a_compressed_body_gets_415_naming_its_coding_on_every_route_with_a_body(
    client: TestClient, path: str, body: Any
) -> None:
    """A gzip body used to be refused as "not valid UTF-8", which sends its sender looking
    for a bad character instead of at the header."""
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    response = client.post(path, content=gzip.compress(json.dumps(body).encode()), headers=headers)

    assert response.status_code == 415, response.text
    assert "Content-Encoding: gzip" in response.text
    assert response.headers["accept-encoding"] == "identity"
    plain = {**headers, "content-encoding": "identity"}
    assert client.post(path, content=json.dumps(body).encode(), headers=plain).status_code != 415


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/JSON"])
def test_json_content_types_are_accepted(client: TestClient, content_type: str) -> None:
    body = json.dumps({"inputs": [VALID]}).encode()
    headers = {"content-type": content_type}
    assert client.post(PREDICT, content=body, headers=headers).status_code == 200


NUMERIC_FIELDS = {"pclass": 1, "age": 29, "sibsp": 1, "parch": 1, "fare": 7.25}


def _documented_types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a property allows, through enum, anyOf and type."""
    if "enum" in schema:
        return {type(value).__name__ for value in schema["enum"]}
    if "anyOf" in schema:
        return set().union(*(_documented_types(part) for part in schema["anyOf"]))
    return {schema["type"]}


def test_every_numeric_field_is_documented_as_a_number_only(client: TestClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    row = schemas["PredictionRequest"]["properties"]["inputs"]["items"]
    assert row["title"] == "PassengerInput"
    for field in NUMERIC_FIELDS:
        documented = _documented_types(row["properties"][field]) - {"null"}
        assert documented <= {"int", "integer", "number"}, (field, documented)


@pytest.mark.parametrize("field", list(NUMERIC_FIELDS))
def test_every_numeric_field_refuses_a_number_written_as_text(
    client: TestClient, field: str
) -> None:
    good = VALID | {field: NUMERIC_FIELDS[field]}
    as_text = VALID | {field: str(NUMERIC_FIELDS[field])}
    answer = client.post(PREDICT, json={"inputs": [good, as_text]}).json()

    assert answer["predictions"][0] is not None
    assert answer["predictions"][1] is None
    assert answer["errors"] == [
        {"row": 1, "field": field, "message": "Input should be a valid number, not text"}
    ]
