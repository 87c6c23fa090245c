"""`titanic-model predict` never loses or alters data, whatever the input file holds."""

import csv
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from titanic_model import make_prediction
from titanic_model.cli import main
from titanic_model.config import DATASET_DIR

TITANIC_CSV = DATASET_DIR / "titanic3.csv"
HEADER = TITANIC_CSV.read_text(encoding="utf-8").splitlines()[0]


def _predict(*args: str | Path) -> int:
    return main(["predict", "--no-progress", *(str(arg) for arg in args)])


def _cells(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file, delimiter=delimiter))


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def test_output_that_is_the_input_is_refused_before_touching_it(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(TITANIC_CSV.read_bytes()[:5000])
    before = source.read_bytes()
    link = tmp_path / "link.csv"
    link.symlink_to(source)
    for output in (source, link, tmp_path / "." / "in.csv"):
        assert _predict("--input", source, "--output", output) == 1
        assert source.read_bytes() == before
    assert link.is_symlink()


def test_a_refused_output_draws_no_progress_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.csv", "pclass,sex\n1,female\n")
    assert main(["predict", "--input", str(source), "--output", str(source)]) == 1
    error = capsys.readouterr().err
    assert "is the input file" in error
    assert "scoring" not in error


def test_a_failed_run_leaves_no_partial_file_and_the_old_output_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = TITANIC_CSV.read_bytes().splitlines(keepends=True)
    # A byte that is not UTF-8 on line 600: the first chunks are scored and written by then.
    source = tmp_path / "in.csv"
    source.write_bytes(b"".join(lines[:599]) + b"1,1,\xff\n" + b"".join(lines[600:]))
    output = tmp_path / "out.csv"
    output.write_text("precious\n")

    assert _predict("--input", source, "--output", output, "--chunk-rows", "50") == 1
    assert "line 600 is not UTF-8" in capsys.readouterr().err
    assert output.read_text() == "precious\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_cells_are_echoed_as_text_whatever_the_chunk_size(tmp_path: Path) -> None:
    small, large = tmp_path / "7.csv", tmp_path / "50000.csv"
    assert _predict("--input", TITANIC_CSV, "--output", small, "--chunk-rows", "7") == 0
    assert _predict("--input", TITANIC_CSV, "--output", large, "--chunk-rows", "50000") == 0
    assert small.read_bytes() == large.read_bytes()

    given, written = _cells(TITANIC_CSV), _cells(small)
    assert len(written) == len(given) == 1310
    assert [row[:-3] for row in written] == given  # "1" stays "1", "?" stays "?"
    assert written[0][-3:] == ["prediction", "probability", "error"]


def test_scores_equal_make_prediction_on_the_same_rows(tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    assert _predict("--input", TITANIC_CSV, "--output", output, "--chunk-rows", "100") == 0
    expected = make_prediction(input_data=pd.read_csv(TITANIC_CSV, na_values=["?"]))
    rows = _cells(output)[1:]
    assert [float(row[-2]) for row in rows] == expected["probabilities"]
    assert [int(row[-3]) for row in rows] == expected["predictions"]
    assert all(row[-1] == "" for row in rows)


def test_bad_values_are_rejected_row_by_row_and_the_rest_scored(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "in.csv",
        'pclass,sex,age,name\n1,female,29,"A, Mrs. B"\n1,robot,29,x\n3,male,unknown,y\n2,male,,z\n',
    )
    output = tmp_path / "out.csv"
    assert _predict("--input", source, "--output", output) == 0
    rows = _cells(output)[1:]
    assert [row[-1].split(":")[0] for row in rows] == ["", "sex", "age", ""]
    assert [row[-3] == "" for row in rows] == [False, True, True, False]
    frame = pd.DataFrame(
        {"pclass": [1, 2], "sex": ["female", "male"], "age": [29, None], "name": ["A, Mrs. B", "z"]}
    )
    expected = make_prediction(input_data=frame)["probabilities"]
    assert [float(rows[0][-2]), float(rows[3][-2])] == expected


def test_a_header_only_file_gives_a_header_only_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.csv", HEADER + "\n")
    output = tmp_path / "out.csv"
    assert _predict("--input", source, "--output", output) == 0
    assert output.read_text(encoding="utf-8").splitlines() == [
        HEADER.replace('"', "") + ",prediction,probability,error"
    ]
    assert "rows read: 0; scored: 0; rejected: 0" in capsys.readouterr().err


def test_an_empty_file_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.csv", "")
    assert _predict("--input", source, "--output", tmp_path / "out.csv") == 1
    assert "is empty: expected a header line" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_malformed_lines_become_error_rows_naming_their_line(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "in.csv",
        "pclass,sex,age,name\n"
        '1,female,29,"Line, two\nand three"\n'  # one record over lines 2-3
        "1,male,30,x,surplus\n"  # line 4: too many fields
        '2,male,"3"1,y\n'  # line 5: bad quoting
        "3,male\n"  # line 6: too few fields
        "2,female,40,z\n",
    )
    output = tmp_path / "out.csv"
    assert _predict("--input", source, "--output", output) == 0
    rows = _cells(output)[1:]
    assert len(rows) == 5
    assert rows[0][3] == "Line, two\nand three"
    assert rows[0][-1] == rows[4][-1] == ""
    assert rows[1][-1] == "line 4: 5 fields where the header has 4: 1,male,30,x,surplus"
    assert rows[2][-1].startswith("line 5: unreadable CSV (")
    assert rows[2][-1].endswith(': 2,male,"3"1,y')
    assert rows[3][-1] == "line 6: 2 fields where the header has 4: 3,male"
    assert all(row[-3] == row[-2] == "" for row in rows[1:4])


def test_an_unclosed_quote_names_the_line_its_record_starts_on(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "in.csv",
        "pclass,sex,age,name\n"
        "1,female,29,x\n"
        '3,male,22,"Never closed\n'  # line 3: the quote swallows the lines below
        "2,female,40,z\n"
        "1,male,50,w\n",
    )
    output = tmp_path / "out.csv"
    assert _predict("--input", source, "--output", output) == 0
    rows = _cells(output)[1:]
    assert len(rows) == 2
    assert rows[0][-1] == ""
    assert rows[1][-1].startswith("line 3: unreadable CSV (")
    assert rows[1][-1].endswith(': 3,male,22,"Never closed\n2,female,40,z\n1,male,50,w')


def test_the_quoted_text_of_a_long_malformed_record_is_cut(tmp_path: Path) -> None:
    record = f"1,female,{'x' * 5_000},surplus"
    source = _write(tmp_path / "in.csv", f"pclass,sex,name\n{record}\n")
    output = tmp_path / "out.csv"
    assert _predict("--input", source, "--output", output) == 0
    error = _cells(output)[1][-1]
    assert error.startswith("line 2: 4 fields where the header has 3: 1,female,xxx")
    assert error.endswith(f"... ({len(record)} characters)")
    assert len(error) < 300


@pytest.mark.parametrize(("delimiter", "args"), [(";", ()), ("\t", ()), (":", ("--sep", ":"))])
def test_the_delimiter_is_detected_or_given(
    tmp_path: Path, delimiter: str, args: tuple[str, ...]
) -> None:
    frame = pd.read_csv(TITANIC_CSV, dtype=str, keep_default_na=False).head(40)
    source = tmp_path / "in.csv"
    frame.to_csv(source, sep=delimiter, index=False)
    output = tmp_path / "out.csv"
    assert _predict("--input", source, "--output", output, *args) == 0
    rows = _cells(output, delimiter)
    assert rows[0][:3] == ["pclass", "survived", "name"]
    assert all(row[-1] == "" for row in rows[1:])
    expected = make_prediction(input_data=pd.read_csv(TITANIC_CSV, na_values=["?"]).head(40))
    assert [float(row[-2]) for row in rows[1:]] == expected["probabilities"]


def test_missing_required_columns_name_the_columns_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.csv", "pclass,gender,age\n1,female,29\n")
    assert _predict("--input", source, "--output", tmp_path / "out.csv") == 1
    error = capsys.readouterr().err
    assert "required column(s) sex not found" in error
    assert "'pclass', 'gender', 'age'" in error


def test_a_header_line_over_the_csv_field_limit_is_a_one_line_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_name = "x" * (129 * 1024)  # over Python's csv field limit of 128 KiB
    source = _write(tmp_path / "in.csv", f"\n{long_name},pclass,sex\n1,1,female\n")
    assert _predict("--input", source, "--output", tmp_path / "out.csv") == 1
    error = capsys.readouterr().err
    assert "line 2 of" in error
    assert "its header, is unreadable CSV (field larger than field limit" in error
    assert not (tmp_path / "out.csv").exists()


def test_a_header_line_over_the_field_limit_gives_no_traceback_from_the_command(
    tmp_path: Path,
) -> None:
    source = _write(tmp_path / "in.csv", "y" * (129 * 1024) + ",sex\n1,female\n")
    command = [sys.executable, "-m", "titanic_model.cli", "predict", "--no-progress"]
    result = subprocess.run(
        [*command, "--input", str(source), "--output", str(tmp_path / "out.csv")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "line 1 of" in result.stderr


def test_a_csv_with_one_column_suggests_the_delimiter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.csv", "pclass;sex\n1;female\n")
    assert _predict("--input", source, "--output", tmp_path / "out.csv", "--sep", ",") == 1
    assert "(wrong delimiter? pass --sep)" in capsys.readouterr().err


def test_parquet_missing_columns_are_named_without_a_delimiter_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"age": [29.0], "fare": [10.0]}), source)
    assert _predict("--input", source, "--output", tmp_path / "out.parquet") == 1
    error = capsys.readouterr().err
    assert "required column(s) pclass, sex not found" in error
    assert "'age', 'fare'" in error
    assert "delimiter" not in error
    assert "--sep" not in error


@pytest.mark.parametrize(
    ("column", "array", "type_name"),
    [
        ("age", pa.array([[29.0], [30.0]], pa.list_(pa.float64())), "list<element: double>"),
        ("sex", pa.array([b"female", b"male"], pa.binary()), "binary"),
        ("fare", pa.array([{"x": 1.0}, {"x": 2.0}]), "struct<x: double>"),
    ],
)
def test_parquet_columns_of_unreadable_types_are_named_with_their_type(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    column: str,
    array: pa.Array,
    type_name: str,
) -> None:
    columns = {"pclass": pa.array([1, 3]), "sex": pa.array(["female", "male"]), column: array}
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table(columns), source)
    assert _predict("--input", source, "--output", tmp_path / "out.parquet") == 1
    error = capsys.readouterr().err
    assert f"{column!r} is {type_name}" in error
    assert "(expected numbers or text)" in error
    assert not (tmp_path / "out.parquet").exists()


def test_an_empty_or_blank_csv_draws_no_progress_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for text in ("", "\n\n"):
        source = _write(tmp_path / "in.csv", text)
        assert main(["predict", "--input", str(source), "--output", str(tmp_path / "o.csv")]) == 1
        error = capsys.readouterr().err
        assert "is empty: expected a header line" in error
        assert "scoring" not in error


def test_result_columns_already_in_the_input_are_refused(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", "pclass,sex,prediction\n1,female,1\n")
    assert _predict("--input", source, "--output", tmp_path / "out.csv") == 1
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("header", "row", "twice"),
    [
        ("pclass,pclass,sex", "1,2,male", "pclass"),
        ("pclass,sex,age,sex", "1,male,30,female", "sex"),
    ],
)
def test_a_field_the_model_reads_named_twice_is_refused_naming_it(
    tmp_path: Path, header: str, row: str, twice: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two columns of one field: which of them the score would use is anybody's guess."""
    source = _write(tmp_path / "in.csv", f"{header}\n{row}\n")
    assert _predict("--input", source, "--output", tmp_path / "out.csv") == 1
    assert f"column {twice} appears 2 times in {source}" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_summary_and_progress_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out.csv"
    assert main(["predict", "--input", str(TITANIC_CSV), "--output", str(output)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "100%" in captured.err
    assert (
        f"rows read: 1,309; scored: 1,309; rejected: 0 (reason in the error column); "
        f"output: {output}" in captured.err
    )


def _titanic_parquet(path: Path, rows: int | None = None) -> pa.Table:
    frame = pd.read_csv(TITANIC_CSV, na_values=["?"])
    table = pa.Table.from_pandas(frame if rows is None else frame.head(rows), preserve_index=False)
    pq.write_table(table, path)
    return table


def test_parquet_keeps_columns_and_types_and_streams_by_row_groups(tmp_path: Path) -> None:
    source, output = tmp_path / "in.parquet", tmp_path / "out.parquet"
    table = _titanic_parquet(source)
    assert _predict("--input", source, "--output", output, "--chunk-rows", "500") == 0

    written = pq.ParquetFile(output)
    assert written.metadata.num_row_groups == 3  # 1,309 rows in chunks of 500
    result = written.read()
    assert result.select(table.column_names).equals(table)
    assert result.schema.field("prediction").type == pa.int64()
    expected = make_prediction(input_data=table.to_pandas())
    assert result.column("probability").to_pylist() == expected["probabilities"]
    assert result.column("prediction").to_pylist() == expected["predictions"]
    assert result.column("error").null_count == len(table)


def test_parquet_bad_rows_header_only_and_empty_file(tmp_path: Path) -> None:
    source, output = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"pclass": [1, 7], "sex": ["female", "male"]}), source)
    assert _predict("--input", source, "--output", output) == 0
    assert pq.read_table(output).column("error").to_pylist()[0] is None
    assert pq.read_table(output).column("error").to_pylist()[1].startswith("pclass:")

    _titanic_parquet(source, rows=0)
    assert _predict("--input", source, "--output", output) == 0
    assert pq.read_table(output).num_rows == 0
    assert pq.read_table(output).column_names[-3:] == ["prediction", "probability", "error"]

    source.write_bytes(b"")
    assert _predict("--input", source, "--output", tmp_path / "new.parquet") == 1
    assert not (tmp_path / "new.parquet").exists()


def test_input_and_output_formats_must_match(tmp_path: Path) -> None:
    assert _predict("--input", TITANIC_CSV, "--output", tmp_path / "out.parquet") == 1
    assert list(tmp_path.iterdir()) == []


def test_exit_codes_are_documented_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    help_text = capsys.readouterr().out
    assert "0 output written" in " ".join(help_text.split())


def test_a_pipe_as_output_gets_the_scores_and_stays_a_pipe(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(TITANIC_CSV.read_bytes()[:20_000])
    assert _predict("--input", source, "--output", tmp_path / "file.csv") == 0
    fifo = tmp_path / "scores.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert _predict("--input", source, "--output", fifo) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # not replaced by a regular file
    assert received == [(tmp_path / "file.csv").read_bytes()]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["file.csv", "in.csv", "scores.fifo"]


def test_a_full_device_as_output_is_a_one_line_error_and_stays_a_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(TITANIC_CSV.read_bytes()[:20_000])
    full = tmp_path / "full"  # a /dev/full of our own (root makes device nodes, as make test runs)
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    assert _predict("--input", source, "--output", full) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert stat.S_ISCHR(full.lstat().st_mode)


def test_a_directory_as_output_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.csv", "pclass,sex\n1,female\n")
    assert _predict("--input", source, "--output", tmp_path) == 1
    assert f"the output {tmp_path} is a directory" in capsys.readouterr().err
