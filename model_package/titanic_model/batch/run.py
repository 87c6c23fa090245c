"""`titanic-model predict` on one file: pick the format, score into a temporary file beside the
output, show progress, and return the counts for the summary."""

from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from titanic_model.batch.csv_files import predict_csv
from titanic_model.batch.output import atomic_output
from titanic_model.batch.parquet_files import predict_parquet
from titanic_model.batch.progress import Progress
from titanic_model.batch.scoring import BatchError


@dataclass(frozen=True)
class Summary:
    rows: int
    rejected: int
    output: Path | str

    def __str__(self) -> str:
        scored = self.rows - self.rejected
        return (
            f"rows read: {self.rows:,}; scored: {scored:,}; rejected: {self.rejected:,} "
            f"(reason in the error column); output: {self.output}"
        )


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def predict_file(
    source: Path, target: Path, *, sep: str | None, chunk_rows: int, progress: bool = True
) -> Summary:
    """Score `source` into `target`; on any failure `target` is left as it was."""
    if chunk_rows < 1:
        raise BatchError("--chunk-rows must be at least 1")
    if is_parquet(source) != is_parquet(target):
        raise BatchError("the input and the output must be both Parquet or both CSV")
    if not source.is_file():
        raise BatchError(f"the input {source} is not a file")
    parquet = is_parquet(source)
    # Bytes read for CSV; rows for Parquet (its total is set once the file is opened).
    bar = Progress(
        total=None if parquet else source.stat().st_size,
        unit=" rows" if parquet else "B",
        unit_scale=not parquet,
        enabled=progress,
    )
    with atomic_output(source, target) as temporary, closing(bar):
        if parquet:
            rows, rejected = predict_parquet(source, temporary, chunk_rows, bar)
        else:
            rows, rejected = predict_csv(source, temporary, sep, chunk_rows, bar.update)
    return Summary(rows, rejected, target)
