"""titanic_model.spark on a real local[2] session: results are the pandas engine's, row for row."""

import csv
from pathlib import Path

import pandas as pd
import pytest
from pyspark.sql import SparkSession, functions

from titanic_model import make_prediction
from titanic_model.batch.scoring import Scores, score_frame
from titanic_model.cli import main
from titanic_model.config import DATASET_DIR
from titanic_model.spark import add_predictions

TITANIC_CSV = DATASET_DIR / "titanic3.csv"
# Columns as in titanic3: pclass, survived, name, sex, age, sibsp, parch, ticket, fare, cabin,
# embarked, boat, body, home.dest.
HOSTILE_LINES = [
    '1,1,"Robot, Mr. X",robot,30,0,0,x,5,,S,,,',
    '7,0,"Bad, Mr. Class",male,30,0,0,x,5,,S,,,',
    ',0,"No, Mr. Class",male,30,0,0,x,5,,S,,,',
    '3,0,"Neg, Mr. Age",male,-5,0,0,x,5,,S,,,',
    '3,0,"Text, Mr. Age",male,unknown,0,0,x,5,,S,,,',
    '1,1,"Inf, Mr. Fare",male,30,0,0,x,inf,,S,,,',
    '2,0,"Many, Mr. Sibs",male,30,25,0,x,5,,S,,,',
    '2,1,"Upper, Mrs. Case",FEMALE,40,1,0,x,,,c,,,',
    "3,0,,male,?,?,?,?,?,?,?,?,?,?",
]


@pytest.fixture(scope="module")
def hostile_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """titanic3 plus hostile rows, each line prefixed with its id."""
    lines = [*TITANIC_CSV.read_text(encoding="utf-8").splitlines(), *HOSTILE_LINES]
    path = tmp_path_factory.mktemp("spark") / "passengers.csv"
    path.write_text(
        "\n".join([f"id,{lines[0]}", *(f"{i},{line}" for i, line in enumerate(lines[1:]))]) + "\n",
        encoding="utf-8",
    )
    return path


def _pandas_engine(path: Path) -> Scores:
    """The reference: what the pandas engine (titanic-model predict) makes of the CSV, every cell
    read as text as Spark reads it, numbers parsed and missing markers dropped the package's way,
    then make_prediction."""
    return score_frame(pd.read_csv(path, dtype=str, keep_default_na=False))


def test_every_row_equals_the_pandas_engine_in_order(
    spark: SparkSession, hostile_csv: Path
) -> None:
    frame = spark.read.csv(str(hostile_csv), header=True)  # every column as text
    assert frame.rdd.getNumPartitions() > 1
    rows = add_predictions(frame).collect()

    expected = _pandas_engine(hostile_csv)
    count = len(expected.predictions)
    assert count == 1309 + len(HOSTILE_LINES)
    assert [int(row["id"]) for row in rows] == list(range(count))  # nothing dropped or moved
    assert [row["prediction"] for row in rows] == expected.predictions
    assert [row["probability"] for row in rows] == expected.probabilities
    assert [row["error"] for row in rows] == [error or None for error in expected.errors]
    rejected = [int(row["id"]) for row in rows if row["error"]]
    assert rejected == list(range(1309, 1309 + 7))  # the upper-case and all-missing rows pass
    assert rows[1309]["error"].startswith("sex:")


def test_input_columns_pass_through_unchanged(spark: SparkSession) -> None:
    source = pd.read_csv(TITANIC_CSV, na_values=["?"]).head(200)
    frame = spark.createDataFrame(source)
    scored = add_predictions(frame)
    assert scored.columns == [*frame.columns, "prediction", "probability", "error"]
    assert scored.select(*(f"`{name}`" for name in frame.columns)).collect() == frame.collect()


def test_cli_engine_spark_scores_files_and_directories(
    spark: SparkSession, hostile_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parquet_dir = tmp_path / "passengers"  # a directory of Parquet parts, as Spark writes it
    spark.read.csv(str(hostile_csv), header=True).write.parquet(str(parquet_dir))
    output = tmp_path / "scored.parquet"
    assert (
        main(["predict", "--engine", "spark", "--input", str(parquet_dir), "--output", str(output)])
        == 0
    )
    assert "rows read: 1,318; scored: 1,311; rejected: 7" in capsys.readouterr().err
    scored = spark.read.parquet(str(output)).orderBy(functions.col("id").cast("int")).toPandas()
    probabilities = scored["probability"].astype(object).where(scored["probability"].notna(), None)
    assert probabilities.tolist() == _pandas_engine(hostile_csv).probabilities

    # CSV in and out; a malformed line keeps its row, its raw text in the error.
    malformed = tmp_path / "malformed.csv"
    malformed.write_text("pclass,sex,age\n1,female,29\n2,male,30,surplus\n3,male,40\n")
    csv_output = tmp_path / "scored.csv"
    assert (
        main(
            ["predict", "--engine", "spark", "--input", str(malformed), "--output", str(csv_output)]
        )
        == 0
    )
    written = spark.read.csv(str(csv_output), header=True).toPandas()
    assert written["pclass"].tolist() == ["1", "2", "3"]
    assert (
        written["error"].tolist()[1]
        == "malformed CSV line (field count or quoting): 2,male,30,surplus"
    )
    assert written["prediction"].isna().tolist() == [False, True, False]

    # An existing output or the input itself is refused before Spark writes anything.
    assert (
        main(
            ["predict", "--engine", "spark", "--input", str(malformed), "--output", str(csv_output)]
        )
        == 1
    )
    assert (
        main(
            ["predict", "--engine", "spark", "--input", str(malformed), "--output", str(malformed)]
        )
        == 1
    )
    assert malformed.read_text().startswith("pclass,sex,age\n1,female,29\n")


def test_cli_engine_spark_keeps_quoted_text_and_detects_the_delimiter(
    spark: SparkSession, tmp_path: Path
) -> None:
    """Doubled quotes and a field over two lines, `;`-separated with no --sep: the cells come
    back as they went in, in the same CSV dialect the local engine reads and writes."""
    source = tmp_path / "quoted.csv"
    source.write_text(
        "pclass;sex;age;name\n"
        '1;female;29;"Doe; Mrs. ""Jane"""\n'
        '3;male;40;"Two\nlines, Mr. X"\n'
        "2;female;;Plain, Miss. Y\n"
    )
    output = tmp_path / "scored.csv"

    assert (
        main(["predict", "--engine", "spark", "--input", str(source), "--output", str(output)]) == 0
    )

    rows = []
    for part in sorted(output.glob("part-*.csv")):
        with part.open(newline="", encoding="utf-8") as lines:
            rows += list(csv.reader(lines, delimiter=";", strict=True))[1:]
    assert [row[3] for row in rows] == ['Doe; Mrs. "Jane"', "Two\nlines, Mr. X", "Plain, Miss. Y"]
    expected = make_prediction(input_data=pd.read_csv(source, sep=";"))
    assert [float(row[5]) for row in rows] == expected["probabilities"]
    assert [row[6] for row in rows] == ["", "", ""]


def test_cli_engine_spark_reports_a_missing_input_in_one_line(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing, output = tmp_path / "nowhere.parquet", tmp_path / "out.parquet"
    assert (
        main(["predict", "--engine", "spark", "--input", str(missing), "--output", str(output)])
        == 1
    )
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("titanic-model: error: Spark: ")
    assert "nowhere.parquet" in error
    assert not output.exists()
