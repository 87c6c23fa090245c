"""Held-out metrics, computed the same way for training metadata, the CLI and the tests."""

import numpy as np
import numpy.typing as npt
from sklearn.metrics import accuracy_score, brier_score_loss, f1_score, log_loss, roc_auc_score

from titanic_model.config import QualityGate


def classification_metrics(y_true: npt.ArrayLike, probabilities: npt.ArrayLike) -> dict[str, float]:
    truth = np.asarray(y_true, dtype=int)
    proba = np.asarray(probabilities, dtype=float)
    labels = (proba > 0.5).astype(int)
    return {
        "roc_auc": float(roc_auc_score(truth, proba)),
        "accuracy": float(accuracy_score(truth, labels)),
        "f1": float(f1_score(truth, labels)),
        "log_loss": float(log_loss(truth, proba, labels=[0, 1])),
        "brier": float(brier_score_loss(truth, proba)),
    }


def quality_gate_failures(metrics: dict[str, float], gate: QualityGate) -> list[str]:
    """Which configured thresholds the metrics miss (empty when all hold)."""
    failures = []
    if metrics["roc_auc"] < gate.min_roc_auc:
        failures.append(f"ROC AUC {metrics['roc_auc']:.4f} < {gate.min_roc_auc}")
    if metrics["accuracy"] < gate.min_accuracy:
        failures.append(f"accuracy {metrics['accuracy']:.4f} < {gate.min_accuracy}")
    if metrics["brier"] > gate.max_brier:
        failures.append(f"Brier {metrics['brier']:.4f} > {gate.max_brier}")
    return failures
