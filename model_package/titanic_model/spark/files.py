"""`titanic-model predict --engine spark`: Parquet or CSV files or directories in, the same rows
with their scores out, written by Spark as a directory (a new path: Spark refuses to overwrite).

Run it under `spark-submit` to choose the cluster; on its own it starts a local Spark.
"""

import os
import sys
from pathlib import Path, PurePosixPath

from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession, functions

from titanic_model.batch.csv_files import detect_delimiter
from titanic_model.batch.output import refuse_overwriting_input
from titanic_model.batch.run import Summary
from titanic_model.batch.scoring import BatchError
from titanic_model.spark.scoring import add_predictions

_CORRUPT = "_corrupt_record"


def _is_local(path: str) -> bool:
    return "://" not in path and not path.startswith("file:")


def _is_parquet(path: str) -> bool:
    """By extension; a local directory without one holds Parquet if any of its files does."""
    suffix = PurePosixPath(path.rstrip("/")).suffix.lower()
    if suffix in (".parquet", ".pq", ".csv"):
        return suffix != ".csv"
    local = Path(path)
    return _is_local(path) and local.is_dir() and any(local.glob("*.parquet"))


def _detected_delimiter(spark: SparkSession, path: str) -> str:
    """The local engine's rule, on the first line Spark reads (a header: every part has one)."""
    first = spark.read.text(path).first()
    return detect_delimiter(first[0] if first is not None else "")


def _read_csv(spark: SparkSession, path: str, sep: str) -> DataFrame:
    """Every column as text; a malformed line keeps its row, with an error naming the problem.

    CSV as the local engine reads and writes it (RFC 4180): a quote inside a quoted field is
    doubled (Spark's default escape is a backslash) and a quoted field may span lines. multiLine
    makes each CSV file one read task: on a cluster, prefer Parquet or many files.
    """
    options = {"sep": sep, "header": True, "escape": '"', "multiLine": True}
    header = spark.read.options(**options).csv(path).columns
    schema = ", ".join(f"`{name}` STRING" for name in [*header, _CORRUPT])
    return spark.read.options(**options).csv(
        path, schema=schema, columnNameOfCorruptRecord=_CORRUPT
    )


def predict_with_spark(source: str, target: str, *, sep: str | None) -> Summary:
    """Score `source` into the new directory `target` (Parquet unless it ends in .csv).

    Local paths or URIs (hdfs://, s3a://, abfss://, dbfs:/ ...): Spark refuses an existing output.
    """
    if _is_local(source) and _is_local(target):
        refuse_overwriting_input(Path(source), Path(target))
        if Path(target).exists():
            raise BatchError(f"the output {target} exists; Spark writes a new directory")
    # Executors run this interpreter (where the package is installed) unless told otherwise.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = SparkSession.builder.appName("titanic-model predict").getOrCreate()
    try:
        return _score_to(spark, source, target, sep)
    except PySparkException as exc:  # a missing input, an existing output ...: one line
        raise BatchError(f"Spark: {str(exc).splitlines()[0]}") from None


def _score_to(spark: SparkSession, source: str, target: str, sep: str | None) -> Summary:
    if _is_parquet(source):
        passengers = spark.read.parquet(source)
        sep = sep or ","  # for a CSV output
    else:
        sep = sep or _detected_delimiter(spark, source)
        passengers = _read_csv(spark, source, sep)
    scored = add_predictions(passengers)
    if _CORRUPT in scored.columns:
        scored = _reject_malformed(scored)
    if PurePosixPath(target.rstrip("/")).suffix.lower() == ".csv":
        # Spark trims cells when writing CSV unless told not to: text goes out as it came in.
        scored.write.csv(
            target,
            sep=sep,
            header=True,
            escape='"',
            ignoreLeadingWhiteSpace=False,
            ignoreTrailingWhiteSpace=False,
        )
        written = _read_csv(spark, target, sep).drop(_CORRUPT)
    else:
        scored.write.parquet(target)
        written = spark.read.parquet(target)
    counts = written.agg(functions.count(functions.lit(1)), functions.count("error")).first()
    return Summary(rows=counts[0], rejected=counts[1], output=target)


def _reject_malformed(scored: DataFrame) -> DataFrame:
    """Rows Spark could not parse: no score, and the raw line in the error."""
    malformed = functions.col(_CORRUPT).isNotNull()
    message = functions.concat(
        functions.lit("malformed CSV line (field count or quoting): "), functions.col(_CORRUPT)
    )
    return (
        scored.withColumn(
            "prediction", functions.when(malformed, None).otherwise(functions.col("prediction"))
        )
        .withColumn(
            "probability", functions.when(malformed, None).otherwise(functions.col("probability"))
        )
        .withColumn("error", functions.when(malformed, message).otherwise(functions.col("error")))
        .drop(_CORRUPT)
    )
