"""The shadow report's verdicts on a real store (SQLite and PostgreSQL): an identical candidate
is PROMOTEd, one that lost the passenger's sex is REJECTed naming the metric and its interval,
30 labelled rows are INSUFFICIENT with the number still needed; shadow rows never reach the live
model's drift/quality report."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from store_fill import fill, shadow_report

from titanic_model import make_prediction
from titanic_monitoring.store import read_window
from titanic_paired.rules import load_rules


@pytest.fixture(scope="module")
def scored(traffic: list[dict[str, Any]]) -> list[float]:
    probabilities: list[float] = make_prediction(input_data=traffic)["probabilities"]
    return probabilities


def without_sex(traffic: list[dict[str, Any]]) -> list[float]:
    """A candidate that lost a feature: every passenger scored as a man of their class."""
    probabilities: list[float] = make_prediction(
        input_data=[{**row, "sex": "male", "name": "Doe, Mr. John"} for row in traffic]
    )["probabilities"]
    return probabilities


def test_an_identical_candidate_is_promoted(
    store_url: str, tmp_path: Path, traffic: list[dict[str, Any]], scored: list[float]
) -> None:
    fill(store_url, traffic, scored, scored, labelled=len(traffic))
    done = shadow_report(store_url, tmp_path / "report")
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["verdict"] == "PROMOTE"
    assert summary["flips"]["agreement"] == 1.0
    assert summary["quality"]["labelled_pairs"] == len(traffic)
    assert set(summary["flips_by"]) == {"sex", "pclass", "age_band"}
    assert "PROMOTE" in (tmp_path / "report" / "report.html").read_text()


def test_a_candidate_that_lost_a_feature_is_rejected_naming_the_metric(
    store_url: str, tmp_path: Path, traffic: list[dict[str, Any]], scored: list[float]
) -> None:
    fill(store_url, traffic, scored, without_sex(traffic), labelled=len(traffic))
    done = shadow_report(store_url, tmp_path / "report")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "REJECT" in done.stdout
    assert "accuracy: candidate worse by" in done.stdout
    assert "interval [" in done.stdout
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    by_sex = summary["flips_by"]["sex"]  # women lose most (boys lose their title Master)
    assert by_sex["female"]["survived_to_died"] > 5 * by_sex["male"]["survived_to_died"]


def test_thirty_labelled_rows_are_insufficient(
    store_url: str, tmp_path: Path, traffic: list[dict[str, Any]], scored: list[float]
) -> None:
    fill(store_url, traffic, scored, scored, labelled=30)
    done = shadow_report(store_url, tmp_path / "report")
    assert done.returncode == 2, done.stdout + done.stderr
    needed = load_rules().min_labelled_pairs - 30
    assert f"{needed} more" in done.stdout


def test_no_shadow_answers_is_insufficient(sqlite_store: str, tmp_path: Path) -> None:
    done = shadow_report(sqlite_store, tmp_path / "report")
    assert done.returncode == 2
    assert "no shadow answers" in done.stderr


def test_the_live_report_never_counts_shadow_rows(
    sqlite_store: str, traffic: list[dict[str, Any]], scored: list[float]
) -> None:
    fill(sqlite_store, traffic[:50], scored[:50], scored[:50], labelled=50)
    fill(sqlite_store, traffic[:50], scored[:50], scored[:50], labelled=0, live_rows=False)
    window = read_window(sqlite_store, timedelta(days=7))
    assert window.total_rows == 50
    assert window.labelled_rows == 50
    assert set(window.model_versions) == {"0.3.0"}


def test_no_verdict_when_the_rules_or_the_output_fail_is_exit_3_not_reject(
    sqlite_store: str, tmp_path: Path, traffic: list[dict[str, Any]], scored: list[float]
) -> None:
    fill(sqlite_store, traffic, scored, scored, labelled=len(traffic))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    unwritable = shadow_report(sqlite_store, blocker / "report")
    assert unwritable.returncode == 3, unwritable.stdout + unwritable.stderr  # 1 is REJECT
    assert "cannot write the report" in unwritable.stderr
    rules = tmp_path / "rules.yml"
    rules.write_text("min_labelled_pairs: many\n")
    bad_rules = shadow_report(sqlite_store, tmp_path / "report", "--rules", str(rules))
    assert bad_rules.returncode == 3, bad_rules.stdout + bad_rules.stderr
    assert "min_labelled_pairs" in bad_rules.stderr
    assert "Traceback" not in unwritable.stderr + bad_rules.stderr
