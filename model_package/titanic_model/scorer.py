"""The serving model: the fitted pipeline folded into one linear function of the raw fields.

training/compile_scorer.py folds the pipeline's fitted state (imputation values, scaling, one-hot
categories, coefficients) into the scorer artifact, titanic_model_v{version}.scorer.json. This
module reads it back, checked against the metadata's sha256, and scores with it in plain Python:

    log-odds = intercept + sum(weight * (value - mean), the imputed value's when missing)
                         + sum(table lookup per category; unseen 0, missing its own weight)

Pure Python and pydantic only, so that serving starts without scikit-learn, SciPy, joblib or pandas.
Because the model is linear, each term is that feature's exact contribution to the log-odds:
`explain_record` returns them. frame_scoring.py does the same with NumPy for DataFrames.
"""

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from titanic_model import contract
from titanic_model.config import TRAINED_MODEL_DIR
from titanic_model.processing.artifact_files import load_metadata, scorer_path, verified_bytes
from titanic_model.processing.errors import ArtifactError
from titanic_model.processing.schemas import Explanation
from titanic_model.rules import UNKNOWN

SCORER_FORMAT_VERSION = 1


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class NumericSpec(_Spec):
    feature: str
    weight: float  # per raw unit: the coefficient divided by the scale
    mean: float  # the training mean: a passenger at the mean gets 0 from this feature
    imputed: float  # the value used when the field is missing (training median)


class CategorySpec(_Spec):
    feature: str  # pclass, sex, embarked; or an engineered feature: title, deck
    field: str  # the raw input field it is read from
    rule: str | None  # a contract.DERIVED name: its rule is applied to the raw value; or None
    weights: list[tuple[int | str, float]]  # category -> weight; unseen categories weigh 0
    missing: float  # the weight of a missing value


class ScorerSpec(_Spec):
    """The content of the scorer artifact."""

    format_version: int = Field(ge=1)
    intercept: float
    numeric: list[NumericSpec]
    categories: list[CategorySpec]


@dataclass(frozen=True)
class NumericTerm:
    feature: str
    weight: float
    mean: float
    when_missing: float  # weight * imputed value


@dataclass(frozen=True)
class LookupTerm:
    feature: str
    field: str
    rule: Callable[[object], str] | None
    derived: str | None  # the contract.DERIVED name of `rule`
    table: Mapping[object, float]
    when_missing: float


def _rule(spec: CategorySpec) -> Callable[[object], str] | None:
    if spec.rule is None:
        return None
    derived = contract.DERIVED.get(spec.rule)
    if derived is None or derived.source != spec.field:
        raise ArtifactError(f"the scorer names an unknown rule {spec.rule!r} for {spec.field!r}")
    return derived.rule


def is_unknown(term: LookupTerm, raw: object) -> bool:
    """Whether the row gives no value for the term's feature: no field, or a rule found none."""
    return raw is None or (term.rule is not None and term.rule(raw) == UNKNOWN)


def outcome(logit: float) -> tuple[int, float]:
    """(label, probability of survival) for a row's log-odds."""
    # Two branches keep exp() from overflowing for extreme logits.
    if logit >= 0:
        return int(logit > 0), 1.0 / (1.0 + math.exp(-logit))
    odds = math.exp(logit)
    return 0, odds / (1.0 + odds)


class LinearScorer:
    """Scores validated records (missing values as None) with the folded linear model."""

    def __init__(self, spec: ScorerSpec) -> None:
        self.intercept = spec.intercept
        self.numeric = [
            NumericTerm(term.feature, term.weight, term.mean, term.weight * term.imputed)
            for term in spec.numeric
        ]
        self.lookups = [
            LookupTerm(
                term.feature, term.field, _rule(term), term.rule, dict(term.weights), term.missing
            )
            for term in spec.categories
        ]
        # Centring folded into the intercept once, so the hot path is one multiply-add per field.
        folded = self.intercept
        for numeric in self.numeric:
            folded -= numeric.weight * numeric.mean
        self.folded_intercept = folded

    def lookup(
        self, term: LookupTerm, raw: object, derived: Mapping[str, str] | None = None
    ) -> float:
        """The term's weight for a raw value; `derived`: the row's contract.derive, when taken."""
        if raw is None:
            return term.when_missing
        if term.rule is None:
            return term.table.get(raw, 0.0)
        if derived is not None and term.derived is not None:
            return term.table.get(derived[term.derived], 0.0)
        return term.table.get(term.rule(raw), 0.0)

    def logit_record(self, record: Mapping[str, Any], derived: Mapping[str, str]) -> float:
        """The log-odds of one validated record, given its derived categories."""
        logit = self.folded_intercept
        for term in self.numeric:
            value = record[term.feature]
            logit += term.when_missing if value is None else term.weight * value
        for lookup in self.lookups:
            logit += self.lookup(lookup, record[lookup.field], derived)
        return logit

    def score_record(self, record: Mapping[str, Any]) -> tuple[int, float]:
        """(label, probability of survival) for one validated record."""
        return outcome(self.logit_record(record, contract.derive(record)))

    def explain_record(self, record: Mapping[str, Any], logit: float) -> Explanation:
        """Each feature's exact contribution to `logit`, the record's log-odds."""
        contributions: dict[str, float] = {}
        unknown: list[str] = []
        for term in self.numeric:
            value = record[term.feature]
            folded = term.when_missing if value is None else term.weight * value
            contributions[term.feature] = folded - term.weight * term.mean
            if value is None:
                unknown.append(term.feature)
        for lookup in self.lookups:
            raw = record[lookup.field]
            contributions[lookup.feature] = self.lookup(lookup, raw)
            if is_unknown(lookup, raw):
                unknown.append(lookup.feature)
        return {
            "intercept": self.intercept,
            "contributions": contributions,
            "log_odds": logit,
            "unknown": unknown,
        }


def load_scorer(version: str, directory: Path = TRAINED_MODEL_DIR) -> LinearScorer:
    """The version's scorer artifact, after checking its sha256 and format version."""
    metadata = load_metadata(version, directory)
    path = scorer_path(version, directory)
    content = verified_bytes(path, metadata.scorer_sha256)
    try:
        raw = json.loads(content)
        found = raw.get("format_version") if isinstance(raw, dict) else None
        if found != SCORER_FORMAT_VERSION:
            raise ArtifactError(
                f"{path} has scorer format version {found}, this package reads "
                f"{SCORER_FORMAT_VERSION}; retrain with `titanic-model train`"
            )
        return LinearScorer(ScorerSpec.model_validate(raw))
    except (ValueError, ValidationError) as exc:
        raise ArtifactError(f"{path} is not a valid scorer artifact: {exc}") from None
