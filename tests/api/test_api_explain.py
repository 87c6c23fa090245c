"""`"explain": true` returns the package's explanations; without it the answer is unchanged."""

import math
from typing import Any

from answers import without_ids
from fastapi.testclient import TestClient

from titanic_model import make_prediction


def test_explain_returns_the_packages_explanations_for_every_held_out_row(
    client: TestClient, held_out_records: list[dict[str, Any]]
) -> None:
    response = client.post("/api/v1/predict", json={"inputs": held_out_records, "explain": True})

    assert response.status_code == 200
    body = response.json()
    assert without_ids(body) == make_prediction(input_data=held_out_records, explain=True)
    for explanation, probability in zip(body["explanations"], body["probabilities"], strict=True):
        total = explanation["intercept"] + sum(explanation["contributions"].values())
        assert math.isclose(1 / (1 + math.exp(-total)), probability, abs_tol=1e-12)


def test_one_row_explained_and_a_bad_row_gets_null(client: TestClient) -> None:
    good = {"pclass": 3, "sex": "male", "name": "Doe, Mr. John"}
    single = client.post("/api/v1/predict", json={"inputs": [good], "explain": True}).json()
    batch = client.post(
        "/api/v1/predict", json={"inputs": [good, {"pclass": 7}], "explain": True}
    ).json()

    assert single["explanations"][0]["contributions"]["title"] < 0
    assert batch["explanations"] == [single["explanations"][0], None]


def test_a_deck_from_no_cabin_is_named_unknown(client: TestClient) -> None:
    row = {"pclass": 1, "sex": "female", "age": 29, "name": "Doe, Mrs. J", "embarked": "S"}
    with_cabin = row | {"cabin": "C85", "fare": 30}
    body = {"inputs": [row, with_cabin], "explain": True}
    explanations = client.post("/api/v1/predict", json=body).json()["explanations"]

    assert explanations[0]["unknown"] == ["fare", "deck"]
    assert explanations[1]["unknown"] == []


def test_explanations_are_absent_unless_asked(client: TestClient) -> None:
    good = {"pclass": 3, "sex": "male"}
    for body in ({"inputs": [good]}, {"inputs": [good], "explain": False}):
        assert "explanations" not in client.post("/api/v1/predict", json=body).json()


def test_explain_must_be_a_boolean(client: TestClient) -> None:
    response = client.post("/api/v1/predict", json={"inputs": [{}], "explain": "yes"})
    assert response.status_code == 422


def test_explain_is_documented_in_the_schema(client: TestClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    explain = schemas["PredictionRequest"]["properties"]["explain"]
    assert explain["type"] == "boolean"
    assert explain["default"] is False
    assert "contribution" in explain["description"]
    assert "explanations" in schemas["PredictionResponse"]["properties"]
