"""The drift thresholds, from thresholds.toml next to this module (or a file given on the CLI)."""

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
class Thresholds:
    numerical: DriftTest
    categorical: DriftTest
    max_drifted_feature_share: float
    prediction_drift_fails: bool
    max_rejected_row_share: float


def _test(section: dict[str, object], name: str) -> DriftTest:
    method, threshold = section["method"], section["threshold"]
    if method not in DISTANCE_METHODS:
        raise ValueError(f"[{name}] method must be one of {sorted(DISTANCE_METHODS)}: {method!r}")
    if not isinstance(threshold, int | float) or threshold <= 0:
        raise ValueError(f"[{name}] threshold must be a positive number: {threshold!r}")
    return DriftTest(str(method), float(threshold))


def load_thresholds(path: Path = DEFAULT_FILE) -> Thresholds:
    loaded = tomllib.loads(path.read_text(encoding="utf-8"))
    verdict = loaded["verdict"]
    return Thresholds(
        numerical=_test(loaded["numerical"], "numerical"),
        categorical=_test(loaded["categorical"], "categorical"),
        max_drifted_feature_share=float(verdict["max_drifted_feature_share"]),
        prediction_drift_fails=bool(verdict["prediction_drift_fails"]),
        max_rejected_row_share=float(verdict["max_rejected_row_share"]),
    )
