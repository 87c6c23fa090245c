"""What a deploy must show before it counts: the expected model serves, answers like the package
in-process, and the pages a user opens answer."""

import json

from smoke_api import HEALTH_PATH, Api

from titanic_model import make_prediction

PASSENGERS = [
    {"pclass": 1, "sex": "female", "age": 29.0, "fare": 211.34, "embarked": "S", "name": "A, Miss"},
    {"pclass": 3, "sex": "male", "age": None, "sibsp": 0, "parch": 0, "fare": None},
]


def test_health_reports_the_expected_model_version_and_release(api: Api) -> None:
    status, _, body = api.get(HEALTH_PATH)

    assert status == 200, body[:500]
    health = json.loads(body)
    assert health["model_version"] == api.expected_version
    if api.expected_release is not None:
        assert health["release_id"] == api.expected_release


def test_predict_equals_in_process_make_prediction(api: Api) -> None:
    expected = make_prediction(input_data=PASSENGERS)

    status, served = api.post_json("/api/v1/predict", {"inputs": PASSENGERS})

    assert status == 200, served
    assert served["version"] == api.expected_version
    assert served["probabilities"] == expected["probabilities"]
    assert served["predictions"] == expected["predictions"]


def test_docs_page_answers(api: Api) -> None:
    status, content_type, body = api.get("/docs")

    assert status == 200
    assert content_type.startswith("text/html")
    assert b"swagger-ui" in body


def test_home_page_answers(api: Api) -> None:
    status, content_type, body = api.get("/")

    assert status == 200
    assert content_type.startswith("text/html")
    assert b"<form" in body
