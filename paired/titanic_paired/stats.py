"""Paired comparisons of two models on the same labelled rows, in numpy alone.

Accuracy: the exact McNemar test (a two-sided binomial test on the discordant pairs) and a paired
bootstrap interval. Brier score, log loss and ROC AUC: paired bootstrap intervals of the
difference, the same resampled rows for both models. Every difference is candidate - live,
signed so that positive means the candidate is worse ("worse by").
"""

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
EPS = 1e-15


def accuracy(p: Floats, y: Floats) -> float:
    return float(np.mean((p >= 0.5) == (y == 1)))


def brier(p: Floats, y: Floats) -> float:
    return float(np.mean((p - y) ** 2))


def log_loss(p: Floats, y: Floats) -> float:
    q = np.clip(p, EPS, 1 - EPS)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def roc_auc(p: Floats, y: Floats) -> float:
    """Mann-Whitney U / (n_pos n_neg), ties counted half; nan with one class only."""
    positives, negatives = int(np.sum(y == 1)), int(np.sum(y == 0))
    if positives == 0 or negatives == 0:
        return math.nan
    _, group, counts = np.unique(p, return_inverse=True, return_counts=True)
    before = np.cumsum(counts) - counts  # rows ranked below each distinct value
    ranks = (before + (counts + 1) / 2)[group]  # ties share their average rank
    rank_sum = float(np.sum(ranks[y == 1]))
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


METRIC_FUNCTIONS = {"accuracy": accuracy, "roc_auc": roc_auc, "brier": brier, "log_loss": log_loss}
HIGHER_IS_BETTER = {"accuracy": True, "roc_auc": True, "brier": False, "log_loss": False}


def worse_by(metric: str, live: float, candidate: float) -> float:
    """How much worse the candidate is (negative: better)."""
    return live - candidate if HIGHER_IS_BETTER[metric] else candidate - live


def mcnemar_exact(
    live_right: npt.NDArray[np.bool_], candidate_right: npt.NDArray[np.bool_]
) -> dict[str, float]:
    """Exact two-sided McNemar: b = live right only, c = candidate right only."""
    b = int(np.sum(live_right & ~candidate_right))
    c = int(np.sum(~live_right & candidate_right))
    n = b + c
    if n == 0:
        return {"live_only_right": b, "candidate_only_right": c, "p_value": 1.0}
    tail = sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2**n
    return {"live_only_right": b, "candidate_only_right": c, "p_value": min(1.0, 2 * tail)}


@dataclass(frozen=True)
class PairedDifference:
    metric: str
    live: float
    candidate: float
    worse_by: float
    low: float  # the interval of worse_by
    high: float


def paired_bootstrap(
    live: Floats, candidate: Floats, y: Floats, resamples: int, confidence: float, seed: int
) -> list[PairedDifference]:
    """Each metric's worse_by with its percentile interval over the same resampled rows."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(y), size=(resamples, len(y)))
    tail = (1 - confidence) / 2 * 100
    differences = []
    for metric, function in METRIC_FUNCTIONS.items():
        point = worse_by(metric, function(live, y), function(candidate, y))
        samples = np.array(
            [worse_by(metric, function(live[i], y[i]), function(candidate[i], y[i])) for i in draws]
        )
        samples = samples[~np.isnan(samples)]
        low, high = (
            (float(np.percentile(samples, tail)), float(np.percentile(samples, 100 - tail)))
            if len(samples)
            else (math.nan, math.nan)
        )
        differences.append(
            PairedDifference(metric, function(live, y), function(candidate, y), point, low, high)
        )
    return differences
