"""A version's fast scorer against its own scikit-learn pipeline, through the same gate.

make_prediction serves from a scorer compiled out of the fitted pipeline; the pipeline stays the
source of truth. Scored on the fixed input set both ways, they must agree as two captures of one
version do, allowing only floating-point rounding (1e-12) in the probabilities.
"""

from typing import Any

import pytest
from titanic_release.compare import compare
from titanic_release.gate import Gate
from titanic_release.inputs import InputSet
from titanic_release.report import REPORT_DIR, write_report

from differential_tests.variants import pipeline_capture
from titanic_model import __version__, load_pipeline

pytestmark = pytest.mark.differential

ROUNDING = 1e-12


def _sklearn_capture(inputs: InputSet) -> dict[str, Any]:
    return pipeline_capture(load_pipeline(), inputs, __version__)


def test_fast_path_matches_its_own_sklearn_pipeline(
    candidate_capture: dict[str, Any], inputs: InputSet, gate: Gate
) -> None:
    comparison = compare(
        _sklearn_capture(inputs),
        candidate_capture,
        inputs,
        gate,
        baseline_origin="the packaged pipeline's predict_proba (scikit-learn)",
        candidate_origin="make_prediction (compiled fast scorer)",
        same_version_atol=ROUNDING,
    )
    write_report(comparison, "fast_path_vs_sklearn", REPORT_DIR)
    assert comparison.passed, comparison.failures
    assert len(comparison.rows) == len(inputs.row_ids)
    assert max(row.abs_diff for row in comparison.rows) <= ROUNDING
    assert not comparison.flipped


def test_the_same_version_rule_sees_a_difference_beyond_rounding(
    candidate_capture: dict[str, Any], inputs: InputSet, gate: Gate
) -> None:
    nudged = _sklearn_capture(inputs)
    nudged["probabilities"][0] += 1e-9
    comparison = compare(
        nudged,
        candidate_capture,
        inputs,
        gate,
        baseline_origin="nudged",
        candidate_origin="make_prediction",
        same_version_atol=ROUNDING,
    )
    assert not comparison.passed
    assert "1 of" in comparison.failures[0]
