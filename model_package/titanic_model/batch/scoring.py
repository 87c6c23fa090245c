"""One chunk of input rows -> prediction, probability and error per row, via make_prediction.

Input text is read the way pandas reads the packaged titanic3 CSV (the missing marker and empty
cells are missing, numbers written as text are numbers), so a file scores exactly like the same
rows passed to `make_prediction` as a DataFrame, whatever the chunk size.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from titanic_model import contract
from titanic_model.config import config
from titanic_model.predict import make_prediction
from titanic_model.processing.schemas import PredictionResult

MODEL_FIELDS = contract.FIELD_NAMES
REQUIRED_FIELDS = contract.REQUIRED_FIELDS
RESULT_COLUMNS = ("prediction", "probability", "error")
_NUMBER_FIELDS = contract.NUMBER_VALUED_FIELDS
_MISSING_TEXT = ("", config.data.missing_marker)


class BatchError(ValueError):
    """The run cannot go on (bad input, bad output path): reported in one line, nothing written."""


@dataclass(frozen=True)
class Scores:
    """Per row: prediction and probability (None when rejected), error text ("" when scored)."""

    predictions: list[int | None]
    probabilities: list[float | None]
    errors: list[str]

    @property
    def rejected(self) -> int:
        return sum(1 for error in self.errors if error)


def check_columns(
    columns: list[str], *, source: Path | str = "the input", csv_file: bool = False
) -> None:
    """Fail before reading rows when a required field is missing, a field the model reads is
    named twice (which one would be scored is anybody's guess) or a result column exists."""
    missing = [field for field in REQUIRED_FIELDS if field not in columns]
    if missing:
        found = ", ".join(repr(name) for name in columns)
        # A CSV read with the wrong delimiter has one long column; a Parquet file has no delimiter.
        hint = " (wrong delimiter? pass --sep)" if csv_file and len(columns) == 1 else ""
        raise BatchError(
            f"required column(s) {', '.join(missing)} not found in {source}; "
            f"the columns found are: {found}{hint}"
        )
    for field in MODEL_FIELDS:
        if (count := columns.count(field)) > 1:
            raise BatchError(f"column {field} appears {count} times in {source}: keep one of them")
    taken = [name for name in RESULT_COLUMNS if name in columns]
    if taken:
        raise BatchError(
            f"the input already has column(s) {', '.join(taken)}, which the output adds; "
            "rename them first"
        )


def _from_text(column: pd.Series, number: bool) -> pd.Series:
    """Missing marker or empty -> missing; for number fields, text that parses -> number."""
    values = column.to_numpy(dtype=object, copy=True)
    missing = np.equal(values, np.array(None)) | np.isin(values, _MISSING_TEXT)
    values[missing] = None
    if not number:
        return pd.Series(values, dtype=object)
    try:  # the common case, vectorised: every cell a number or missing
        return pd.Series(np.where(missing, "nan", values).astype(float))
    except ValueError:  # some cell is other text: it stays text, for validation to reject
        numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        return pd.Series(np.where(numbers.isna() & ~missing, values, numbers), dtype=object)


def model_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's fields of a chunk, text columns read as pandas reads the packaged CSV."""
    columns = {}
    for field in MODEL_FIELDS:
        if field in frame:
            column = frame[field]
            is_text = pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)
            columns[field] = _from_text(column, field in _NUMBER_FIELDS) if is_text else column
    return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))


def _error_texts(result: PredictionResult, rows: int) -> list[str]:
    messages: dict[int, list[str]] = {}
    for error in result["errors"] or []:
        row = error["row"] if error["row"] is not None else 0
        messages.setdefault(row, []).append(f"{error['field']}: {error['message']}")
    texts = [""] * rows
    for row, parts in messages.items():
        texts[row] = "; ".join(parts)
    return texts


def _score_rows(part: pd.DataFrame, rows: npt.NDArray[np.intp], scores: Scores) -> None:
    """Score `part` (the chunk's `rows`) with one make_prediction call, filling `scores`."""
    result = make_prediction(input_data=part.reset_index(drop=True))
    texts = _error_texts(result, len(part))
    for position, row in enumerate(rows.tolist()):
        scores.predictions[row] = result["predictions"][position]
        scores.probabilities[row] = result["probabilities"][position]
        scores.errors[row] = texts[position]


def score_frame(frame: pd.DataFrame) -> Scores:
    """Score a chunk. Rows with text in a number field are scored apart, so that one bad cell
    does not send the whole chunk through per-row validation."""
    inputs = model_frame(frame)
    scores = Scores([None] * len(inputs), [None] * len(inputs), [""] * len(inputs))
    mixed = [
        field
        for field in _NUMBER_FIELDS
        if field in inputs and pd.api.types.is_object_dtype(inputs[field])
    ]
    with_text = np.zeros(len(inputs), dtype=bool)
    for field in mixed:
        with_text |= inputs[field].map(lambda value: isinstance(value, str)).to_numpy(bool)
    clean, text_rows = np.flatnonzero(~with_text), np.flatnonzero(with_text)
    if len(clean):
        _score_rows(inputs.iloc[clean].astype(dict.fromkeys(mixed, float)), clean, scores)
    if len(text_rows):
        _score_rows(inputs.iloc[text_rows], text_rows, scores)
    return scores
