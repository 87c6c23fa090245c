"""The drift and quality thresholds, from thresholds.toml next to this module (or a file given
on the command line)."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("thresholds.toml")
# Distances only: higher is more drift, and "drifted" means score >= threshold for all of them.
DISTANCE_METHODS = frozenset({"wasserstein", "jensenshannon", "psi", "hellinger"})


@dataclass(frozen=True)
class DriftTest:
    method: str
    threshold: float


@dataclass(frozen=True)
class QualityThresholds:
    """How far below the model card's held-out figures live quality may fall (quality.py)."""

    tolerance: dict[str, float]  # per metric: accuracy, roc_auc, brier, log_loss
    min_labelled_rows: int
    bootstrap_resamples: int


@dataclass(frozen=True)
class Thresholds:
    numerical: DriftTest
    categorical: DriftTest
    max_drifted_feature_share: float
    prediction_drift_fails: bool
    max_rejected_row_share: float
    quality: QualityThresholds


def _test(section: dict[str, object], name: str) -> DriftTest:
    method, threshold = section["method"], section["threshold"]
    if method not in DISTANCE_METHODS:
        raise ValueError(f"[{name}] method must be one of {sorted(DISTANCE_METHODS)}: {method!r}")
    if not isinstance(threshold, int | float) or threshold <= 0:
        raise ValueError(f"[{name}] threshold must be a positive number: {threshold!r}")
    return DriftTest(str(method), float(threshold))


QUALITY_METRICS = ("accuracy", "roc_auc", "brier", "log_loss")


def _quality(section: dict[str, object]) -> QualityThresholds:
    tolerance = section["tolerance"]
    if not isinstance(tolerance, dict) or set(tolerance) != set(QUALITY_METRICS):
        raise ValueError(f"[quality.tolerance] must give exactly {', '.join(QUALITY_METRICS)}")
    if any(not isinstance(value, int | float) or value < 0 for value in tolerance.values()):
        raise ValueError(f"[quality.tolerance] must be numbers >= 0: {tolerance!r}")
    resamples = section["bootstrap_resamples"]
    if not isinstance(resamples, int) or resamples < 100:
        raise ValueError(f"[quality] bootstrap_resamples must be an integer >= 100: {resamples!r}")
    minimum = section["min_labelled_rows"]
    if not isinstance(minimum, int) or minimum < 2:
        raise ValueError(f"[quality] min_labelled_rows must be an integer >= 2: {minimum!r}")
    return QualityThresholds(
        tolerance={name: float(value) for name, value in tolerance.items()},
        min_labelled_rows=minimum,
        bootstrap_resamples=resamples,
    )


def load_thresholds(path: Path = DEFAULT_FILE) -> Thresholds:
    loaded = tomllib.loads(path.read_text(encoding="utf-8"))
    verdict = loaded["verdict"]
    return Thresholds(
        numerical=_test(loaded["numerical"], "numerical"),
        categorical=_test(loaded["categorical"], "categorical"),
        max_drifted_feature_share=float(verdict["max_drifted_feature_share"]),
        prediction_drift_fails=bool(verdict["prediction_drift_fails"]),
        max_rejected_row_share=float(verdict["max_rejected_row_share"]),
        quality=_quality(loaded["quality"]),
    )
