"""A fast scorer compiled from the fitted scikit-learn pipeline at load time.

The pipeline stays the artifact and the source of truth. Scoring it row by row through pandas and
scikit-learn costs milliseconds of overhead for microseconds of arithmetic, so at load time its
fitted state (imputation values, scaling, one-hot categories, coefficients) is folded into one
linear function of the raw fields:

    logit = intercept + sum(weight * value, or the imputed contribution when missing)
                      + sum(table lookup per categorical value; unseen categories add 0)

`score_record` evaluates it in plain Python for one passenger; `score_columns` with NumPy for many.
Both are checked against `pipeline.predict_proba` in the tests.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from titanic_model.pipeline import ENGINEERED_SOURCES

FloatArray = npt.NDArray[np.float64]


class UnsupportedPipelineError(TypeError):
    """The pipeline is not of the shape this scorer knows how to fold."""


@dataclass(frozen=True)
class NumericTerm:
    field: str
    weight: float  # per raw unit, scaling folded in
    when_missing: float  # contribution of the imputed value


@dataclass(frozen=True)
class LookupTerm:
    field: str  # the raw input field
    extract: Callable[[object], object] | None  # e.g. name -> title; None for raw categories
    table: Mapping[object, float]  # category -> contribution; unseen categories add 0
    when_missing: float


def _python_value(value: Any) -> object:
    """np.int64(1) -> 1, np.str_('S') -> 'S', so records' plain values find them."""
    return value.item() if isinstance(value, np.generic) else value


def _lookup_term(
    field: str,
    categories: npt.NDArray[Any],
    coefficients: FloatArray,
    extract: Callable[[object], str] | None,
) -> LookupTerm:
    table: dict[object, float] = {}
    when_missing = 0.0
    for category, coefficient in zip(categories, coefficients, strict=True):
        if isinstance(category, float) and math.isnan(category):
            when_missing = float(coefficient)
        else:
            table[_python_value(category)] = float(coefficient)
    if extract is not None:  # extractors map a missing value to a category of their own
        when_missing = table.get(extract(None), 0.0)
    return LookupTerm(field, extract, table, when_missing)


def _fold(pipeline: Pipeline) -> tuple[float, list[NumericTerm], list[LookupTerm]]:
    features = pipeline.named_steps.get("features")
    classifier = pipeline.named_steps.get("classifier")
    if not isinstance(features, ColumnTransformer) or not isinstance(
        classifier, LogisticRegression
    ):
        raise UnsupportedPipelineError("expected a ColumnTransformer then a LogisticRegression")
    coef = np.asarray(classifier.coef_[0], dtype=float)
    intercept = float(classifier.intercept_[0])
    numeric: list[NumericTerm] = []
    lookups: list[LookupTerm] = []
    for name, transformer, columns in features.transformers_:
        if name == "remainder":
            continue
        block = coef[features.output_indices_[name]]
        if name == "numeric":
            imputer: SimpleImputer = transformer.named_steps["impute"]
            scaler: StandardScaler = transformer.named_steps["scale"]
            for i, field in enumerate(columns):
                weight = block[i] / scaler.scale_[i]
                intercept -= weight * scaler.mean_[i]
                numeric.append(NumericTerm(field, weight, weight * imputer.statistics_[i]))
        elif name == "categorical":
            encoder: OneHotEncoder = transformer
            start = 0
            for field, categories in zip(columns, encoder.categories_, strict=True):
                weights = block[start : start + len(categories)]
                lookups.append(_lookup_term(field, categories, weights, None))
                start += len(categories)
        elif name in ENGINEERED_SOURCES:
            # The fitted extractor's own rule: the artifact decides how raw text becomes a category.
            extract = transformer.named_steps["extract"].extract_one
            categories = transformer.named_steps["encode"].categories_[0]
            lookups.append(_lookup_term(columns[0], categories, block, extract))
        else:
            raise UnsupportedPipelineError(f"unknown feature block {name!r}")
    return intercept, numeric, lookups


def _sigmoid(logit: float) -> float:
    # Two branches keep exp() from overflowing for extreme logits.
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    odds = math.exp(logit)
    return odds / (1.0 + odds)


class LinearScorer:
    """The fitted pipeline as one linear function of the raw fields."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.intercept, self.numeric, self.lookups = _fold(pipeline)

    def logit_record(self, record: Mapping[str, Any]) -> float:
        """Logit for one validated record (missing values as None)."""
        logit = self.intercept
        for term in self.numeric:
            value = record[term.field]
            logit += term.when_missing if value is None else term.weight * value
        for lookup in self.lookups:
            raw = record[lookup.field]
            if raw is None:
                logit += lookup.when_missing
            else:
                key = raw if lookup.extract is None else lookup.extract(raw)
                logit += lookup.table.get(key, 0.0)
        return logit

    def score_record(self, record: Mapping[str, Any]) -> tuple[int, float]:
        """(label, probability of survival) for one validated record."""
        logit = self.logit_record(record)
        return int(logit > 0), _sigmoid(logit)

    def logit_columns(self, columns: Mapping[str, npt.NDArray[Any]], rows: int) -> FloatArray:
        """Logits for validated rows given column-wise (missing as NaN/None), vectorised."""
        logits = np.full(rows, self.intercept)
        for term in self.numeric:
            values = np.asarray(columns[term.field], dtype=float)
            logits += np.where(np.isnan(values), term.when_missing, term.weight * values)
        for lookup in self.lookups:
            # Each distinct value is looked up once; code -1 (missing) picks the last slot.
            codes, uniques = pd.factorize(columns[lookup.field], use_na_sentinel=True)
            keys = [lookup.extract(v) for v in uniques] if lookup.extract else list(uniques)
            weights = np.array([lookup.table.get(key, 0.0) for key in keys] + [lookup.when_missing])
            logits += weights[codes]
        return logits

    def score_columns(
        self, columns: Mapping[str, npt.NDArray[Any]], rows: int
    ) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """(labels, probabilities of survival) for validated rows given column-wise."""
        logits = self.logit_columns(columns, rows)
        with np.errstate(over="ignore"):
            probabilities = 1.0 / (1.0 + np.exp(-logits))
        return (logits > 0).astype(np.int64), probabilities
