"""The drift and quality report: Evidently over the window vs the training rows, live quality
against the model card, and a verdict.

Writes `report.html` (Evidently's report, self-contained, with our summary and the quality
section on top) and `summary.json` (the same facts for machines), and returns the summary.
"""

import html
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.metrics import ValueDrift
from evidently.presets import DataDriftPreset

from titanic_model import contract
from titanic_monitoring.quality import quality_summary
from titanic_monitoring.quality_html import quality_section
from titanic_monitoring.store import Window
from titanic_monitoring.thresholds import DriftTest, Thresholds

# The store's recorded form of a passenger, as the passenger contract declares it.
NUMERICAL_FEATURES = list(contract.RECORDED_NUMERIC)
CATEGORICAL_FEATURES = list(contract.RECORDED_CATEGORICAL)
FEATURES = list(contract.RECORDED_COLUMNS)
PREDICTION_COLUMNS = {"prediction": "categorical", "probability": "numerical"}
DRIFTED_STYLE = ' style="background:#f8d7d3;font-weight:bold"'


def _kind(column: str) -> str:
    if column in PREDICTION_COLUMNS:
        return PREDICTION_COLUMNS[column]
    return "numerical" if column in NUMERICAL_FEATURES else "categorical"


def _drift_scores(snapshot_dict: dict[str, Any]) -> dict[str, tuple[str, float]]:
    """Column -> (Evidently's name of the test, score), from the report's ValueDrift metrics."""
    scores = {}
    for metric in snapshot_dict["metrics"]:
        config = metric["config"]
        if config["type"].endswith(":ValueDrift"):
            scores[config["column"]] = (str(config["method"]), float(metric["value"]))
    return scores


def _rejections(window: Window) -> dict[str, Any]:
    """The rejected share (every row) and its split by field (from the rows read: a sample
    when the window was sampled)."""
    rejected = window.rows["errors"].dropna()
    fields = Counter(field for errors in rejected for field in {e["field"] for e in errors})
    rows = len(window.rows)
    return {
        "rows": window.rejected_rows,
        "share": window.rejected_rows / window.total_rows,
        "share_by_field": {field: count / rows for field, count in sorted(fields.items())},
    }


def _column_result(
    column: str, test: DriftTest, evidently_test: str, score: float
) -> dict[str, Any]:
    return {
        "column": column,
        "kind": _kind(column),
        "method": test.method,
        "test": evidently_test,
        "threshold": test.threshold,
        "score": score,
        "drifted": score >= test.threshold,
    }


def build_report(
    window: Window,
    reference: pd.DataFrame,
    held_out: dict[str, float],
    held_out_probabilities: list[float],
    thresholds: Thresholds,
    output: Path,
) -> dict[str, Any]:
    """Run Evidently and the quality figures (against `held_out`, the model card's metrics, and
    the estimate on `held_out_probabilities`), write report.html and summary.json into `output`,
    return the summary."""
    scored = window.rows[window.rows["errors"].isna()]
    if scored.empty:
        raise ValueError("every row in the window was rejected: nothing to compare")
    columns = [*FEATURES, *PREDICTION_COLUMNS]
    definition = DataDefinition(
        numerical_columns=[*NUMERICAL_FEATURES, "probability"],
        categorical_columns=[*CATEGORICAL_FEATURES, "prediction"],
    )
    tests = {"numerical": thresholds.numerical, "categorical": thresholds.categorical}
    report = Report(
        [
            DataDriftPreset(
                columns=FEATURES,
                # Evidently: dataset drift when share >= drift_share; ours: share > the maximum.
                drift_share=thresholds.verdict.max_drifted_feature_share + 1e-9,
                num_method=thresholds.numerical.method,
                num_threshold=thresholds.numerical.threshold,
                cat_method=thresholds.categorical.method,
                cat_threshold=thresholds.categorical.threshold,
            ),
            ValueDrift(
                column="prediction",
                method=thresholds.categorical.method,
                threshold=thresholds.categorical.threshold,
            ),
            ValueDrift(
                column="probability",
                method=thresholds.numerical.method,
                threshold=thresholds.numerical.threshold,
            ),
        ]
    )
    snapshot = report.run(
        Dataset.from_pandas(_typed(scored[columns]), data_definition=definition),
        Dataset.from_pandas(_typed(reference[columns]), data_definition=definition),
    )
    scores = _drift_scores(snapshot.dict())
    results = [_column_result(column, tests[_kind(column)], *scores[column]) for column in columns]
    quality = quality_summary(
        window.labelled["probability"].to_numpy(dtype=float),
        window.labelled["survived"].to_numpy(dtype=float),
        window.labelled_rows,
        window.probabilities,
        held_out,
        np.asarray(held_out_probabilities, dtype=float),
        thresholds.quality,
    )
    summary = _summary(window, scored, reference, results, quality, thresholds)
    output.mkdir(parents=True, exist_ok=True)
    snapshot.save_html(str(output / "report.html"))
    _prepend_summary(output / "report.html", summary)
    (output / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _category(value: str | float | None) -> str | None:
    """1, 1.0 and "1" are one category: an integer column with a NULL in it is read as floats."""
    if value is None or pd.isna(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Same dtypes on both sides: categories as text, numbers as floats."""
    typed = frame.copy()
    for column in [*CATEGORICAL_FEATURES, "prediction"]:
        typed[column] = typed[column].map(_category)
    for column in [*NUMERICAL_FEATURES, "probability"]:
        typed[column] = pd.to_numeric(typed[column]).astype(float)
    return typed


def _summary(
    window: Window,
    scored: pd.DataFrame,
    reference: pd.DataFrame,
    results: list[dict[str, Any]],
    quality: dict[str, Any],
    thresholds: Thresholds,
) -> dict[str, Any]:
    features = [result for result in results if result["column"] in FEATURES]
    predictions = {result["column"]: result for result in results if result not in features}
    drifted = [result["column"] for result in features if result["drifted"]]
    drifted_share = len(drifted) / len(features)
    rejections = _rejections(window)
    reasons = []
    if drifted_share > thresholds.verdict.max_drifted_feature_share:
        reasons.append(f"features drifted: {', '.join(drifted)}")
    if thresholds.verdict.prediction_drift_fails:
        reasons += [f"{name} drifted" for name, result in predictions.items() if result["drifted"]]
    if rejections["share"] > thresholds.verdict.max_rejected_row_share:
        reasons.append(f"{rejections['share']:.1%} of rows rejected")
    verdicts = ["drift"] if reasons else []
    if quality["degraded_metrics"]:
        reasons.append(f"quality degraded: {', '.join(quality['degraded_metrics'])}")
        verdicts.append("degraded")
    return {
        "verdict": ", ".join(verdicts) or "ok",
        "reasons": reasons,
        "window": {
            "first_row_at": str(window.first_row_at),
            "last_row_at": str(window.last_row_at),
            "model_versions": window.model_versions,
        },
        "rows": {
            "window": window.total_rows,
            "scored": window.scored_rows,
            "rejected": rejections["rows"],
            "reference": len(reference),
        },
        # The drift comparison's rows: all the window's, or a random sample of them.
        "sample": {
            "sampled": window.sampled,
            "rows_read": len(window.rows),
            "scored_rows_compared": len(scored),
        },
        "quality": quality,
        "features": features,
        "drifted_features": drifted,
        "drifted_feature_share": drifted_share,
        "prediction_drift": predictions,
        "rejected_rows": rejections,
        "thresholds": {
            "numerical": thresholds.numerical.model_dump(),
            "categorical": thresholds.categorical.model_dump(),
            **thresholds.verdict.model_dump(),
            "quality": thresholds.quality.model_dump(),
        },
    }


def _table_row(result: dict[str, Any]) -> str:
    drifted = result["drifted"]
    style = DRIFTED_STYLE if drifted else ""
    return (
        f'<tr class="{"drifted" if drifted else "stable"}"{style}>'
        f"<td>{html.escape(result['column'])}</td><td>{html.escape(result['test'])}</td>"
        f"<td>{result['score']:.4f}</td><td>{result['threshold']}</td>"
        f"<td>{'DRIFTED' if drifted else 'ok'}</td></tr>"
    )


def _prepend_summary(path: Path, summary: dict[str, Any]) -> None:
    """Our verdict and per-column table above Evidently's widgets (plain HTML, no scripts)."""
    rows = "".join(
        _table_row(result)
        for result in [*summary["features"], *summary["prediction_drift"].values()]
    )
    rejected = ", ".join(
        f"{html.escape(field)} {share:.1%}"
        for field, share in summary["rejected_rows"]["share_by_field"].items()
    )
    counts = summary["rows"]
    verdict = summary["verdict"].upper() if summary["reasons"] else "No drift"
    reasons = html.escape("; ".join(summary["reasons"]) or "every column within its threshold")
    sample = summary["sample"]
    sampled = (
        f" Drift compared on a random sample of {sample['rows_read']:,} of the window's rows."
        if sample["sampled"]
        else ""
    )
    section = (
        '<section id="titanic-summary" style="font-family:system-ui,sans-serif;margin:1rem 2rem">'
        f"<h1>Titanic model monitoring: {verdict}</h1><p>{reasons}</p>"
        f"<p>Rows in the window: {counts['window']} ({counts['scored']} scored, "
        f"{counts['rejected']} rejected{': ' + rejected if rejected else ''}); "
        f"training rows for reference: {counts['reference']}; drifted features: "
        f"{summary['drifted_feature_share']:.0%}.{sampled}</p>"
        '<table border="1" cellpadding="4" style="border-collapse:collapse">'
        "<tr><th>column</th><th>test</th><th>score</th><th>threshold</th><th>drift</th></tr>"
        f"{rows}</table>{quality_section(summary['quality'])}</section>"
    )
    text = path.read_text(encoding="utf-8")
    body = text.index("<body")
    body_end = text.index(">", body) + 1
    path.write_text(text[:body_end] + section + text[body_end:], encoding="utf-8")
