"""Folds the fitted scikit-learn pipeline into the scorer artifact's content (see scorer.py).

Runs at training time, where scikit-learn is installed; serving only reads the result.
"""

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from titanic_model import contract
from titanic_model.scorer import SCORER_FORMAT_VERSION, CategorySpec, NumericSpec, ScorerSpec


class UnsupportedPipelineError(TypeError):
    """The pipeline is not of the shape this compiler knows how to fold."""


def _python_value(value: Any) -> Any:
    """np.int64(1) -> 1, np.str_('S') -> 'S', so validated records' plain values find them."""
    return value.item() if isinstance(value, np.generic) else value


def _categories(
    feature: str, field: str, rule: str | None, categories: npt.NDArray[Any], block: Any
) -> CategorySpec:
    weights: list[tuple[int | str, float]] = []
    missing = 0.0
    for category, coefficient in zip(categories, block, strict=True):
        if isinstance(category, float) and math.isnan(category):
            missing = float(coefficient)  # the encoder's own category for a missing value
        else:
            weights.append((_python_value(category), float(coefficient)))
    if rule is not None:  # the rules map a missing value to a category of their own
        missing = dict(weights).get(contract.DERIVED[rule].rule(None), 0.0)
    return CategorySpec(feature=feature, field=field, rule=rule, weights=weights, missing=missing)


def compile_scorer(pipeline: Pipeline) -> dict[str, Any]:
    """The scorer artifact's content (JSON-ready) for a fitted pipeline like build_pipeline's."""
    features = pipeline.named_steps.get("features")
    classifier = pipeline.named_steps.get("classifier")
    if not isinstance(features, ColumnTransformer) or not isinstance(
        classifier, LogisticRegression
    ):
        raise UnsupportedPipelineError("expected a ColumnTransformer then a LogisticRegression")
    coef = np.asarray(classifier.coef_[0], dtype=float)
    numeric: list[NumericSpec] = []
    categories: list[CategorySpec] = []
    for name, transformer, columns in features.transformers_:
        if name == "remainder":
            continue
        block = coef[features.output_indices_[name]]
        if name == "numeric":
            imputer: SimpleImputer = transformer.named_steps["impute"]
            scaler: StandardScaler = transformer.named_steps["scale"]
            for i, field in enumerate(columns):
                numeric.append(
                    NumericSpec(
                        feature=field,
                        weight=float(block[i] / scaler.scale_[i]),
                        mean=float(scaler.mean_[i]),
                        imputed=float(imputer.statistics_[i]),
                    )
                )
        elif name == "categorical":
            encoder: OneHotEncoder = transformer
            start = 0
            for field, known in zip(columns, encoder.categories_, strict=True):
                weights = block[start : start + len(known)]
                categories.append(_categories(field, field, None, known, weights))
                start += len(known)
        elif name in contract.DERIVED and columns == [contract.DERIVED[name].source]:
            known = transformer.named_steps["encode"].categories_[0]
            categories.append(_categories(name, columns[0], name, known, block))
        else:
            raise UnsupportedPipelineError(f"unknown feature block {name!r} on {columns}")
    spec = ScorerSpec(
        format_version=SCORER_FORMAT_VERSION,
        intercept=float(classifier.intercept_[0]),
        numeric=numeric,
        categories=categories,
    )
    return spec.model_dump(mode="json")
