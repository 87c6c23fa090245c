"""Recorded traffic as the gate's input: the round trip through the store keeps every feature,
rejected rows are skipped and counted, the window and the sample are honoured, and the teeth: a
candidate that changes predictions only for a segment rare in the held-out rows but common in
production passes the held-out gate and fails the traffic gate (on SQLite and PostgreSQL, the
latter read through a role that may only SELECT)."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pytest
from postgres_cluster import BIN_DIR, postgres_cluster
from titanic_release.capture import capture
from titanic_release.compare import Comparison, compare
from titanic_release.gate import Gate
from titanic_release.inputs import INPUT_FIELDS, InputSet, write_input_file
from titanic_release.report import REPORT_DIR, write_report
from titanic_release.traffic import (
    Traffic,
    TrafficError,
    cabin_on_deck,
    name_with_title,
    read_traffic,
)

from differential_tests.store_rows import stored_inputs, write_traffic
from differential_tests.variants import segment_shifted
from titanic_masking import shown_url
from titanic_model import (
    __version__,
    extract_deck,
    extract_title,
    make_prediction,
    reference_data,
)

pytestmark = pytest.mark.differential

TEETH_REPORTS = REPORT_DIR / "teeth"
DAY = timedelta(days=1)
# The segment: passengers over 60, a few per cent of the Titanic's and common on a cruise line.
SEGMENT_AGE = 60
SEGMENT_SHIFT = -0.09  # within max_abs_probability_diff (0.10), so no single row gives it away
READER = "replay_reader"


def _in_segment(record: dict[str, Any]) -> bool:
    return record.get("age") is not None and record["age"] > SEGMENT_AGE


def _held_out_records() -> tuple[list[dict[str, Any]], list[int]]:
    frame = reference_data("held_out").astype(object)
    frame = frame.where(frame.notna(), None)
    records = [{field: row[field] for field in INPUT_FIELDS} for _, row in frame.iterrows()]
    return records, [int(label) for label in frame["survived"]]


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.mark.parametrize("title", ["Mr", "Mrs", "Miss", "Master", "Rare", "Unknown"])
def test_a_stored_title_comes_back_from_its_stand_in_name(title: str) -> None:
    assert extract_title(name_with_title(title)) == title


@pytest.mark.parametrize("deck", ["A", "C", "T", "U", "Z", "\ufffd", "Unknown"])
def test_a_stored_deck_comes_back_from_its_stand_in_cabin(deck: str) -> None:
    assert extract_deck(cabin_on_deck(deck)) == deck


def test_every_held_out_row_has_the_same_features_after_the_store(tmp_path: Path) -> None:
    records, _ = _held_out_records()
    ids = write_traffic(_sqlite(tmp_path), records, [None] * len(records))
    traffic = read_traffic(_sqlite(tmp_path), DAY)

    assert traffic.replayed_rows == len(records)
    original_by_row_id = dict(zip([f"store:{i}" for i in ids], records, strict=True))
    originals = [original_by_row_id[row_id] for row_id in traffic.inputs.row_ids]
    for original, replayed in zip(originals, traffic.inputs.records, strict=True):
        assert stored_inputs(replayed) == stored_inputs(original), original
    # The model itself cannot tell them apart.
    before = make_prediction(input_data=pd.DataFrame.from_records(originals))
    after = make_prediction(input_data=pd.DataFrame.from_records(traffic.inputs.records))
    assert after["probabilities"] == before["probabilities"]


def test_rejected_rows_are_skipped_and_counted_and_old_rows_left_out(tmp_path: Path) -> None:
    records, truth = _held_out_records()
    write_traffic(_sqlite(tmp_path), records[:5], truth[:5], rejected=3)
    write_traffic(_sqlite(tmp_path), records[5:9], truth[5:9], age=timedelta(days=40))

    traffic = read_traffic(_sqlite(tmp_path), timedelta(days=30))

    assert (traffic.replayed_rows, traffic.scored_rows, traffic.rejected_rows) == (5, 5, 3)
    assert traffic.labelled_rows == 5
    assert traffic.inputs.truth.count(None) == 0
    assert not traffic.sampled
    assert "all 5 scored rows" in traffic.describe()
    assert "3 rejected rows skipped" in traffic.describe()


def test_a_large_window_is_sampled_the_same_way_every_time(tmp_path: Path) -> None:
    records, _ = _held_out_records()
    ids = write_traffic(_sqlite(tmp_path), records[:50], [None] * 50)

    first, second = (read_traffic(_sqlite(tmp_path), DAY, sample_rows=10) for _ in range(2))

    assert first.replayed_rows == 10
    assert first.sampled
    assert first.inputs.row_ids == second.inputs.row_ids
    oldest = {f"store:{prediction_id}" for prediction_id in sorted(ids)[:10]}
    assert set(first.inputs.row_ids) != oldest, "ids lead with their time: a sample, not the oldest"
    assert "a sample of 10 of the 50 scored rows" in first.describe()


def test_an_unreadable_store_is_an_error_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://reader:s3cret@db.example/store"  # pragma: allowlist secret
    assert "s3cret" not in shown_url(url)
    with pytest.raises(TrafficError, match="cannot read traffic from sqlite"):
        read_traffic(_sqlite(tmp_path), DAY)  # no tables: never upgraded
    other = "mysql://reader:s3cret@db.example/store"  # pragma: allowlist secret
    with pytest.raises(TrafficError, match="neither sqlite:/// nor postgresql://") as refused:
        read_traffic(other, DAY)  # was SQLAlchemy's error for a missing MySQL driver
    assert "s3cret" not in str(refused.value)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    assert BIN_DIR is not None, "PostgreSQL binaries are missing: run `make postgres-bin`"
    with postgres_cluster() as cluster:
        yield cluster.url


def _read_only_role(url: str) -> str:
    """A role that may only read the store's two tables; its URL."""
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {READER} LOGIN")
        connection.execute(f"GRANT SELECT ON predictions, outcomes TO {READER}")
    return url.replace("postgres@", f"{READER}@", 1)


def _gate(
    reference: dict[str, Any],
    candidate: dict[str, Any],
    inputs: InputSet,
    gate: Gate,
    change: str,
    traffic: Traffic | None = None,
) -> Comparison:
    return compare(
        reference,
        candidate,
        inputs,
        gate,
        baseline_origin="the working tree's model through make_prediction",
        candidate_origin=f"the same model with {change}",
        inputs_description=None if traffic is None else traffic.describe(),
    )


SEGMENT_CHANGE = f"passengers over {SEGMENT_AGE} moved by {SEGMENT_SHIFT:+.2f}"


def _failed_checks(comparison: Comparison) -> list[str]:
    return [check.name for check in comparison.checks if not check.passed]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_segment_change_passes_the_held_out_gate_and_fails_the_traffic_gate(
    backend: str,
    request: pytest.FixtureRequest,
    candidate_capture: dict[str, Any],
    inputs: InputSet,
    gate: Gate,
    tmp_path: Path,
) -> None:
    version = f"{__version__}+older.passengers.shifted"
    segment_share = sum(map(_in_segment, inputs.records)) / len(inputs.records)
    held_out = _gate(
        candidate_capture,
        segment_shifted(candidate_capture, inputs, _in_segment, SEGMENT_SHIFT, version),
        inputs,
        gate,
        SEGMENT_CHANGE,
    )
    write_report(held_out, f"segment_shift_held_out_{backend}", TEETH_REPORTS)
    assert held_out.passed, held_out.failures
    assert held_out.changed, "the candidate must differ on the held-out rows too"

    # Production: the held-out passengers with their outcomes, and as many again over 60.
    records, truth = _held_out_records()
    older = [{**record, "age": SEGMENT_AGE + 1 + i % 20} for i, record in enumerate(records)]
    url = request.getfixturevalue("postgres_url") if backend == "postgresql" else _sqlite(tmp_path)
    write_traffic(url, records + older, truth + [None] * len(older), rejected=7)
    if backend == "postgresql":
        url = _read_only_role(url)
    traffic: Traffic = read_traffic(url, timedelta(days=30))
    assert (traffic.replayed_rows, traffic.rejected_rows) == (2 * len(records), 7)
    traffic_share = sum(map(_in_segment, traffic.inputs.records)) / traffic.replayed_rows
    assert segment_share < 0.05 < 0.5 < traffic_share

    reference = capture(write_input_file(traffic.inputs, tmp_path / "traffic.json"))
    candidate = segment_shifted(reference, traffic.inputs, _in_segment, SEGMENT_SHIFT, version)
    replayed = _gate(reference, candidate, traffic.inputs, gate, SEGMENT_CHANGE, traffic)
    report = write_report(replayed, f"segment_shift_traffic_{backend}", TEETH_REPORTS)

    assert not replayed.passed
    assert "max_mean_abs_probability_diff" in _failed_checks(replayed), replayed.failures
    # The outcomes recorded for the held-out passengers are gated with the same tolerances.
    assert replayed.labelled_rows == len(records)
    assert {"max_accuracy_drop", "max_roc_auc_drop", "max_brier_increase"} <= {
        check.name for check in replayed.checks
    }
    text = report.read_text(encoding="utf-8")
    assert "# Differential report: FAIL" in text
    assert f"{2 * len(records)} scored rows" in text
    assert "7 rejected rows skipped" in text


def test_traffic_without_outcomes_shows_changes_but_measures_nothing(
    gate: Gate, tmp_path: Path
) -> None:
    records, _ = _held_out_records()
    write_traffic(_sqlite(tmp_path), records, [None] * len(records))
    traffic = read_traffic(_sqlite(tmp_path), DAY)
    reference = capture(write_input_file(traffic.inputs, tmp_path / "traffic.json"))
    candidate = segment_shifted(reference, traffic.inputs, lambda _: True, 0.05, "9.9.9")

    comparison = _gate(
        reference, candidate, traffic.inputs, gate, "every probability +0.05", traffic
    )
    report = write_report(comparison, "traffic_without_outcomes", TEETH_REPORTS)

    assert comparison.metrics == {}
    assert "max_accuracy_drop" not in {check.name for check in comparison.checks}
    assert "max_mean_abs_probability_diff" in _failed_checks(comparison)
    text = report.read_text(encoding="utf-8")
    assert "Not measured: 0 rows have a known outcome" in text
    assert f"all {len(records)} scored rows" in text


def test_outcomes_in_the_traffic_are_gated_with_the_same_tolerances(
    gate: Gate, tmp_path: Path
) -> None:
    """A candidate worse on the passengers whose outcome came back fails on the metrics."""
    records, truth = _held_out_records()
    write_traffic(_sqlite(tmp_path), records, truth)
    traffic = read_traffic(_sqlite(tmp_path), DAY)
    reference = capture(write_input_file(traffic.inputs, tmp_path / "traffic.json"))
    women = segment_shifted(reference, traffic.inputs, lambda r: r["sex"] == "female", -0.3, "9")

    comparison = _gate(reference, women, traffic.inputs, gate, "women moved by -0.3", traffic)

    assert comparison.labelled_rows == len(records)
    assert comparison.metrics["candidate"]["brier"] > comparison.metrics["baseline"]["brier"]
    assert "max_accuracy_drop" in _failed_checks(comparison), comparison.checks
