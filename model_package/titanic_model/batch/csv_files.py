"""CSV in, CSV out: every cell is echoed as the text it was, and a malformed line becomes one
output row whose error names its line number, instead of aborting the file."""

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pandas as pd

from titanic_model.batch.scoring import (
    MODEL_FIELDS,
    RESULT_COLUMNS,
    BatchError,
    Scores,
    check_columns,
    score_frame,
)

if TYPE_CHECKING:  # the reader and writer types exist in the stubs only
    from _csv import Reader, Writer

DELIMITERS = (",", ";", "\t", "|")


def detect_delimiter(header_line: str) -> str:
    """The candidate that splits the header into the most columns (a comma on a tie)."""
    widths = {sep: len(next(csv.reader([header_line], delimiter=sep))) for sep in DELIMITERS}
    return max(DELIMITERS, key=lambda sep: widths[sep])


class _Lines:
    """The file's lines as text, counting bytes for the progress bar."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self.bytes_read = 0
        self.line_number = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self._source:
            self.bytes_read += len(raw)
            self.line_number += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BatchError(
                    f"line {self.line_number} is not UTF-8 text ({exc.reason}); save the file "
                    "as UTF-8"
                ) from None
            yield text.removeprefix("\ufeff") if self.line_number == 1 else text


def _records(reader: "Reader", width: int, skipped_lines: int) -> Iterator[tuple[list[str], str]]:
    """(cells, problem) per record; a malformed one gets blank cells and why, naming its line."""
    while True:
        line = skipped_lines + reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield [""] * width, f"line {line}: unreadable CSV ({exc})"
            continue
        if not cells:  # a blank line holds no record
            continue
        if len(cells) != width:
            yield [""] * width, f"line {line}: {len(cells)} fields where the header has {width}"
            continue
        yield cells, ""


def _cell(value: int | float | None) -> str:
    return "" if value is None else repr(value)


def _score_chunk(header: list[str], rows: list[list[str]], problems: list[str]) -> Scores:
    positions = {name: header.index(name) for name in MODEL_FIELDS if name in header}
    frame = pd.DataFrame(
        {name: [cells[index] for cells in rows] for name, index in positions.items()}, dtype=object
    )
    scores = score_frame(frame)
    for row, problem in enumerate(problems):
        if problem:
            scores.predictions[row] = scores.probabilities[row] = None
            scores.errors[row] = problem
    return scores


def predict_csv(
    source: Path, target: Path, sep: str | None, chunk_rows: int, advance: Callable[[int], None]
) -> tuple[int, int]:
    """Score `source` into `target` chunk by chunk: (rows read, rows rejected)."""
    with source.open("rb") as raw, target.open("w", newline="", encoding="utf-8") as sink:
        lines = _Lines(raw)
        line_iterator = iter(lines)
        first = next((line for line in line_iterator if line.strip()), None)
        if first is None:
            raise BatchError(f"{source} is empty: expected a header line naming the columns")
        skipped_lines = lines.line_number - 1  # blank lines above the header
        delimiter = sep or detect_delimiter(first)
        reader = csv.reader(_chain(first, line_iterator), delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except csv.Error as exc:
            raise BatchError(f"the header of {source} is unreadable CSV ({exc})") from None
        check_columns(header)
        writer = csv.writer(sink, delimiter=delimiter, lineterminator="\n")
        writer.writerow([*header, *RESULT_COLUMNS])

        total = rejected = 0
        reported = 0
        rows: list[list[str]] = []
        problems: list[str] = []
        for cells, problem in _records(reader, len(header), skipped_lines):
            rows.append(cells)
            problems.append(problem)
            if len(rows) == chunk_rows:
                rejected += _write_chunk(writer, header, rows, problems)
                total += len(rows)
                rows, problems = [], []
                advance(lines.bytes_read - reported)
                reported = lines.bytes_read
        if rows:
            rejected += _write_chunk(writer, header, rows, problems)
            total += len(rows)
        advance(lines.bytes_read - reported)
    return total, rejected


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _write_chunk(
    writer: "Writer", header: list[str], rows: list[list[str]], problems: list[str]
) -> int:
    scores = _score_chunk(header, rows, problems)
    writer.writerows(
        [*cells, _cell(prediction), _cell(probability), error]
        for cells, prediction, probability, error in zip(
            rows, scores.predictions, scores.probabilities, scores.errors, strict=True
        )
    )
    return scores.rejected
