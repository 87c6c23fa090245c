"""Live model quality: what the outcomes say, and what the model's own probabilities predict.

Measured, on the scored rows that have an outcome: accuracy, ROC AUC, Brier score and log loss,
each with a bootstrap 95 % interval, and a calibration table by probability decile. Estimated,
on every scored row: accuracy and Brier score as confidence-based performance estimation (CBPE,
as NannyML does it) gives them. If the probabilities are calibrated, a row predicted with
probability p survives with probability p, so it is predicted right with probability
max(p, 1 - p) and its expected squared error is p (1 - p); the window's expected accuracy and
Brier are the means of those, and their 95 % band is the sampling noise the same assumption
implies (the outcomes are independent Bernoulli draws).

A metric is degraded when its whole interval is worse than its held-out figure by more than the
metric's tolerance (thresholds.yml, `quality`). For a measured metric that is the model card's
figure; for an estimate, the same estimate on the held-out rows: both carry the model's own
calibration error (on the held-out split its probabilities promise 0.78 accuracy where it scored
0.83), so only a change since then moves one away from the other.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from titanic_monitoring.thresholds import QualityThresholds

Array = npt.NDArray[np.float64]
METRICS = ("accuracy", "roc_auc", "brier", "log_loss")
ESTIMATED_METRICS = ("accuracy", "brier")
HIGHER_IS_BETTER = {"accuracy": True, "roc_auc": True, "brier": False, "log_loss": False}
DECISION_THRESHOLD = 0.5  # the model predicts 1 when its probability is above this
LOG_LOSS_CLIP = 1e-15  # as scikit-learn's log_loss: a certain wrong answer costs ~34.5, not inf
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class _Rows:
    """Per-pair terms of every metric, computed once; a metric is then a weighted mean of them."""

    correct: Array
    squared_error: Array
    log_loss: Array
    survived: Array
    group: npt.NDArray[np.intp]  # index of the row's probability among the sorted distinct ones

    @classmethod
    def of(cls, probability: Array, survived: Array) -> "_Rows":
        clipped = np.clip(probability, LOG_LOSS_CLIP, 1 - LOG_LOSS_CLIP)
        _, group = np.unique(probability, return_inverse=True)
        return cls(
            correct=((probability > DECISION_THRESHOLD) == (survived == 1)).astype(float),
            squared_error=(probability - survived) ** 2,
            log_loss=-(survived * np.log(clipped) + (1 - survived) * np.log(1 - clipped)),
            survived=survived,
            group=group,
        )

    def metrics(self, weight: Array) -> dict[str, float]:
        """Each metric with pair i counted weight[i] times."""
        total = weight.sum()
        return {
            "accuracy": float(weight @ self.correct / total),
            "roc_auc": self._roc_auc(weight),
            "brier": float(weight @ self.squared_error / total),
            "log_loss": float(weight @ self.log_loss / total),
        }

    def _roc_auc(self, weight: Array) -> float:
        """P(a survivor's probability > a non-survivor's), ties counting one half, without a sort:
        the rows are grouped by distinct probability in ascending order."""
        positives = np.bincount(self.group, weights=weight * self.survived)
        negatives = np.bincount(self.group, weights=weight * (1 - self.survived))
        pairs = positives.sum() * negatives.sum()
        if pairs == 0:
            return float("nan")
        negatives_below = np.cumsum(negatives) - negatives
        return float(positives @ (negatives_below + negatives / 2) / pairs)


def measured(
    probability: Array, survived: Array, resamples: int, seed: int = 0
) -> dict[str, dict[str, float]]:
    """Each metric on the labelled rows with its bootstrap 95 % percentile interval; a metric the
    rows cannot define (ROC AUC when every outcome is the same) is left out.

    The metrics depend on a row only through its (probability, outcome) pair, so each resample
    of the rows is counted per distinct pair and the metrics are computed on the pairs: the
    model's probabilities repeat a lot (most inputs are categories), so that is far less work
    than the rows, and never more."""
    size = len(probability)
    pairs, pair_of_row, counts = np.unique(
        np.column_stack([probability, survived]), axis=0, return_inverse=True, return_counts=True
    )
    pair_of_row = pair_of_row.ravel()
    cells = _Rows.of(pairs[:, 0], pairs[:, 1])
    point = cells.metrics(counts.astype(float))
    rng = np.random.default_rng(seed)
    draws = {name: np.empty(resamples) for name in METRICS}
    for draw in range(resamples):
        resample = pair_of_row[rng.integers(0, size, size)]
        weight = np.bincount(resample, minlength=len(pairs)).astype(float)
        for name, value in cells.metrics(weight).items():
            draws[name][draw] = value
    return {
        name: {
            "value": point[name],
            "low": float(np.nanpercentile(draws[name], 2.5)),
            "high": float(np.nanpercentile(draws[name], 97.5)),
        }
        for name in METRICS
        if not np.isnan(point[name])
    }


def estimated(probability: Array) -> dict[str, dict[str, float]]:
    """CBPE: expected accuracy and Brier score if the probabilities are calibrated, each with the
    95 % band of what calibrated outcomes would give (normal approximation of their sum)."""
    size = len(probability)
    confidence = np.maximum(probability, 1 - probability)
    expected_error = probability * (1 - probability)
    # A row's squared error is (1-p)^2 with probability p and p^2 otherwise.
    error_variance = (
        probability * (1 - probability) ** 4 + (1 - probability) * probability**4
    ) - expected_error**2
    figures = {
        "accuracy": (confidence.mean(), np.sqrt((confidence * (1 - confidence)).sum()) / size),
        "brier": (expected_error.mean(), np.sqrt(error_variance.sum()) / size),
    }
    return {
        name: {
            "value": float(value),
            "low": float(value - Z_95 * spread),
            "high": float(value + Z_95 * spread),
        }
        for name, (value, spread) in figures.items()
    }


def calibration_table(probability: Array, survived: Array) -> list[dict[str, Any]]:
    """Rows per tenth of the probability scale (0-0.1, ..., 0.9-1): mean predicted probability
    beside the share that survived. Calibrated: the two agree in every bin."""
    bins = np.minimum((probability * 10).astype(int), 9)
    table = []
    for decile in range(10):
        in_bin = bins == decile
        count = int(in_bin.sum())
        table.append(
            {
                "bin": f"{decile / 10:.1f}-{(decile + 1) / 10:.1f}",
                "rows": count,
                "mean_probability": float(probability[in_bin].mean()) if count else None,
                "survived_share": float(survived[in_bin].mean()) if count else None,
            }
        )
    return table


def degraded(
    figures: dict[str, dict[str, float]], held_out: dict[str, float], tolerance: dict[str, float]
) -> dict[str, dict[str, Any]]:
    """Each figure with its bound (held-out figure worsened by the tolerance) and whether its
    whole interval lies beyond that bound."""
    judged = {}
    for name, figure in figures.items():
        if HIGHER_IS_BETTER[name]:
            bound = held_out[name] - tolerance[name]
            worse = figure["high"] < bound
        else:
            bound = held_out[name] + tolerance[name]
            worse = figure["low"] > bound
        judged[name] = {**figure, "held_out": held_out[name], "bound": bound, "degraded": worse}
    return judged


def quality_summary(
    labelled_probability: Array,
    survived: Array,
    labelled_rows: int,
    all_probabilities: Array,
    held_out: dict[str, float],
    held_out_probabilities: Array,
    thresholds: QualityThresholds,
) -> dict[str, Any]:
    """The quality section of summary.json (its `degraded_metrics` decide the verdict):
    `held_out` is the model card's metrics, `held_out_probabilities` the model's answers on the
    held-out rows (what the estimate is held to)."""
    scored = len(all_probabilities)
    held_out_estimate = {
        name: figure["value"] for name, figure in estimated(held_out_probabilities).items()
    }
    tolerance = thresholds.tolerance.model_dump()
    estimate = degraded(estimated(all_probabilities), held_out_estimate, tolerance)
    summary: dict[str, Any] = {
        "labelled_rows": labelled_rows,
        "labelled_share": labelled_rows / scored if scored else 0.0,
        "labelled_rows_used": len(labelled_probability),
        "measured": None,
        "calibration": None,
        "estimated": estimate,
    }
    if len(labelled_probability) >= thresholds.min_labelled_rows:
        measured_figures = measured(labelled_probability, survived, thresholds.bootstrap_resamples)
        summary["measured"] = degraded(measured_figures, held_out, tolerance)
        summary["calibration"] = calibration_table(labelled_probability, survived)
    judged = {
        **{f"estimated {name}": figure for name, figure in estimate.items()},
        **(summary["measured"] or {}),
    }
    summary["degraded_metrics"] = [name for name, figure in judged.items() if figure["degraded"]]
    summary["verdict"] = (
        "degraded"
        if summary["degraded_metrics"]
        else ("ok" if summary["measured"] else "estimate only")
    )
    return summary
