"""The quality section has teeth, through the real API: held-out rows with their true outcomes
are not degraded, the same rows with 30 % of the outcomes flipped are (naming the metrics), and
rows without outcomes get the estimate only, and the report says so."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ROWS

from titanic_model import make_prediction, model_metadata, reference_data

Reports = dict[str, tuple[subprocess.CompletedProcess[str], Path]]
MEASURED = {"accuracy", "roc_auc", "brier", "log_loss"}


def _summary(reports: Reports, name: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    result, output = reports[name]
    return result, json.loads((output / "summary.json").read_text())


@pytest.mark.parametrize("case", ["true_outcomes", "true_outcomes_postgres"])
def test_true_outcomes_are_not_degraded(reports: Reports, case: str) -> None:
    result, summary = _summary(reports, case)
    assert result.returncode == 0, result.stdout + result.stderr
    quality = summary["quality"]
    assert quality["verdict"] == "ok"
    assert quality["degraded_metrics"] == []
    assert quality["labelled_rows"] == ROWS
    assert quality["labelled_share"] == 1.0
    assert set(quality["measured"]) == MEASURED
    card = model_metadata().held_out_metrics.model_dump()
    for name, figure in quality["measured"].items():
        assert figure["held_out"] == card[name]
        assert figure["low"] <= figure["value"] <= figure["high"]
        # rows drawn from the held-out split score close to the card's figure
        assert figure["value"] == pytest.approx(card[name], abs=0.04), name
    assert sum(row["rows"] for row in quality["calibration"]) == ROWS
    print({name: round(f["value"], 4) for name, f in quality["measured"].items()})


@pytest.mark.parametrize("case", ["flipped_outcomes", "flipped_outcomes_postgres"])
def test_flipped_outcomes_are_degraded_naming_the_metrics(reports: Reports, case: str) -> None:
    result, summary = _summary(reports, case)
    assert result.returncode == 1, result.stdout + result.stderr
    quality = summary["quality"]
    assert quality["verdict"] == "degraded"
    assert set(quality["degraded_metrics"]) == MEASURED  # the estimate cannot see labels
    assert summary["verdict"] == "degraded"  # and nothing drifted: the inputs are the same
    assert "quality degraded: " in result.stdout
    for name in ("accuracy", "roc_auc", "brier", "log_loss"):
        assert name in result.stdout
        figure = quality["measured"][name]
        assert figure["degraded"] is True
        if name in {"accuracy", "roc_auc"}:
            assert figure["high"] < figure["bound"] < figure["held_out"]
        else:
            assert figure["low"] > figure["bound"] > figure["held_out"]
    print({name: round(f["value"], 4) for name, f in quality["measured"].items()})


def test_no_outcomes_gives_the_estimate_only(reports: Reports) -> None:
    result, summary = _summary(reports, "held_out_like")
    assert result.returncode == 0, result.stdout + result.stderr
    quality = summary["quality"]
    assert quality["labelled_rows"] == 0
    assert quality["measured"] is None
    assert quality["calibration"] is None
    assert quality["verdict"] == "estimate only"
    assert "quality estimate only" in result.stdout
    assert set(quality["estimated"]) == {"accuracy", "brier"}
    held_out = reference_data("held_out")
    probabilities = make_prediction(input_data=held_out)["probabilities"]
    confidence = sum(max(p, 1 - p) for p in probabilities) / len(probabilities)
    for name, figure in quality["estimated"].items():
        assert figure["degraded"] is False, name
    # rows drawn from the held-out split: about what the model expects of the held-out rows
    assert quality["estimated"]["accuracy"]["held_out"] == pytest.approx(confidence)
    assert quality["estimated"]["accuracy"]["value"] == pytest.approx(confidence, abs=0.02)
    page = (reports["held_out_like"][1] / "report.html").read_text()
    assert "estimate only" in page
    print({name: round(f["value"], 4) for name, f in quality["estimated"].items()})


def test_the_estimate_is_the_same_whatever_the_outcomes(reports: Reports) -> None:
    """It reads probabilities only: flipped outcomes leave it where the true ones put it."""
    _, true = _summary(reports, "true_outcomes")
    _, flipped = _summary(reports, "flipped_outcomes")
    assert true["quality"]["estimated"] == flipped["quality"]["estimated"]
    assert true["quality"]["measured"]["accuracy"] != flipped["quality"]["measured"]["accuracy"]
