"""CSV in, CSV out: every cell is echoed as the text it was, and a malformed line becomes one
output row whose error names its line number, instead of aborting the file."""

import csv
import gc
import io
import itertools
import operator
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

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


def _first_line_not_utf8(source: Path) -> int:
    """Where decoding failed: found again line by line, only once a run has failed."""
    with source.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


EXCERPT_CHARS = 200  # of a malformed record, quoted in its error


def _remembered(lines: Iterator[str], memory: list[str]) -> Iterator[str]:
    """`lines`, each also appended to `memory`: the raw text of the record being read."""
    for line in lines:
        memory.append(line)
        yield line


class _Chunks:
    """The records of a CSV reader in chunks: (cells per row, {row: why it is malformed}).

    A malformed record keeps its place with blank cells, so no line disappears from the output,
    and its error quotes the record's raw text (the start of it, when it is long).
    """

    def __init__(self, reader: "Reader", memory: list[str], width: int, skipped_lines: int) -> None:
        self._reader = reader
        self._memory = memory  # the raw lines of the record being read (see _remembered)
        self._width = width
        self._skipped_lines = skipped_lines  # blank lines above the header

    def _problem(self, why: str) -> str:
        """`why`, prefixed with the line the record started on and followed by its raw text."""
        first = self._skipped_lines + self._reader.line_num - len(self._memory) + 1
        raw = "".join(self._memory).rstrip("\r\n")
        if len(raw) > EXCERPT_CHARS:
            raw = f"{raw[:EXCERPT_CHARS]}... ({len(raw)} characters)"
        return f"line {first}: {why}: {raw}"

    def __call__(self, size: int) -> Iterator[tuple[list[list[str]], dict[int, str]]]:
        rows: list[list[str]] = []
        problems: dict[int, str] = {}
        width = self._width
        memory = self._memory
        records = iter(self._reader)
        while True:
            try:
                for cells in records:
                    if len(cells) != width:
                        if not cells:  # a blank line holds no record
                            memory.clear()
                            continue
                        problems[len(rows)] = self._problem(
                            f"{len(cells)} fields where the header has {width}"
                        )
                        cells = [""] * width
                    memory.clear()
                    rows.append(cells)
                    if len(rows) == size:
                        yield rows, problems
                        rows, problems = [], {}
                break
            except csv.Error as exc:  # the reader goes on with the next line
                problems[len(rows)] = self._problem(f"unreadable CSV ({exc})")
                memory.clear()
                rows.append([""] * width)
                if len(rows) == size:
                    yield rows, problems
                    rows, problems = [], {}
        if rows:
            yield rows, problems


def _score_chunk(header: list[str], rows: list[list[str]], problems: dict[int, str]) -> Scores:
    fields = [name for name in MODEL_FIELDS if name in header]
    pick = operator.itemgetter(*(header.index(name) for name in fields))  # two or more fields
    cells = zip(*map(pick, rows), strict=True)
    frame = pd.DataFrame(dict(zip(fields, cells, strict=True)), dtype=object)  # text, unconverted
    scores = score_frame(frame)
    for row, problem in problems.items():
        scores.predictions[row] = scores.probabilities[row] = None
        scores.errors[row] = problem
    return scores


def _write_chunk(
    writer: "Writer", header: list[str], rows: list[list[str]], problems: dict[int, str]
) -> int:
    scores = _score_chunk(header, rows, problems)
    predictions = ["" if value is None else str(value) for value in scores.predictions]
    probabilities = ["" if value is None else repr(value) for value in scores.probabilities]
    for cells, results in zip(
        rows, zip(predictions, probabilities, scores.errors, strict=True), strict=True
    ):
        cells += results
    writer.writerows(rows)
    return scores.rejected


def predict_csv(
    source: Path, target: Path, sep: str | None, chunk_rows: int, advance: Callable[[int], None]
) -> tuple[int, int]:
    """Score `source` into `target` chunk by chunk: (rows read, rows rejected).

    Python's cyclic garbage collector is paused meanwhile: the millions of short-lived cell lists
    make no cycles, and its repeated scans of them took longer than the parsing
    (docs/performance.md#measured-choices-in-the-code).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _predict_csv(source, target, sep, chunk_rows, advance)
    except UnicodeDecodeError as exc:
        line = _first_line_not_utf8(source)
        raise BatchError(
            f"line {line} is not UTF-8 text ({exc.reason}); save the file as UTF-8"
        ) from None
    finally:
        if collecting:
            gc.enable()


def _predict_csv(
    source: Path, target: Path, sep: str | None, chunk_rows: int, advance: Callable[[int], None]
) -> tuple[int, int]:
    with (
        source.open("rb") as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
        target.open("w", newline="", encoding="utf-8") as sink,
    ):
        skipped_lines = 0
        first = text.readline()
        while first and not first.strip():
            skipped_lines += 1
            first = text.readline()
        if not first:
            raise BatchError(f"{source} is empty: expected a header line naming the columns")
        memory: list[str] = []
        try:  # a header cell over csv's field limit (128 KiB) fails here, as any unreadable one
            delimiter = sep or detect_delimiter(first)
            lines = _remembered(itertools.chain([first], text), memory)
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            header = next(reader)
        except csv.Error as exc:
            raise BatchError(
                f"line {skipped_lines + 1} of {source}, its header, is unreadable CSV ({exc})"
            ) from None
        memory.clear()
        check_columns(header, source=source, csv_file=True)
        writer = csv.writer(sink, delimiter=delimiter, lineterminator="\n")
        writer.writerow([*header, *RESULT_COLUMNS])

        total = rejected = reported = 0
        chunks = _Chunks(reader, memory, len(header), skipped_lines)
        for rows, problems in chunks(chunk_rows):
            rejected += _write_chunk(writer, header, rows, problems)
            total += len(rows)
            advance(raw.tell() - reported)
            reported = raw.tell()
        advance(source.stat().st_size - reported)
    return total, rejected
