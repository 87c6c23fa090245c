"""explain=True: each feature's exact contribution to the log-odds, checked against scikit-learn."""

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from titanic_model import Explanation, make_prediction

FEATURES = {"age", "fare", "sibsp", "parch", "pclass", "sex", "embarked", "title", "deck"}
ROUNDING = 1e-12


def _total(explanation: Explanation) -> float:
    return explanation["intercept"] + sum(explanation["contributions"].values())


def _assert_explains(explanations: list[Any], pipeline: Pipeline, frame: pd.DataFrame) -> None:
    log_odds = pipeline.decision_function(frame)
    assert len(explanations) == len(frame)
    for explanation, expected in zip(explanations, log_odds, strict=True):
        assert set(explanation["contributions"]) == FEATURES
        assert abs(_total(explanation) - expected) <= ROUNDING
        assert abs(explanation["log_odds"] - expected) <= ROUNDING


def test_every_held_out_row_explained_as_a_data_frame(
    pipeline: Pipeline, held_out: pd.DataFrame
) -> None:
    result = make_prediction(input_data=held_out, explain=True)
    assert result["errors"] is None
    _assert_explains(result["explanations"], pipeline, held_out)


def test_every_held_out_row_explained_as_records_and_one_by_one(
    pipeline: Pipeline, held_out: pd.DataFrame
) -> None:
    records = held_out.astype(object).where(held_out.notna(), None).to_dict(orient="records")
    as_list = make_prediction(input_data=records, explain=True)["explanations"]
    one_by_one = [make_prediction(input_data=r, explain=True)["explanations"][0] for r in records]
    _assert_explains(as_list, pipeline, held_out)
    assert one_by_one == as_list


def test_the_intercept_is_the_classifier_s(pipeline: Pipeline) -> None:
    [explanation] = make_prediction(input_data={"pclass": 1, "sex": "male"}, explain=True)[
        "explanations"
    ]
    assert explanation["intercept"] == pipeline.named_steps["classifier"].intercept_[0]


def test_title_and_deck_are_explained_by_name() -> None:
    base = {"pclass": 1, "sex": "male", "age": 40, "cabin": "C85"}
    mister, master = (
        make_prediction(input_data={**base, "name": f"Doe, {title}. John"}, explain=True)
        for title in ("Mr", "Master")
    )
    mister_parts = mister["explanations"][0]["contributions"]
    master_parts = master["explanations"][0]["contributions"]
    assert mister_parts["title"] != master_parts["title"]
    changed = {f for f in FEATURES if mister_parts[f] != master_parts[f]}
    assert changed == {"title"}


@pytest.mark.parametrize("explain", [True, False])
def test_rejected_rows_get_none_and_the_key_is_absent_unless_asked(explain: bool) -> None:
    rows: list[Any] = [{"pclass": 1, "sex": "female"}, {"pclass": 9, "sex": "female"}]
    for data in (rows, pd.DataFrame(rows)):
        result = make_prediction(input_data=data, explain=explain)
        assert result["probabilities"][1] is None
        if explain:
            explanations = result["explanations"]
            assert explanations[1] is None
            assert explanations[0] is not None
            assert np.isclose(
                1 / (1 + np.exp(-explanations[0]["log_odds"])), result["probabilities"][0]
            )
        else:
            assert "explanations" not in result


def test_explaining_does_not_change_the_scores(held_out: pd.DataFrame) -> None:
    plain = make_prediction(input_data=held_out)
    explained = make_prediction(input_data=held_out, explain=True)
    assert explained["probabilities"] == plain["probabilities"]
    assert explained["predictions"] == plain["predictions"]


def test_features_the_row_does_not_give_are_named_unknown() -> None:
    bare = {"pclass": 1, "sex": "female"}
    full = bare | {"age": 29.0, "fare": 30.0, "embarked": "S", "name": "Doe, Mrs. J"}
    full |= {"cabin": "C85"}
    blank_cabin = full | {"cabin": "  ", "name": "no title here"}
    as_records = make_prediction(input_data=[bare, full, blank_cabin], explain=True)
    as_frame = make_prediction(input_data=pd.DataFrame([bare, full, blank_cabin]), explain=True)

    assert [e["unknown"] for e in as_records["explanations"]] == [
        ["age", "fare", "embarked", "title", "deck"],
        [],
        ["title", "deck"],
    ]
    assert as_frame["explanations"] == as_records["explanations"]
