"""Turning untrusted records into validated rows plus per-row errors, never raising.

Records go through `PassengerInput` one by one; pydantic has the last word. DataFrames have a
column-wise fast path in frame_validation.py (pandas is imported only there).
"""

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from titanic_model.processing.schemas import PassengerInput, RowError, describe_validation_error


def validate_record(row: int, record: object) -> tuple[dict[str, Any] | None, list[RowError]]:
    """One record -> (validated values, []) or (None, its errors)."""
    try:
        passenger = PassengerInput.model_validate(record)
    except ValidationError as exc:
        return None, describe_validation_error(row, exc.errors(include_url=False))
    return passenger.__dict__, []


def validate_records(
    records: Iterable[object],
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Records -> ([(row, values) for valid rows], errors of the invalid ones)."""
    valid: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    for row, record in enumerate(records):
        values, row_errors = validate_record(row, record)
        if values is None:
            errors.extend(row_errors)
        else:
            valid.append((row, values))
    return valid, errors
