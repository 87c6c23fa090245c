"""The drift report has teeth: rows like the held-out data pass, shifted rows fail, naming what
shifted; no report (exit 2) when there is nothing to compare."""

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from conftest import ROWS, send_through_api

from titanic_model import contract

Monitor = Callable[..., subprocess.CompletedProcess[str]]


def test_held_out_like_rows_do_not_drift(
    reports: dict[str, tuple[subprocess.CompletedProcess[str], Path]],
) -> None:
    result, output = reports["held_out_like"]
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((output / "summary.json").read_text())
    assert summary["verdict"] == "ok"
    assert summary["rows"] == {"window": ROWS, "scored": ROWS, "rejected": 0, "reference": 1047}
    assert summary["drifted_features"] == []
    # The report's own features and kinds are the passenger contract's recorded form.
    assert [f["column"] for f in summary["features"]] == list(contract.RECORDED_COLUMNS)
    numerical = {f["column"] for f in summary["features"] if f["kind"] == "numerical"}
    assert numerical == set(contract.RECORDED_NUMERIC)
    print({f["column"]: round(f["score"], 4) for f in summary["features"]})


def test_older_passengers_and_reversed_classes_drift(
    reports: dict[str, tuple[subprocess.CompletedProcess[str], Path]],
) -> None:
    result, output = reports["shifted"]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "age" in result.stdout
    assert "pclass" in result.stdout
    summary = json.loads((output / "summary.json").read_text())
    assert summary["verdict"] == "drift"
    assert {"age", "pclass"} <= set(summary["drifted_features"])
    by_column = {f["column"]: f for f in summary["features"]}
    assert by_column["age"]["method"] == "wasserstein"
    assert by_column["age"]["score"] >= by_column["age"]["threshold"]
    assert by_column["pclass"]["method"] == "jensenshannon"
    assert by_column["sex"]["drifted"] is False  # untouched columns stay put
    baseline = json.loads((reports["held_out_like"][1] / "summary.json").read_text())
    for column in ("prediction", "probability"):  # the answers moved too, and the report says so
        moved = summary["prediction_drift"][column]["score"]
        assert moved > baseline["prediction_drift"][column]["score"]
    print({f["column"]: round(f["score"], 4) for f in summary["features"]})


def test_rejected_rows_are_shared_out_by_field(
    held_out_like: pd.DataFrame, tmp_path: Path, run_monitor: Monitor
) -> None:
    frame = held_out_like.head(200).copy()
    frame.loc[:19, "age"] = -5.0  # 20 rows (10 %) the API rejects for their age
    url = f"sqlite:///{tmp_path}/predictions.sqlite3"
    send_through_api(frame, url)
    result = run_monitor("--store-url", url, "--since", "1h", "--output", str(tmp_path / "out"))
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["rows"]["rejected"] == 20
    assert summary["rejected_rows"]["share_by_field"] == {"age": 20 / 200}
    # The rejected rows' empty columns (NULL pclass, prediction) do not make the rest look drifted.
    assert summary["drifted_features"] == []
    assert not summary["prediction_drift"]["prediction"]["drifted"]
    assert result.returncode == 1  # more than the configured 5 %
    assert "10.0% of rows rejected" in result.stdout


def test_no_rows_or_no_store_is_exit_2_with_a_clear_message(
    tmp_path: Path, run_monitor: Monitor
) -> None:
    missing = run_monitor(
        "--store-url", f"sqlite:///{tmp_path}/empty.sqlite3", "--output", str(tmp_path / "a")
    )
    assert missing.returncode == 2
    assert "(the file does not exist" in missing.stderr
    assert not (tmp_path / "empty.sqlite3").exists()
    (tmp_path / "empty.sqlite3").touch()  # a database with no table yet
    no_table = run_monitor(
        "--store-url", f"sqlite:///{tmp_path}/empty.sqlite3", "--output", str(tmp_path / "a")
    )
    assert no_table.returncode == 2
    assert "nothing recorded yet" in no_table.stderr
    unreachable = run_monitor(
        "--store-url",
        "postgresql+psycopg://u:secret-pw@127.0.0.1:9/none",
        "--output",
        str(tmp_path / "b"),
    )
    assert unreachable.returncode == 2
    assert "cannot read the prediction store" in unreachable.stderr
    assert "secret-pw" not in unreachable.stderr
    bad_window = run_monitor("--store-url", "sqlite://", "--since", "soon", "--output", "x")
    assert bad_window.returncode == 2
    assert not (tmp_path / "a").exists()
    for other in ("mysql://u:secret-pw@db/store", "not a url secret-pw"):  # was a traceback
        refused = run_monitor("--store-url", other, "--output", str(tmp_path / "c"))
        assert refused.returncode == 2
        assert "neither sqlite:/// nor postgresql://" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert "secret-pw" not in refused.stdout + refused.stderr


def test_reference_rows_take_the_contracts_recorded_form() -> None:
    from titanic_monitoring.reference import reference_frame

    frame = reference_frame()
    assert list(frame.columns) == [*contract.RECORDED_COLUMNS, "prediction", "probability"]
    assert len(frame) == 1047
    assert frame["title"].isin(["Mr", "Mrs", "Miss", "Master", "Rare", "Unknown"]).all()


def test_a_report_that_cannot_be_written_is_exit_2_not_a_drift(
    reports: dict[str, tuple[subprocess.CompletedProcess[str], Path]],
    tmp_path: Path,
    run_monitor: Monitor,
) -> None:
    _, output = reports["held_out_like"]
    store = f"sqlite:///{output.parent / 'predictions.sqlite3'}"
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    # Exit 1 is the daily job's "drift": a disk that refuses the report must not say so.
    result = run_monitor("--store-url", store, "--since", "1h", "--output", str(blocker / "r"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"cannot write the report to {blocker / 'r'}" in result.stderr
    assert "Traceback" not in result.stderr
