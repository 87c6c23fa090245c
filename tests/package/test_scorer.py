"""The scorer artifact gives the pickle's answers: probabilities within 1e-12, same labels."""

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.pipeline import Pipeline

from titanic_model import contract
from titanic_model.frame_scoring import score_columns
from titanic_model.processing.frame_validation import validate_frame
from titanic_model.processing.schemas import PassengerInput
from titanic_model.scorer import LinearScorer
from titanic_model.training.compile_scorer import UnsupportedPipelineError, compile_scorer

TOLERANCE = 1e-12


def _pipeline_scores(pipeline: Pipeline, records: list[dict[str, Any]]) -> tuple[Any, Any]:
    """Score validated records through scikit-learn, with missing values as NaN as in training."""
    frame = pd.DataFrame(records).astype(object).where(lambda f: f.notna(), np.nan)
    frame = frame.astype({"age": float, "fare": float, "sibsp": int, "parch": int, "pclass": int})
    probabilities = pipeline.predict_proba(frame)[:, 1]
    return pipeline.predict(frame), probabilities


def _assert_parity(pipeline: Pipeline, scorer: LinearScorer, records: list[dict[str, Any]]) -> None:
    expected_labels, expected = _pipeline_scores(pipeline, records)
    one_by_one = [scorer.score_record(r) for r in records]
    np.testing.assert_array_equal([label for label, _ in one_by_one], expected_labels)
    np.testing.assert_allclose([p for _, p in one_by_one], expected, rtol=0, atol=TOLERANCE)

    positions, columns, errors = validate_frame(pd.DataFrame(records))
    assert errors == []
    labels, probabilities, _ = score_columns(scorer, columns, len(positions))
    np.testing.assert_array_equal(labels, expected_labels)
    np.testing.assert_allclose(probabilities, expected, rtol=0, atol=TOLERANCE)


def _validated(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [PassengerInput.model_validate(r).model_dump() for r in frame.to_dict(orient="records")]


def test_parity_on_the_whole_dataset(
    pipeline: Pipeline, scorer: LinearScorer, dataset: pd.DataFrame
) -> None:
    _assert_parity(pipeline, scorer, _validated(dataset))


_text = st.one_of(st.none(), st.text(max_size=30))
_names = st.one_of(
    _text,
    st.builds(
        "{}, {}. {}".format,
        st.text(max_size=8),
        st.sampled_from(["Mr", "Mrs", "Miss", "Master", "Mme", "Ms", "Sir", "Capt", "Xyz", ""]),
        st.text(max_size=8),
    ),
)
_passengers = st.fixed_dictionaries(
    {
        "pclass": st.sampled_from(contract.CATEGORIES["pclass"]),
        "sex": st.sampled_from(contract.CATEGORIES["sex"]),
        "age": st.one_of(st.none(), st.floats(0, 120)),
        "sibsp": st.integers(0, 20),
        "parch": st.integers(0, 20),
        "fare": st.one_of(st.none(), st.floats(0, 1e6), st.floats(0, 1e300)),
        "cabin": st.one_of(_text, st.sampled_from(["A1", "T", "Z9", "g 12", " "])),
        "embarked": st.sampled_from([None, *contract.CATEGORIES["embarked"]]),
        "name": _names,
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_passengers, min_size=1, max_size=40))
def test_parity_on_generated_hostile_rows(
    pipeline: Pipeline, scorer: LinearScorer, rows: list[dict[str, Any]]
) -> None:
    _assert_parity(pipeline, scorer, _validated(pd.DataFrame(rows)))


def test_extreme_logits_do_not_overflow(scorer: LinearScorer) -> None:
    rich = {"pclass": 1, "sex": "female", "fare": 1e308}
    _, probability = scorer.score_record(PassengerInput(**rich).model_dump())
    assert np.isfinite(probability)
    assert 0.0 <= probability <= 1.0


def test_an_unknown_pipeline_shape_is_refused(pipeline: Pipeline) -> None:
    with pytest.raises(UnsupportedPipelineError):
        compile_scorer(Pipeline([("classifier", pipeline.named_steps["classifier"])]))
