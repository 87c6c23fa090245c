"""Candidate vs baseline on the same inputs: the gate's checks and its report.

Every check is against a tolerance of the gate's own file (gate.yml, read by gate.py). Two
captures of the same version must agree exactly: a changed model with an unchanged version would
ship under a name that already means something else. The metrics are computed here with
scikit-learn directly, not with the package's own evaluation code, so the yardstick does not move
with the candidate.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, brier_score_loss, roc_auc_score

from titanic_release.gate import Gate, Tolerances
from titanic_release.inputs import InputSet
from titanic_release.project import REPO_ROOT
from titanic_release.row_diffs import RowDiff, SegmentEffect, segment_effects

MOST_MOVED_ROWS = 10


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    limit: float
    passed: bool


def _check(name: str, value: float, limit: float) -> Check:
    # A tiny epsilon keeps "exactly at the limit" from failing on float rounding of the delta.
    return Check(name, value, limit, value <= limit + 1e-12)


@dataclass
class Comparison:
    baseline_version: str
    candidate_version: str
    baseline_origin: str
    candidate_origin: str
    environments: dict[str, dict[str, Any]]
    tolerances: dict[str, float]
    tolerances_file: str
    # What was scored: the fixed input set, or recorded traffic (its store, window and counts).
    inputs_description: str = "held-out split + edge cases"
    checks: list[Check] = field(default_factory=list)
    # Metrics on the rows whose truth is known (the held-out rows, or traffic with outcomes).
    labelled_rows: int = 0
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    rows: list[RowDiff] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def flipped(self) -> list[RowDiff]:
        return [row for row in self.rows if row.flipped]

    @property
    def changed(self) -> list[RowDiff]:
        return [row for row in self.rows if row.abs_diff > 0 or row.flipped]

    @property
    def segments(self) -> list[SegmentEffect]:
        return segment_effects(self.rows)

    @property
    def most_moved(self) -> list[RowDiff]:
        return sorted(self.changed, key=lambda row: row.abs_diff, reverse=True)[:MOST_MOVED_ROWS]


def _shown_path(path: Path) -> str:
    """Relative to the repository when inside it: the path a reviewer finds in a diff."""
    resolved = path.resolve()
    return str(resolved.relative_to(REPO_ROOT) if resolved.is_relative_to(REPO_ROOT) else resolved)


def _metrics(
    truth: list[int | None], labels: list[int], probabilities: list[float]
) -> dict[str, float]:
    return {
        "accuracy": float(accuracy_score(truth, labels)),
        "roc_auc": float(roc_auc_score(truth, probabilities)),
        "brier": float(brier_score_loss(truth, probabilities)),
    }


def _aligned(capture: dict[str, Any], inputs: InputSet, side: str) -> str | None:
    """Why a capture cannot be compared row by row with the input set, or None if it can."""
    rows = len(inputs.row_ids)
    if capture["row_ids"] != inputs.row_ids:
        return f"the {side} capture is not of this input set (its row ids differ)"
    for key in ("predictions", "probabilities"):
        if len(capture[key]) != rows:
            return f"the {side} capture has {len(capture[key])} {key} for {rows} rows"
    return None


def _rejected_rows(capture: dict[str, Any], inputs: InputSet) -> list[str]:
    return [
        row_id
        for row_id, probability in zip(inputs.row_ids, capture["probabilities"], strict=True)
        if probability is None
    ]


def _row_diffs(
    baseline: dict[str, Any], candidate: dict[str, Any], inputs: InputSet
) -> list[RowDiff]:
    diffs = []
    for i, row_id in enumerate(inputs.row_ids):
        old, new = baseline["probabilities"][i], candidate["probabilities"][i]
        if old is None or new is None:
            continue
        diffs.append(
            RowDiff(
                row_id=row_id,
                subset=inputs.subsets[i],
                baseline_probability=float(old),
                candidate_probability=float(new),
                abs_diff=abs(float(new) - float(old)),
                baseline_label=int(baseline["predictions"][i]),
                candidate_label=int(candidate["predictions"][i]),
                record=inputs.records[i],
            )
        )
    return diffs


def _tolerance_checks(
    comparison: Comparison, inputs: InputSet, tolerances: Tolerances
) -> list[Check]:
    rows = comparison.rows
    diffs = np.array([row.abs_diff for row in rows])
    checks = [
        _check("max_abs_probability_diff", float(diffs.max()), tolerances.max_abs_probability_diff),
        _check(
            "max_mean_abs_probability_diff",
            float(diffs.mean()),
            tolerances.max_mean_abs_probability_diff,
        ),
        _check(
            "max_flipped_label_share",
            len(comparison.flipped) / len(rows),
            tolerances.max_flipped_label_share,
        ),
    ]
    truth_by_id = dict(zip(inputs.row_ids, inputs.truth, strict=True))
    labelled = [row for row in rows if truth_by_id[row.row_id] is not None]
    truth = [truth_by_id[row.row_id] for row in labelled]
    if len(set(truth)) < 2:
        # No outcomes (or one class only): nothing to measure better or worse against.
        return checks
    for side in ("baseline", "candidate"):
        comparison.metrics[side] = _metrics(
            truth,
            [getattr(row, f"{side}_label") for row in labelled],
            [getattr(row, f"{side}_probability") for row in labelled],
        )
    old, new = comparison.metrics["baseline"], comparison.metrics["candidate"]
    checks += [
        _check(
            "max_accuracy_drop", old["accuracy"] - new["accuracy"], tolerances.max_accuracy_drop
        ),
        _check("max_roc_auc_drop", old["roc_auc"] - new["roc_auc"], tolerances.max_roc_auc_drop),
        _check("max_brier_increase", new["brier"] - old["brier"], tolerances.max_brier_increase),
    ]
    return checks


def compare(
    baseline: dict[str, Any],
    candidate: dict[str, Any],
    inputs: InputSet,
    gate: Gate,
    *,
    baseline_origin: str,
    candidate_origin: str,
    same_version_atol: float = 0.0,
    inputs_description: str | None = None,
) -> Comparison:
    """Every check of the gate; `failures` says in words why it fails (empty when it passes).

    `same_version_atol` is 0 for two captures through the same code path; comparing the fast
    scorer with the scikit-learn pipeline of the same artifact allows floating-point rounding.
    """
    comparison = Comparison(
        baseline_version=baseline["version"],
        candidate_version=candidate["version"],
        baseline_origin=baseline_origin,
        candidate_origin=candidate_origin,
        environments={
            "baseline": baseline.get("environment", {}),
            "candidate": candidate.get("environment", {}),
        },
        tolerances=gate.tolerances.model_dump(),
        tolerances_file=_shown_path(gate.source),
        labelled_rows=sum(truth is not None for truth in inputs.truth),
    )
    if inputs_description is not None:
        comparison.inputs_description = inputs_description
    for side, capture in (("baseline", baseline), ("candidate", candidate)):
        problem = _aligned(capture, inputs, side)
        if problem is not None:
            comparison.failures.append(problem)
    if comparison.failures:
        return comparison

    for side, capture in (("baseline", baseline), ("candidate", candidate)):
        rejected = _rejected_rows(capture, inputs)
        if rejected:
            comparison.failures.append(
                f"the {side} rejected {len(rejected)} rows of the input set, all of which "
                f"are valid: {', '.join(rejected[:10])}"
            )
    comparison.rows = _row_diffs(baseline, candidate, inputs)
    if not comparison.rows:
        comparison.failures.append("no row was scored by both versions")
        return comparison

    if comparison.baseline_version == comparison.candidate_version:
        differing = [
            row for row in comparison.rows if row.abs_diff > same_version_atol or row.flipped
        ]
        if differing:
            worst = max(row.abs_diff for row in differing)
            comparison.failures.append(
                f"baseline and candidate are both version {comparison.candidate_version} but "
                f"{len(differing)} of {len(comparison.rows)} rows differ (largest probability "
                f"difference {worst:.3g}): a changed model needs a new VERSION"
            )

    comparison.checks = _tolerance_checks(comparison, inputs, gate.tolerances)
    for check in comparison.checks:
        if not check.passed:
            comparison.failures.append(
                f"{check.name}: {check.value:.4f} exceeds the tolerance {check.limit:.4f}"
            )
    return comparison
