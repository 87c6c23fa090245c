"""The endpoints docs/api.md promises, answering what the package answers."""

from collections.abc import Callable
from typing import Any

import pytest
from answers import without_ids
from fastapi import FastAPI
from fastapi.testclient import TestClient

import app.api.scoring as predict_route
from app.api.deps import Scoring, get_scoring, get_settings
from app.core.config import Settings
from titanic_model import PassengerInput, contract, make_prediction


def test_health_names_the_service_both_versions_and_the_release(
    make_client: Callable[..., TestClient], model_version: str
) -> None:
    response = make_client(RELEASE_ID="3f2c9e1-build-41").get("/api/v1/health")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"name", "api_version", "model_version", "release_id", "status"}
    assert body["model_version"] == model_version
    assert body["release_id"] == "3f2c9e1-build-41"
    assert body["status"] == "ok"
    assert body["api_version"]


def test_release_id_defaults_to_local(client: TestClient) -> None:
    assert client.get("/api/v1/health").json()["release_id"] == "local"


def test_predict_returns_the_packages_result_for_every_held_out_row(
    client: TestClient, held_out_records: list[dict[str, Any]]
) -> None:
    expected = make_prediction(input_data=held_out_records)

    response = client.post("/api/v1/predict", json={"inputs": held_out_records})

    assert response.status_code == 200
    assert without_ids(response.json()) == expected
    assert expected["errors"] is None
    assert len(expected["probabilities"]) == len(held_out_records)


def test_single_row_matches_the_same_row_inside_a_batch(
    client: TestClient, held_out_records: list[dict[str, Any]]
) -> None:
    batch = client.post("/api/v1/predict", json={"inputs": held_out_records[:5]}).json()

    for row, record in enumerate(held_out_records[:5]):
        single = client.post("/api/v1/predict", json={"inputs": [record]}).json()
        assert single["probabilities"] == [batch["probabilities"][row]]
        assert single["predictions"] == [batch["predictions"][row]]


def test_answer_carries_the_model_version(
    client: TestClient, passenger: dict[str, Any], model_version: str
) -> None:
    body = client.post("/api/v1/predict", json={"inputs": [passenger]}).json()

    assert body["version"] == model_version
    assert body["predictions"][0] in (0, 1)
    assert 0.0 <= body["probabilities"][0] <= 1.0


def test_request_rows_are_documented_as_the_packages_input_schema(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()

    operation = spec["paths"]["/api/v1/predict"]["post"]
    body_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body_schema = spec["components"]["schemas"][body_ref.rsplit("/", 1)[-1]]
    row_schema = body_schema["properties"]["inputs"]["items"]
    package_schema = PassengerInput.model_json_schema()
    # FastAPI leaves `"default": null` out of the spec it publishes; everything else is identical.
    for field_schema in package_schema["properties"].values():
        if "default" in field_schema and field_schema["default"] is None:
            del field_schema["default"]
    assert row_schema["properties"] == package_schema["properties"]
    assert row_schema["required"] == package_schema["required"]
    assert body_schema["properties"]["inputs"]["minItems"] == 1


def test_request_model_embeds_the_package_schema_unchanged() -> None:
    from app.schemas.predict import PredictionRequest

    schema = PredictionRequest.model_json_schema()

    assert schema["properties"]["inputs"]["items"] == PassengerInput.model_json_schema()


def test_openapi_documents_every_answer_of_predict(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()

    responses = spec["paths"]["/api/v1/predict"]["post"]["responses"]
    assert {"200", "413", "422"} <= set(responses)
    assert "/api/v1/health" in spec["paths"]


def test_docs_page_points_at_the_versioned_spec(client: TestClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    assert "/api/v1/openapi.json" in response.text


def test_home_page_has_a_form_field_for_every_schema_field(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for field in PassengerInput.model_fields:
        assert f'id="{field}"' in response.text, field
    assert "api/v1/predict" in response.text


def test_an_answer_outside_the_response_model_is_never_sent(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, passenger: dict[str, Any]
) -> None:
    """Predict's answer goes through its response_model: a probability above 1 or a label of 2
    (a scorer bug) becomes an opaque 500, not a wrong answer."""
    broken = {"predictions": [2], "probabilities": [1.5], "version": "0", "errors": None}
    broken["recorded"] = [(None,) * len(contract.RECORDED_COLUMNS)]  # what the store keeps
    monkeypatch.setattr(predict_route, "score", lambda rows, explain, record: broken)

    response = client.post("/api/v1/predict", json={"inputs": [passenger]})

    assert response.status_code == 500
    assert response.json()["detail"] == "internal server error"


def test_settings_and_store_reach_the_routes_through_dependencies(
    client: TestClient, passenger: dict[str, Any]
) -> None:
    """Overriding the dependencies is enough to change what predict sees (no app.state read)."""
    app = client.app
    assert isinstance(app, FastAPI)
    app.dependency_overrides[get_settings] = lambda: Settings(MAX_BATCH_SIZE=1)
    app.dependency_overrides[get_scoring] = lambda: Scoring(Settings(MAX_BATCH_SIZE=1), None, None)
    try:
        too_many = client.post("/api/v1/predict", json={"inputs": [passenger, passenger]})
        health = client.get("/api/v1/health")
    finally:
        app.dependency_overrides.clear()

    assert too_many.status_code == 413
    assert too_many.json()["detail"] == "at most 1 rows per request, got 2"
    assert health.json()["release_id"] == "local"
