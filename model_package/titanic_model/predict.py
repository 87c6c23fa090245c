"""Loads the trained model once and scores passengers: nothing else.

`make_prediction` never raises on bad data: rows that fail validation get None and an error
naming the row and field, and every other row is still scored.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from titanic_model.processing.artifacts import load_artifact, load_metadata
from titanic_model.processing.schemas import PredictionResult, RowError
from titanic_model.processing.validation import validate_frame, validate_record, validate_records
from titanic_model.scorer import LinearScorer
from titanic_model.version import __version__


@dataclass(frozen=True)
class LoadedModel:
    pipeline: Pipeline  # the artifact, for evaluation and checks
    scorer: LinearScorer  # compiled from the pipeline, for serving
    metadata: dict[str, Any]


@lru_cache(maxsize=1)
def load_model() -> LoadedModel:
    """The packaged model, loaded and checked on first use (raises ArtifactError if unusable)."""
    pipeline = load_artifact(__version__)
    return LoadedModel(pipeline, LinearScorer(pipeline), load_metadata(__version__))


def warm_up() -> None:
    """Load and check the model now (raises ArtifactError), so the first request does not wait."""
    load_model()


def model_metadata() -> dict[str, Any]:
    """This version's metadata: version, training time, data and artifact checksums, metrics."""
    return dict(load_model().metadata)


def load_pipeline() -> Pipeline:
    """The fitted scikit-learn pipeline: the training artifact and source of truth."""
    return load_model().pipeline


def _result(
    predictions: list[int | None], probabilities: list[float | None], errors: list[RowError]
) -> PredictionResult:
    return {
        "predictions": predictions,
        "probabilities": probabilities,
        "version": __version__,
        "errors": errors or None,
    }


def _no_rows() -> PredictionResult:
    return _result([], [], [{"row": None, "field": "input_data", "message": "no rows to score"}])


def _predict_frame(scorer: LinearScorer, frame: pd.DataFrame) -> PredictionResult:
    positions, columns, errors = validate_frame(frame)
    labels, probabilities = scorer.score_columns(columns, len(positions))
    predictions = np.full(len(frame), None, dtype=object)
    scores = np.full(len(frame), None, dtype=object)
    predictions[positions] = labels.tolist()
    scores[positions] = probabilities.tolist()
    return _result(predictions.tolist(), scores.tolist(), errors)


def _predict_records(scorer: LinearScorer, records: Sequence[object]) -> PredictionResult:
    predictions: list[int | None] = [None] * len(records)
    probabilities: list[float | None] = [None] * len(records)
    valid, errors = validate_records(records)
    for row, values in valid:
        predictions[row], probabilities[row] = scorer.score_record(values)
    return _result(predictions, probabilities, errors)


def make_prediction(
    *, input_data: pd.DataFrame | Sequence[object] | Mapping[str, Any]
) -> PredictionResult:
    """Score a DataFrame, a list of records or one record; results align with the input rows."""
    scorer = load_model().scorer
    if isinstance(input_data, Mapping):  # one record: the hot path of the API
        values, errors = validate_record(0, input_data)
        if values is None:
            return _result([None], [None], errors)
        label, probability = scorer.score_record(values)
        return _result([label], [probability], [])
    if isinstance(input_data, pd.DataFrame):
        return _predict_frame(scorer, input_data) if len(input_data) else _no_rows()
    if isinstance(input_data, Sequence) and not isinstance(input_data, str | bytes):
        return _predict_records(scorer, input_data) if input_data else _no_rows()
    kind = type(input_data).__name__
    message = f"expected a DataFrame, a list of records or one record, got {kind}"
    return _result([], [], [{"row": None, "field": "input_data", "message": message}])
