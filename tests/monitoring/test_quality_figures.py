"""The quality figures on their own: the measured metrics agree with scikit-learn's, the bootstrap
intervals behave, and the confidence-based estimate holds up against simulated outcomes drawn
from the probabilities (and misses when the probabilities are not calibrated)."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, brier_score_loss, log_loss, roc_auc_score

from titanic_monitoring.quality import calibration_table, degraded, estimated, measured

RNG_SEED = 20


def _calibrated(rows: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities like a classifier's (many near 0 or 1, some ties), outcomes drawn from them."""
    probability = np.round(rng.beta(0.8, 1.2, rows), 3)
    return probability, (rng.random(rows) < probability).astype(float)


def test_measured_metrics_are_scikit_learns() -> None:
    probability, survived = _calibrated(3_000, np.random.default_rng(RNG_SEED))
    figures = measured(probability, survived, resamples=200)
    assert figures["accuracy"]["value"] == pytest.approx(
        accuracy_score(survived, probability > 0.5)
    )
    assert figures["roc_auc"]["value"] == pytest.approx(roc_auc_score(survived, probability))
    assert figures["brier"]["value"] == pytest.approx(brier_score_loss(survived, probability))
    assert figures["log_loss"]["value"] == pytest.approx(log_loss(survived, probability))


def test_bootstrap_intervals_hold_the_value_and_narrow_with_rows() -> None:
    rng = np.random.default_rng(RNG_SEED)
    few = measured(*_calibrated(500, rng), resamples=400)
    many = measured(*_calibrated(8_000, rng), resamples=400)
    for name, figure in many.items():
        assert figure["low"] < figure["value"] < figure["high"], name
        width_few = few[name]["high"] - few[name]["low"]
        width_many = figure["high"] - figure["low"]
        # 16x the rows: a quarter of the width (sqrt(n)), give or take the bootstrap's noise
        assert 0.15 < width_many / width_few < 0.4, (name, width_few, width_many)


def _coverage(draw_outcomes: str, windows: int = 300, rows: int = 1_000) -> dict[str, float]:
    """Share of simulated windows whose realised accuracy and Brier fall inside the estimate's
    95 % band, and the mean estimation error."""
    rng = np.random.default_rng(RNG_SEED)
    inside = {"accuracy": 0, "brier": 0}
    errors = {"accuracy": 0.0, "brier": 0.0}
    for _ in range(windows):
        probability = rng.beta(0.8, 1.2, rows)
        truth = probability if draw_outcomes == "calibrated" else probability**2
        survived = (rng.random(rows) < truth).astype(float)
        realised = {
            "accuracy": accuracy_score(survived, probability > 0.5),
            "brier": brier_score_loss(survived, probability),
        }
        for name, figure in estimated(probability).items():
            inside[name] += figure["low"] <= realised[name] <= figure["high"]
            errors[name] += (figure["value"] - realised[name]) / windows
    return {
        **{f"{name} coverage": count / windows for name, count in inside.items()},
        **{f"{name} bias": error for name, error in errors.items()},
    }


def test_the_estimate_matches_outcomes_drawn_from_the_probabilities() -> None:
    result = _coverage("calibrated")
    print(result)
    assert 0.91 <= result["accuracy coverage"] <= 0.99
    assert 0.91 <= result["brier coverage"] <= 0.99
    assert abs(result["accuracy bias"]) < 0.003
    assert abs(result["brier bias"]) < 0.003


def test_the_estimate_misses_when_probabilities_are_not_calibrated() -> None:
    """Its assumption is what it rests on: outcomes drawn from p^2 are not what p promises."""
    result = _coverage("overconfident")
    print(result)
    assert result["accuracy coverage"] < 0.5
    assert result["brier coverage"] < 0.5


def test_calibration_table_bins_by_tenths() -> None:
    probability = np.array([0.05, 0.07, 0.55, 0.95, 1.0])
    survived = np.array([0.0, 1.0, 1.0, 1.0, 1.0])
    table = calibration_table(probability, survived)
    assert [row["bin"] for row in table][:2] == ["0.0-0.1", "0.1-0.2"]
    assert table[0] == {
        "bin": "0.0-0.1",
        "rows": 2,
        "mean_probability": pytest.approx(0.06),
        "survived_share": 0.5,
    }
    assert table[5]["rows"] == 1
    assert table[9]["rows"] == 2  # 1.0 counts in the last bin
    assert table[1] == {
        "bin": "0.1-0.2",
        "rows": 0,
        "mean_probability": None,
        "survived_share": None,
    }


def test_degraded_only_when_the_whole_interval_is_beyond_the_bound() -> None:
    held_out = {"accuracy": 0.80, "brier": 0.14}
    tolerance = {"accuracy": 0.05, "brier": 0.03}
    figures = {
        "accuracy": {"value": 0.70, "low": 0.66, "high": 0.7501},  # touches the 0.75 bound
        "brier": {"value": 0.20, "low": 0.1701, "high": 0.23},  # wholly above 0.17
    }
    judged = degraded(figures, held_out, tolerance)
    assert judged["accuracy"]["degraded"] is False
    assert judged["accuracy"]["bound"] == pytest.approx(0.75)
    assert judged["brier"]["degraded"] is True
    assert judged["brier"]["bound"] == pytest.approx(0.17)


def test_a_metric_the_outcomes_cannot_define_is_left_out() -> None:
    """Every outcome the same (one class): ROC AUC has no value, and no NaN reaches the summary."""
    rng = np.random.default_rng(3)
    probability = rng.uniform(0.05, 0.6, 50)
    figures = measured(probability, np.zeros(50), resamples=200)
    assert set(figures) == {"accuracy", "brier", "log_loss"}
    assert all(np.isfinite(value) for figure in figures.values() for value in figure.values())
