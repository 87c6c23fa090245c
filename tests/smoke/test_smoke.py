"""What a deploy must show before it counts: the expected model serves, answers like the package
in-process (or, for a promoted candidate of make retrain, like that version installed from the
index), and the pages a user opens answer."""

import json
import os
from pathlib import Path
from typing import Any

import pytest
from smoke_api import HEALTH_PATH, Api

from titanic_model import __version__, make_prediction

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


def _reference(version: str, workdir: Path) -> dict[str, Any]:
    """make_prediction of `version`: in-process when it is this tree's, else the published package
    installed from PIP_EXTRA_INDEX_URL into a venv of its own."""
    if version == __version__:
        return dict(make_prediction(input_data=PASSENGERS))
    index_url = os.environ.get("PIP_EXTRA_INDEX_URL", "").strip()
    if not index_url:
        pytest.fail(
            f"the API serves {version}, not this tree's {__version__}: PIP_EXTRA_INDEX_URL must "
            "name the index it was published to, to compare with it",
            pytrace=False,
        )
    # Only here: it needs the release tools' [index] extra (tox -e smoke has it), which an env
    # running the smoke test against this tree's own version may lack.
    from titanic_release.baseline import BaselineError, capture_published

    inputs = workdir / "passengers.json"
    row_ids = [f"smoke:{i}" for i in range(len(PASSENGERS))]
    inputs.write_text(json.dumps({"row_ids": row_ids, "records": PASSENGERS}), encoding="utf-8")
    try:
        return capture_published(version, index_url, inputs, workdir)
    except BaselineError as error:
        pytest.fail(f"cannot score with the published {version}: {error}", pytrace=False)


def test_predict_equals_the_served_version_of_make_prediction(api: Api, tmp_path: Path) -> None:
    expected = _reference(api.expected_version, tmp_path)

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
