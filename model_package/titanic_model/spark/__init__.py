"""Scoring with Apache Spark (extra `titanic-survival-model[spark]`): `add_predictions(frame)`
scores a Spark DataFrame partition by partition through `make_prediction`."""

from titanic_model.spark.scoring import add_predictions

__all__ = ["add_predictions"]
