"""The Open Inference Protocol as stock clients speak it, against a real uvicorn server:
tritonclient[http] (JSON tensors, binary_data=False) and the kserve SDK's REST client. Their
answers must equal make_prediction's for the same held-out passengers."""

import asyncio
import json
import subprocess
from typing import Any

import numpy as np
import pytest
import tritonclient.http as triton
from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig
from live_server import LiveServer
from test_api_doc_curl import ROOT, bash_blocks
from tritonclient.utils import InferenceServerException
from v2_tensors import DATATYPES

from titanic_model import make_prediction

ROWS = 60
API_DOC = ROOT / "docs" / "api.md"


def triton_tensor(name: str, values: list[Any]) -> triton.InferInput:
    """NumPy columns as a tritonclient user builds them: a missing number is NaN. tritonclient
    writes None in a BYTES array as the text 'None', so its rows here have every string set."""
    datatype = DATATYPES[name]
    if datatype == "BYTES":
        array = np.array(values, dtype=np.object_)
    elif datatype == "FP64":
        array = np.array([np.nan if value is None else value for value in values], np.float64)
    else:
        array = np.array(values, dtype=np.int64)
    tensor = triton.InferInput(name, list(array.shape), datatype)
    tensor.set_data_from_numpy(array, binary_data=False)
    return tensor


@pytest.fixture
def triton_client(live_server: LiveServer) -> Any:
    client = triton.InferenceServerClient(url=live_server.base_url.removeprefix("http://"))
    yield client
    client.close()


def test_tritonclient_live_ready_metadata(triton_client: Any, model_version: str) -> None:
    assert triton_client.is_server_live()
    assert triton_client.is_server_ready()
    assert triton_client.is_model_ready("titanic")
    metadata = triton_client.get_model_metadata("titanic")
    assert metadata["versions"] == [model_version]
    assert {tensor["name"]: tensor["datatype"] for tensor in metadata["inputs"]} == DATATYPES
    assert triton_client.get_model_metadata("titanic", model_version) == metadata


def test_tritonclient_infer_equals_make_prediction(
    triton_client: Any, held_out_records: list[dict[str, Any]]
) -> None:
    strings = [name for name, datatype in DATATYPES.items() if datatype == "BYTES"]
    rows = [row for row in held_out_records if all(row[name] is not None for name in strings)]
    rows = rows[:ROWS]
    assert len(rows) >= 20
    assert any(row["age"] is None for row in rows)
    expected = make_prediction(input_data=rows)
    inputs = [triton_tensor(name, [row[name] for row in rows]) for name in DATATYPES]
    outputs = [
        triton.InferRequestedOutput(name, binary_data=False)
        for name in ("predictions", "probabilities")
    ]
    result = triton_client.infer("titanic", inputs, outputs=outputs)
    assert result.as_numpy("predictions").tolist() == expected["predictions"]
    assert result.as_numpy("probabilities").tolist() == expected["probabilities"]
    ids = result.get_response()["parameters"]["ids"].split(",")
    assert len(set(ids)) == len(rows)


def test_tritonclient_gets_the_error_naming_row_and_field(
    triton_client: Any, passenger: dict[str, Any]
) -> None:
    rows = [passenger, {**passenger, "sex": "robot"}]
    inputs = [triton_tensor(name, [row[name] for row in rows]) for name in DATATYPES]
    with pytest.raises(InferenceServerException) as refused:
        triton_client.infer("titanic", inputs)
    assert "row 1, field sex" in str(refused.value)


def test_tritonclient_other_version_is_refused_naming_the_served_one(
    triton_client: Any, passenger: dict[str, Any], model_version: str
) -> None:
    inputs = [triton_tensor(name, [passenger[name]]) for name in DATATYPES]
    with pytest.raises(InferenceServerException) as refused:
        triton_client.infer("titanic", inputs, model_version="0.0.1")
    assert model_version in str(refused.value)


async def kserve_session(base_url: str, rows: list[dict[str, Any]]) -> tuple[Any, ...]:
    client = InferenceRESTClient(RESTConfig(protocol="v2", timeout=60))
    try:
        live = await client.is_server_live(base_url)
        ready = await client.is_server_ready(base_url)
        model_ready = await client.is_model_ready(base_url, "titanic")
        inputs = [
            InferInput(name, [len(rows)], datatype, data=[row.get(name) for row in rows])
            for name, datatype in DATATYPES.items()
        ]
        request = InferRequest("titanic", inputs, parameters={"content_type": "pd"})
        response = await client.infer(base_url, request, model_name="titanic")
    finally:
        await client.close()
    return live, ready, model_ready, response


def test_kserve_rest_client_with_nulls_equals_make_prediction(
    live_server: LiveServer, held_out_records: list[dict[str, Any]]
) -> None:
    rows = held_out_records[:ROWS]
    assert any(row["cabin"] is None for row in rows)  # nulls in BYTES tensors too
    expected = make_prediction(input_data=rows)
    live, ready, model_ready, response = asyncio.run(kserve_session(live_server.base_url, rows))
    assert (live, ready, model_ready) == (True, True, True)
    assert response.model_name == "titanic"  # the SDK keeps no model_version from REST
    assert len(set(response.parameters["ids"].split(","))) == len(rows)
    outputs = {output.name: output for output in response.outputs}
    assert outputs["predictions"].as_numpy().tolist() == expected["predictions"]
    assert outputs["probabilities"].as_numpy().tolist() == expected["probabilities"]


def test_the_docs_curl_example_answers_make_predictions_result(live_server: LiveServer) -> None:
    [example] = bash_blocks(API_DOC, "/v2/models/titanic/infer")
    script = example.replace("http://127.0.0.1:8001", live_server.base_url)
    ran = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    rows = [
        {"pclass": 1, "sex": "female", "age": 29.0, "embarked": "S"},
        {"pclass": 3, "sex": "male", "age": None, "embarked": None},
    ]
    outputs = {output["name"]: output["data"] for output in json.loads(ran.stdout)["outputs"]}
    expected = make_prediction(input_data=rows)
    assert outputs == {
        "predictions": expected["predictions"],
        "probabilities": expected["probabilities"],
    }
