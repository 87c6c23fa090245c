"""GET /api/v1/model: the model card agrees with the packaged metadata and artifact files."""

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

MODELS = Path(__file__).resolve().parents[2] / "model_package" / "titanic_model" / "trained_models"


@pytest.fixture
def metadata_file(model_version: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (MODELS / f"titanic_model_v{model_version}.json").read_text(encoding="utf-8")
    )
    return loaded


def test_card_states_what_is_serving(
    client: TestClient, model_version: str, metadata_file: dict[str, Any]
) -> None:
    card = client.get("/api/v1/model").json()
    artifact = MODELS / f"titanic_model_v{model_version}.pkl"
    assert card["version"] == model_version
    assert card["artifact_sha256"] == hashlib.sha256(artifact.read_bytes()).hexdigest()
    assert card["trained_at"] == metadata_file["trained_at"]
    assert card["git_commit"] == metadata_file["git_commit"]
    assert card["data_sha256"] == metadata_file["data_sha256"]
    assert card["held_out_metrics"] == metadata_file["held_out_metrics"]
    assert set(card["held_out_metrics"]) >= {"accuracy", "roc_auc", "brier"}
    assert card["features"]["engineered"] == ["title", "deck"]
    assert {*card["features"]["categorical"], *card["features"]["numeric"]} == {
        "pclass",
        "sex",
        "embarked",
        "age",
        "fare",
        "sibsp",
        "parch",
    }
    assert card["training_rows"] + card["held_out_rows"] == metadata_file["rows"]["total"]


def test_card_is_documented_in_openapi(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    answer = schema["paths"]["/api/v1/model"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ModelCard"
    }
    fields = schema["components"]["schemas"]["ModelCard"]["properties"]
    assert {"version", "trained_at", "git_commit", "data_sha256", "artifact_sha256"} <= set(fields)
    assert all(field.get("description") or "$ref" in field for field in fields.values())
