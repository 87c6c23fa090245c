"""The scorer of scorer.py applied column-wise with NumPy, for DataFrames (imported only then)."""

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from titanic_model.processing.schemas import Explanation
from titanic_model.scorer import LinearScorer, LookupTerm, NumericTerm, is_unknown

FloatArray = npt.NDArray[np.float64]
Columns = Mapping[str, npt.NDArray[Any]]


def _numeric(term: NumericTerm, column: npt.NDArray[Any]) -> FloatArray:
    """The term's folded contribution per row (centring left in the intercept)."""
    values = np.asarray(column, dtype=float)
    return np.where(np.isnan(values), term.when_missing, term.weight * values)


def _lookup(scorer: LinearScorer, term: LookupTerm, column: npt.NDArray[Any]) -> FloatArray:
    # Each distinct value is looked up once; code -1 (missing) picks the last slot.
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    weights = [scorer.lookup(term, value) for value in uniques.tolist()]
    return np.array([*weights, term.when_missing])[codes]


def logit_columns(scorer: LinearScorer, columns: Columns, rows: int) -> FloatArray:
    """Log-odds for validated rows given column-wise (missing as NaN/None)."""
    logits = np.full(rows, scorer.folded_intercept)
    for term in scorer.numeric:
        logits += _numeric(term, columns[term.feature])
    for lookup in scorer.lookups:
        logits += _lookup(scorer, lookup, columns[lookup.field])
    return logits


def score_columns(
    scorer: LinearScorer, columns: Columns, rows: int
) -> tuple[npt.NDArray[np.int64], FloatArray, FloatArray]:
    """(labels, probabilities of survival, log-odds) for validated rows given column-wise."""
    logits = logit_columns(scorer, columns, rows)
    with np.errstate(over="ignore"):
        probabilities = 1.0 / (1.0 + np.exp(-logits))
    return (logits > 0).astype(np.int64), probabilities, logits


def _unknown_rows(term: LookupTerm, column: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Per row, whether it gives no value for the term's feature (see scorer.is_unknown)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    flags = [is_unknown(term, value) for value in uniques.tolist()]
    return np.array([*flags, True], dtype=bool)[codes]


def explain_columns(
    scorer: LinearScorer, columns: Columns, logits: FloatArray
) -> list[Explanation]:
    """One explanation per row, as scorer.explain_record gives for one record."""
    by_feature: dict[str, list[float]] = {}
    unknown_by_feature: dict[str, list[bool]] = {}
    for term in scorer.numeric:
        centred = _numeric(term, columns[term.feature]) - term.weight * term.mean
        by_feature[term.feature] = centred.tolist()
        unknown_by_feature[term.feature] = np.isnan(
            np.asarray(columns[term.feature], dtype=float)
        ).tolist()
    for lookup in scorer.lookups:
        by_feature[lookup.feature] = _lookup(scorer, lookup, columns[lookup.field]).tolist()
        unknown_by_feature[lookup.feature] = _unknown_rows(lookup, columns[lookup.field]).tolist()
    return [
        {
            "intercept": scorer.intercept,
            "contributions": {feature: values[i] for feature, values in by_feature.items()},
            "log_odds": logit,
            "unknown": [feature for feature, flags in unknown_by_feature.items() if flags[i]],
        }
        for i, logit in enumerate(logits.tolist())
    ]
