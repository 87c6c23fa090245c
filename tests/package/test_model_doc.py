"""docs/model.md's held-out figures are the trained model's, so they cannot go stale."""

import re
from pathlib import Path

from titanic_model import model_metadata

MODEL_DOC = Path(__file__).resolve().parents[2] / "docs" / "model.md"
ROW = re.compile(r"^\| held-out, (\d+) rows \| (.+) \|$", re.MULTILINE)


def documented_held_out() -> tuple[int, list[str]]:
    match = ROW.search(MODEL_DOC.read_text(encoding="utf-8"))
    assert match is not None, "docs/model.md has no held-out metrics row"
    return int(match.group(1)), [cell.strip() for cell in match.group(2).split("|")]


def test_the_documented_held_out_metrics_are_the_trained_models() -> None:
    metadata = model_metadata()
    metrics = metadata.held_out_metrics
    rows, cells = documented_held_out()
    assert rows == metadata.rows.held_out
    measured = [metrics.roc_auc, metrics.accuracy, metrics.f1, metrics.log_loss, metrics.brier]
    assert cells == [f"{value:.3f}" for value in measured]
