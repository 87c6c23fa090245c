"""Parquet in, Parquet out, one row group per chunk: input columns keep their types and values,
and memory stays bounded like the CSV path. Needs pyarrow (extra `[parquet]`)."""

from pathlib import Path
from types import ModuleType
from typing import Any

from titanic_model.batch.progress import Progress
from titanic_model.batch.scoring import (
    MODEL_FIELDS,
    BatchError,
    check_columns,
    score_frame,
)


def _pyarrow() -> tuple[ModuleType, ModuleType]:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise BatchError(
            "Parquet files need pyarrow: pip install 'titanic-survival-model[parquet]'"
        ) from None
    return pyarrow, pyarrow.parquet


def _is_readable(pa: ModuleType, data_type: Any) -> bool:
    """Numbers, text, booleans, nulls (dictionary-encoded or not): what a passenger field holds."""
    if pa.types.is_dictionary(data_type):
        data_type = data_type.value_type
    checks = (
        pa.types.is_integer,
        pa.types.is_floating,
        pa.types.is_decimal,
        pa.types.is_boolean,
        pa.types.is_string,
        pa.types.is_large_string,
        pa.types.is_null,
    )
    return any(check(data_type) for check in checks)


def check_field_types(pa: ModuleType, schema: Any, source: Path) -> None:
    """Fail before reading rows when a model field is a list, struct, binary, date... column."""
    unreadable = [
        f"{name!r} is {schema.field(name).type}"
        for name in MODEL_FIELDS
        if name in schema.names and not _is_readable(pa, schema.field(name).type)
    ]
    if unreadable:
        raise BatchError(
            f"column(s) of {source} the model cannot read: {'; '.join(unreadable)} "
            "(expected numbers or text)"
        )


def predict_parquet(
    source: Path, target: Path, chunk_rows: int, progress: Progress
) -> tuple[int, int]:
    """Score `source` into `target` batch by batch: (rows read, rows rejected)."""
    pa, pq = _pyarrow()
    try:
        parquet = pq.ParquetFile(source)
    except pa.ArrowException as exc:
        raise BatchError(f"{source} is not a readable Parquet file ({exc})") from None
    schema = parquet.schema_arrow
    check_columns(schema.names, source=source)
    check_field_types(pa, schema, source)
    progress.set_total(parquet.metadata.num_rows)
    fields = [name for name in MODEL_FIELDS if name in schema.names]
    out_schema = (
        schema.append(pa.field("prediction", pa.int64()))
        .append(pa.field("probability", pa.float64()))
        .append(pa.field("error", pa.string()))
    )
    total = rejected = 0
    with pq.ParquetWriter(target, out_schema) as writer:
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            scores = score_frame(batch.select(fields).to_pandas())
            results = [
                pa.array(scores.predictions, pa.int64()),
                pa.array(scores.probabilities, pa.float64()),
                pa.array([error or None for error in scores.errors], pa.string()),
            ]
            writer.write_batch(
                pa.RecordBatch.from_arrays([*batch.columns, *results], schema=out_schema)
            )
            total += batch.num_rows
            rejected += scores.rejected
            progress.update(batch.num_rows)
    return total, rejected
