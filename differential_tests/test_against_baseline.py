"""The gate itself: the working tree's model against the baseline, with a report either way,
on the fixed input set and (with --traffic) on recorded production traffic."""

from typing import Any

import pytest
from titanic_release.baseline import Baseline
from titanic_release.compare import compare
from titanic_release.gate import Gate
from titanic_release.inputs import InputSet
from titanic_release.report import REPORT_DIR, write_report
from titanic_release.traffic import Traffic

pytestmark = pytest.mark.differential


def test_baseline_ran_from_its_own_environment(
    baseline: Baseline, baseline_capture: dict[str, Any]
) -> None:
    venv = baseline.python.parent.parent
    assert baseline_capture["version"] == baseline.version
    assert baseline_capture["environment"]["titanic_model_location"].startswith(str(venv))


def test_candidate_stays_within_tolerance_of_the_baseline(
    baseline: Baseline,
    baseline_capture: dict[str, Any],
    candidate_capture: dict[str, Any],
    inputs: InputSet,
    gate: Gate,
) -> None:
    comparison = compare(
        baseline_capture,
        candidate_capture,
        inputs,
        gate,
        baseline_origin=baseline.origin,
        candidate_origin="the working tree",
    )
    report = write_report(comparison, "report", REPORT_DIR)
    assert comparison.metrics, "the held-out rows carry their truth: the metrics must be gated"
    if not comparison.passed:
        reasons = "".join(f"\n  - {failure}" for failure in comparison.failures)
        message = f"the candidate fails the differential gate (report: {report}):{reasons}"
        pytest.fail(message, pytrace=False)
    assert report.is_file()


@pytest.mark.traffic
def test_candidate_stays_within_tolerance_on_recorded_traffic(
    baseline: Baseline,
    baseline_traffic_capture: dict[str, Any],
    candidate_traffic_capture: dict[str, Any],
    traffic: Traffic,
    gate: Gate,
) -> None:
    comparison = compare(
        baseline_traffic_capture,
        candidate_traffic_capture,
        traffic.inputs,
        gate,
        baseline_origin=baseline.origin,
        candidate_origin="the working tree",
        inputs_description=traffic.describe(),
    )
    report = write_report(comparison, "traffic", REPORT_DIR)
    print(f"replayed {traffic.describe()} (report: {report})")
    if not comparison.passed:
        reasons = "".join(f"\n  - {failure}" for failure in comparison.failures)
        message = f"the candidate fails the gate on recorded traffic (report: {report}):{reasons}"
        pytest.fail(message, pytrace=False)
    assert report.is_file()
