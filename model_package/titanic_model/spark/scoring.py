"""A Spark DataFrame -> the same rows, in the same order, with prediction, probability and error.

Each partition goes through `mapInPandas` to the package's own batch scoring, so validation,
error messages and probabilities are exactly those of `make_prediction` on the same rows.
"""

from collections.abc import Iterator
from functools import partial

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

from titanic_model.batch.scoring import check_columns, score_frame

RESULT_FIELDS = (
    StructField("prediction", LongType()),
    StructField("probability", DoubleType()),
    StructField("error", StringType()),
)


def _score_batches(names: list[str], batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Runs on the executors: one Arrow batch of a partition at a time."""
    for batch in batches:
        scores = score_frame(batch.set_axis(names, axis="columns"))
        yield batch.assign(
            prediction=pd.array(scores.predictions, dtype="Int64"),
            probability=pd.array(scores.probabilities, dtype="Float64"),
            error=pd.Series([error or None for error in scores.errors], dtype=object).to_numpy(),
        )


def add_predictions(frame: DataFrame) -> DataFrame:
    """`frame` with prediction (null if rejected), probability and error (null if scored).

    Columns travel under positional names: mapInPandas cannot resolve names with dots in them
    (titanic3's `home.dest`).
    """
    names = frame.columns
    check_columns(names)
    positional = [f"_c{index}" for index in range(len(names))]
    schema = StructType(
        [
            *(
                StructField(name, field.dataType, field.nullable)
                for name, field in zip(positional, frame.schema.fields, strict=True)
            ),
            *RESULT_FIELDS,
        ]
    )
    scored = frame.toDF(*positional).mapInPandas(partial(_score_batches, names), schema)
    return scored.toDF(*names, *(field.name for field in RESULT_FIELDS))
