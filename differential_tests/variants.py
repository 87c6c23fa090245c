"""Candidates made in-process: retrained variants of the working tree's pipeline, and its
scikit-learn path, scored on the fixed input set into the same shape the capture script writes.

The teeth tests use them to show what the gate does with a candidate that lost a preprocessing
step or a feature; the parity test uses the scikit-learn path of the packaged artifact.
"""

import platform
from collections.abc import Callable
from importlib import metadata
from typing import Any

import pandas as pd
from sklearn.pipeline import Pipeline
from titanic_release.capture import LIBRARIES
from titanic_release.inputs import INPUT_FIELDS, InputSet

from titanic_model import PassengerInput
from titanic_model.config import AppConfig, config
from titanic_model.training.data import load_dataset, split_dataset
from titanic_model.training.pipeline import build_pipeline


def with_features(**changes: list[str]) -> AppConfig:
    """The current config with some feature lists replaced, e.g. categorical=["pclass"]."""
    return config.model_copy(update={"features": config.features.model_copy(update=changes)})


def with_model(**changes: float) -> AppConfig:
    """The current config with some model hyper-parameters replaced, e.g. C=0.12."""
    return config.model_copy(update={"model": config.model.model_copy(update=changes)})


def train_variant(
    cfg: AppConfig = config, alter: Callable[[Pipeline], object] | None = None
) -> Pipeline:
    """Fit build_pipeline(cfg), optionally altered before fitting, on the configured split."""
    train_rows, _ = split_dataset(load_dataset(cfg=cfg), cfg)
    pipeline = build_pipeline(cfg)
    if alter is not None:
        alter(pipeline)
    pipeline.fit(train_rows, train_rows[cfg.target])
    return pipeline


def validated_frame(inputs: InputSet) -> pd.DataFrame:
    """The input rows after the shared input schema, as a frame like the training data."""
    rows = [PassengerInput.model_validate(record).model_dump() for record in inputs.records]
    return pd.DataFrame.from_records(rows, columns=list(INPUT_FIELDS))


def pipeline_capture(pipeline: Pipeline, inputs: InputSet, version: str) -> dict[str, Any]:
    """What capture.py would write if `pipeline.predict_proba` were the model."""
    probabilities = pipeline.predict_proba(validated_frame(inputs))[:, 1]
    return {
        "version": version,
        "row_ids": inputs.row_ids,
        "predictions": [int(p > 0.5) for p in probabilities],
        "probabilities": [float(p) for p in probabilities],
        "errors": None,
        "environment": {
            "python": platform.python_version(),
            **{name: metadata.version(name) for name in LIBRARIES},
        },
    }


def segment_shifted(
    capture: dict[str, Any],
    inputs: InputSet,
    in_segment: Callable[[dict[str, Any]], bool],
    shift: float,
    version: str,
) -> dict[str, Any]:
    """A candidate that agrees with `capture` except on one segment of passengers, whose
    probabilities it moves by `shift` (clipped to [0, 1]; labels follow at 0.5)."""
    probabilities = [
        min(1.0, max(0.0, p + shift)) if p is not None and in_segment(record) else p
        for p, record in zip(capture["probabilities"], inputs.records, strict=True)
    ]
    return {
        **capture,
        "version": version,
        "probabilities": probabilities,
        "predictions": [None if p is None else int(p > 0.5) for p in probabilities],
    }
