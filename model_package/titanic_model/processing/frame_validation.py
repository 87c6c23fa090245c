"""DataFrames into validated rows column-wise plus per-row errors, never raising.

Rows whose values are already canonical (right type, in range, known category) are accepted in
bulk, and only the remaining rows go through `PassengerInput` (validation.py), which normalises
what it can ("Male" -> "male") and words the error for what it cannot.
"""

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from titanic_model import contract
from titanic_model.processing.schemas import RowError
from titanic_model.processing.validation import validate_record

Columns = dict[str, npt.NDArray[Any]]


def _is_number_column(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _numbers(column: pd.Series) -> npt.NDArray[np.float64]:
    return column.to_numpy(dtype=float, na_value=np.nan)


def _is_text(column: pd.Series) -> npt.NDArray[np.bool_]:
    if pd.api.types.is_string_dtype(column) and not pd.api.types.is_object_dtype(column):
        return np.ones(len(column), dtype=bool)  # a pandas string column holds only text or NA
    return np.fromiter((isinstance(v, str) for v in column.to_numpy()), bool, len(column))


def _within(
    values: npt.NDArray[np.float64], low: float, high: float | None
) -> npt.NDArray[np.bool_]:
    ok = np.isfinite(values) & (values >= low)
    return ok if high is None else ok & (values <= high)


def _canonical_values(declared: contract.Field, column: pd.Series) -> npt.NDArray[np.bool_]:
    """Per row: whether PassengerInput would accept this field's value unchanged."""
    missing = column.isna().to_numpy()
    match declared:
        case contract.Number(minimum=low, maximum=high):
            if not _is_number_column(column):
                return missing  # numbers stored as text, etc.
            return missing | _within(_numbers(column), low, high)
        case contract.Count(minimum=low, maximum=high):
            if not _is_number_column(column):
                return missing
            values = _numbers(column)
            whole: npt.NDArray[np.bool_] = values == np.round(values)
            return missing | (_within(values, low, high) & whole)
        case contract.Category(values=allowed, required=required):
            if isinstance(allowed[0], int):
                if not _is_number_column(column):
                    return np.zeros(len(column), dtype=bool) if required else missing
                known = np.isin(_numbers(column), allowed)
            else:
                known = column.isin(allowed).to_numpy()
            return known if required else (missing | known)
        case contract.Text():
            return missing | _is_text(column)


def _canonical_rows(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Rows every field of which PassengerInput would accept unchanged."""
    ok = np.ones(len(frame), dtype=bool)
    for declared in contract.FIELDS:
        if declared.name in frame:
            ok &= _canonical_values(declared, frame[declared.name])
        elif declared.name in contract.REQUIRED_FIELDS:
            return np.zeros(len(frame), dtype=bool)
    return ok


def _columns_from_canonical(frame: pd.DataFrame, rows: npt.NDArray[np.intp]) -> Columns:
    """The canonical rows' values, column-wise: numbers as float (NaN if missing), text or None."""
    columns: Columns = {}
    for field in contract.FIELD_NAMES:
        if field not in frame:
            if field in contract.NUMERIC_FIELDS:  # an absent count is none, as a missing one
                count = isinstance(contract.field(field), contract.Count)
                columns[field] = np.full(len(rows), 0.0 if count else np.nan, dtype=float)
            else:
                columns[field] = np.full(len(rows), None, dtype=object)
            continue
        column = frame[field]
        subset = column if len(rows) == len(frame) else column.iloc[rows]
        if field in contract.NUMERIC_FIELDS:
            values = _numbers(subset)
            count = isinstance(contract.field(field), contract.Count)  # a missing count is 0
            columns[field] = np.where(np.isnan(values), 0.0, values) if count else values
        else:
            # A copy with None for every missing value (the stubs do not allow na_value=None).
            columns[field] = subset.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    return columns


def validate_frame(frame: pd.DataFrame) -> tuple[npt.NDArray[np.intp], Columns, list[RowError]]:
    """DataFrame -> (positions of valid rows, their values column-wise, errors of the rest)."""
    canonical = _canonical_rows(frame)
    fast_rows = np.flatnonzero(canonical)
    slow_rows = np.flatnonzero(~canonical)
    if len(slow_rows) == 0:
        return fast_rows, _columns_from_canonical(frame, fast_rows), []

    records = frame.iloc[slow_rows].to_dict(orient="records")
    rescued: list[tuple[int, Mapping[str, Any]]] = []
    errors: list[RowError] = []
    for row, record in zip(slow_rows.tolist(), records, strict=True):
        values, row_errors = validate_record(row, record)
        if values is None:
            errors.extend(row_errors)
        else:
            rescued.append((row, values))

    positions = np.concatenate([fast_rows, np.array([r for r, _ in rescued], dtype=np.intp)])
    order = np.argsort(positions, kind="stable")
    fast = _columns_from_canonical(frame, fast_rows)
    columns: Columns = {}
    for field, fast_values in fast.items():
        extra = [record[field] for _, record in rescued]
        if field in contract.NUMERIC_FIELDS:
            extra_array = np.array([np.nan if v is None else v for v in extra], dtype=float)
        else:
            extra_array = np.array(extra, dtype=object)
        columns[field] = np.concatenate([fast_values, extra_array])[order]
    return positions[order], columns, errors
