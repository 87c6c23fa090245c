"""Scores passengers with the version's scorer artifact: nothing else.

`make_prediction` never raises on bad data: rows that fail validation get None and an error
naming the row and field, and every other row is still scored. Each record is validated and its
derived categories taken once; with record=True the result also hands back that recorded form, so
a caller that keeps it (the API's prediction store) need not validate again. Records are scored in
plain Python; NumPy and pandas are imported only when a DataFrame is handed in, and nothing of
training/ (scikit-learn, joblib) is imported at all.
"""

import sys
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from titanic_model import contract
from titanic_model.metadata import ModelMetadata
from titanic_model.processing.artifact_files import load_metadata
from titanic_model.processing.schemas import Explanation, PredictionResult, RowError
from titanic_model.processing.validation import validate_record, validate_records
from titanic_model.scorer import LinearScorer, load_scorer, outcome
from titanic_model.version import __version__

if TYPE_CHECKING:
    import pandas as pd


@lru_cache(maxsize=1)
def _scorer() -> LinearScorer:
    return load_scorer(__version__)


@lru_cache(maxsize=1)
def _metadata() -> ModelMetadata:
    return load_metadata(__version__)


def warm_up() -> None:
    """Load and check the scorer now (raises ArtifactError), so the first request does not wait."""
    _scorer()


def model_metadata() -> ModelMetadata:
    """This version's metadata: version, training time, data and artifact checksums, metrics."""
    return _metadata()


def _result(
    predictions: list[int | None],
    probabilities: list[float | None],
    errors: list[RowError],
    explanations: list[Explanation | None] | None,
    recorded: list[tuple[Any, ...] | None] | None = None,
) -> PredictionResult:
    result: PredictionResult = {
        "predictions": predictions,
        "probabilities": probabilities,
        "version": __version__,
        "errors": errors or None,
    }
    if explanations is not None:
        result["explanations"] = explanations
    if recorded is not None:
        result["recorded"] = recorded
    return result


def _refused(message: str, explain: bool, record: bool) -> PredictionResult:
    error: RowError = {"row": None, "field": "input_data", "message": message}
    return _result([], [], [error], [] if explain else None, [] if record else None)


def _predict_record(
    scorer: LinearScorer, record: Mapping[str, Any], explain: bool, keep: bool
) -> PredictionResult:
    values, errors = validate_record(0, record)
    if values is None:
        rejected: list[Explanation | None] | None = [None] if explain else None
        return _result([None], [None], errors, rejected, [None] if keep else None)
    derived = contract.derive(values)
    logit = scorer.logit_record(values, derived)
    label, probability = outcome(logit)
    explanations: list[Explanation | None] | None = (
        [scorer.explain_record(values, logit)] if explain else None
    )
    recorded: list[tuple[Any, ...] | None] | None = (
        [contract.recorded(values, derived)] if keep else None
    )
    return _result([label], [probability], [], explanations, recorded)


def _predict_records(
    scorer: LinearScorer, records: Sequence[object], explain: bool, keep: bool
) -> PredictionResult:
    predictions: list[int | None] = [None] * len(records)
    probabilities: list[float | None] = [None] * len(records)
    explanations: list[Explanation | None] | None = [None] * len(records) if explain else None
    recorded: list[tuple[Any, ...] | None] | None = [None] * len(records) if keep else None
    valid, errors = validate_records(records)
    for row, values in valid:
        derived = contract.derive(values)
        logit = scorer.logit_record(values, derived)
        predictions[row], probabilities[row] = outcome(logit)
        if explanations is not None:
            explanations[row] = scorer.explain_record(values, logit)
        if recorded is not None:
            recorded[row] = contract.recorded(values, derived)
    return _result(predictions, probabilities, errors, explanations, recorded)


def _predict_frame(scorer: LinearScorer, frame: "pd.DataFrame", explain: bool) -> PredictionResult:
    from titanic_model.frame_scoring import explain_columns, score_columns
    from titanic_model.processing.frame_validation import validate_frame

    positions, columns, errors = validate_frame(frame)
    labels, scores, logits = score_columns(scorer, columns, len(positions))
    predictions: list[int | None] = [None] * len(frame)
    probabilities: list[float | None] = [None] * len(frame)
    for position, label, probability in zip(
        positions.tolist(), labels.tolist(), scores.tolist(), strict=True
    ):
        predictions[position], probabilities[position] = label, probability
    explanations: list[Explanation | None] | None = None
    if explain:
        explanations = [None] * len(frame)
        for position, explanation in zip(
            positions.tolist(), explain_columns(scorer, columns, logits), strict=True
        ):
            explanations[position] = explanation
    return _result(predictions, probabilities, errors, explanations)


def _is_data_frame(value: object) -> bool:
    # A DataFrame exists only if pandas was imported, so this check itself never imports pandas.
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


def make_prediction(
    *,
    input_data: "pd.DataFrame | Sequence[object] | Mapping[str, Any]",
    explain: bool = False,
    record: bool = False,
) -> PredictionResult:
    """Score a DataFrame, a list of records or one record; results align with the input rows.

    With explain=True the result also has "explanations": per row, each feature's contribution
    to the log-odds and the intercept (None for a rejected row). With record=True (records only,
    not a DataFrame) it also has "recorded": per row, the passenger's recorded form
    (contract.recorded, in contract.RECORDED_COLUMNS order; None for a rejected row). Without
    them the keys are absent.
    """
    scorer = _scorer()
    if isinstance(input_data, Mapping):  # one record: the hot path of the API
        return _predict_record(scorer, input_data, explain, record)
    if _is_data_frame(input_data):
        if record:
            raise ValueError("record=True takes records; a DataFrame's rows are not recorded")
        frame: pd.DataFrame = input_data  # type: ignore[assignment]
        return (
            _predict_frame(scorer, frame, explain)
            if len(frame)
            else _refused("no rows to score", explain, record)
        )
    if isinstance(input_data, Sequence) and not isinstance(input_data, str | bytes):
        if not input_data:
            return _refused("no rows to score", explain, record)
        return _predict_records(scorer, input_data, explain, record)
    kind = type(input_data).__name__
    message = f"expected a DataFrame, a list of records or one record, got {kind}"
    return _refused(message, explain, record)
