"""The Open Inference Protocol in-process: answers equal make_prediction's, and infer obeys the
same store, metrics, batch bound, ids and explanations as /api/v1/predict."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_api_store import metric_value, stored_rows
from v2_tensors import DATATYPES, INFER, infer_body, output

from titanic_model import make_prediction


def test_metadata_lists_every_passenger_field_and_both_outputs(
    client: TestClient, model_version: str
) -> None:
    metadata = client.get("/v2/models/titanic").json()
    assert metadata["name"] == "titanic"
    assert metadata["versions"] == [model_version]
    assert {t["name"]: t["datatype"] for t in metadata["inputs"]} == DATATYPES
    outputs = {t["name"]: t["datatype"] for t in metadata["outputs"]}
    assert (outputs["predictions"], outputs["probabilities"]) == ("INT64", "FP64")
    assert client.get(f"/v2/models/titanic/versions/{model_version}").json() == metadata


def test_infer_equals_make_prediction_with_nulls_as_unknown(
    client: TestClient, held_out_records: list[dict[str, Any]], model_version: str
) -> None:
    rows = held_out_records[:80]
    assert any(row["age"] is None for row in rows)
    assert any(row["cabin"] is None for row in rows)
    expected = make_prediction(input_data=rows)
    answer = client.post(INFER, json=infer_body(rows, id="mine"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["model_name"], body["model_version"], body["id"]) == (
        "titanic",
        model_version,
        "mine",
    )
    assert output(body, "predictions") == expected["predictions"]
    assert output(body, "probabilities") == expected["probabilities"]


def test_a_column_left_out_is_unknown_in_every_row_and_nan_is_unknown(
    client: TestClient, passenger: dict[str, Any]
) -> None:
    without_age = {key: value for key, value in passenger.items() if key != "age"}
    expected = make_prediction(input_data=[without_age])["probabilities"]
    assert (
        output(client.post(INFER, json=infer_body([without_age])).json(), "probabilities")
        == expected
    )
    body = infer_body([passenger])
    (age,) = [tensor for tensor in body["inputs"] if tensor["name"] == "age"]
    age["data"] = [float("nan")]  # what a client encoding a NumPy array with a NaN sends
    # Python's json writes the NaN token, and no Content-Type: tritonclient sends none either
    sent = client.post(INFER, content=json.dumps(body).encode())
    assert output(sent.json(), "probabilities") == expected


def test_a_bad_row_refuses_the_request_naming_row_and_field_and_stores_nothing(
    make_client: Callable[..., TestClient], tmp_path: Path, passenger: dict[str, Any]
) -> None:
    url = f"sqlite:///{tmp_path}/v2.sqlite3"
    client = make_client(PREDICTION_STORE_URL=url)
    bad = {**passenger, "pclass": 7}

    def counts() -> tuple[float, float]:  # the metrics are the process's: compare before/after
        try:
            rejected = metric_value(client, "titanic_api_rows_rejected_total", field="pclass")
        except AssertionError:  # no pclass rejected yet in this process
            rejected = 0.0
        return rejected, metric_value(client, "titanic_api_rows_scored_total")

    before = counts()
    refused = client.post(INFER, json=infer_body([passenger, passenger, bad]))
    assert refused.status_code == 400
    assert set(refused.json()) == {"error"}
    assert "row 2" in refused.json()["error"]
    assert "pclass" in refused.json()["error"]
    assert counts() == (before[0] + 1, before[1])
    accepted = client.post(INFER, json=infer_body([passenger, passenger])).json()
    client.__exit__(None, None, None)  # shutdown writes everything queued
    ids = accepted["parameters"]["ids"].split(",")
    assert [row["prediction_id"] for row in stored_rows(url)] == ids
    assert len(set(ids)) == 2
    assert all(len(one) == 32 for one in ids)


def test_explanations_only_when_asked_as_json_strings(
    client: TestClient, passenger: dict[str, Any]
) -> None:
    plain = client.post(INFER, json=infer_body([passenger])).json()
    assert [tensor["name"] for tensor in plain["outputs"]] == ["predictions", "probabilities"]
    asked = client.post(INFER, json=infer_body([passenger], parameters={"explain": True})).json()
    (explanation,) = output(asked, "explanations")
    expected = make_prediction(input_data=[passenger], explain=True)["explanations"]
    assert [json.loads(explanation)] == expected
    only = client.post(INFER, json=infer_body([passenger], outputs=[{"name": "explanations"}]))
    assert [tensor["name"] for tensor in only.json()["outputs"]] == ["explanations"]


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/v2/models/titanic/versions/0.0.1/infer", "0.0.1"),
        ("/v2/models/other/infer", "'titanic'"),
    ],
)
def test_another_model_or_version_is_404_naming_the_served_one(
    client: TestClient, passenger: dict[str, Any], model_version: str, path: str, named: str
) -> None:
    answer = client.post(path, json=infer_body([passenger]))
    assert answer.status_code == 404
    served = "'titanic'" if "other" in path else model_version
    assert named in answer.json()["error"]
    assert served in answer.json()["error"]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda body: body["inputs"].append({**body["inputs"][0], "name": "deck"}), "deck"),
        (lambda body: body["inputs"][0].update(datatype="BYTES"), "datatype"),
        (lambda body: body["inputs"][0].update(shape=[2]), "shape"),
        (lambda body: body.update(parameters={"content_type": "np"}), "content_type"),
        (lambda body: body["inputs"][0].pop("data"), "data"),
    ],
)
def test_tensors_the_model_cannot_read_are_400_saying_why(
    client: TestClient, passenger: dict[str, Any], change: Callable[[Any], None], says: str
) -> None:
    body = infer_body([passenger])
    change(body)
    answer = client.post(INFER, json=body)
    assert answer.status_code == 400
    assert says in answer.json()["error"]


def test_batch_bound_and_body_limit_answer_in_the_protocols_error_shape(
    make_client: Callable[..., TestClient], passenger: dict[str, Any]
) -> None:
    client = make_client(MAX_BATCH_SIZE=2, MAX_BODY_BYTES=4096, MAX_BODY_BYTES_IN_FLIGHT=4096)
    too_many = client.post(INFER, json=infer_body([passenger] * 3))
    assert too_many.status_code == 413
    assert "at most 2 rows" in too_many.json()["error"]
    too_big = client.post(INFER, json=infer_body([{**passenger, "name": "x" * 5000}]))
    assert too_big.status_code == 413
    assert "error" in too_big.json()
    v1 = client.post("/api/v1/predict", json={"inputs": [passenger] * 3})
    assert v1.status_code == 413
    assert "detail" in v1.json()


def test_readiness_follows_the_model_being_loaded(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client()
    assert client.get("/v2/health/ready").json() == {"ready": True}
    assert client.get("/v2/models/titanic/ready").json() == {"name": "titanic", "ready": True}
    client.app.state.model_loaded = False  # type: ignore[attr-defined]
    assert client.get("/v2/health/ready").status_code == 400
    assert client.get("/v2/models/titanic/ready").status_code == 400
    assert client.get("/v2/health/live").json() == {"live": True}
