"""make retrain's teeth, on a real SQLite store filled by the real API (its predict and outcomes
routes) and a real local index: outcomes that agree with the training data give a candidate that
passes and is published; outcomes that contradict it for one segment are refused by the
held-out non-inferiority verdict, the change report names the segment, and nothing is built or
published (test_retrain_verdicts.py has the four kinds of labels). Too few labelled rows write
nothing; duplicates and rows the contract rejects are left out and counted
(test_retrain_versions.py: the candidate's version scheme and the command's refusals).
"""

import hashlib
import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from api_traffic import INPUTS, send_outcomes, send_through_api
from packaging.version import Version
from titanic_release import venvs
from titanic_release.baseline import capture_published
from titanic_release.candidate_version import candidate_version
from titanic_release.inputs import INPUT_FIELDS, InputSet, build_input_set, write_input_file
from titanic_release.local_index import LocalIndex, running_index
from titanic_release.project import API_DIR, DIST_NAME, PACKAGE_DIR
from titanic_release.retrain import SNAPSHOT_FILE, capture_candidate, main, retrain
from titanic_release.retrain_config import load_retrain_settings
from titanic_release.retrain_rows import DUPLICATE_ID, REJECTED_BY_CONTRACT, usable_rows
from titanic_release.simple_index import SimpleIndex, version_of
from titanic_release.traffic import read_traffic

from differential_tests.store_rows import stored_inputs, stored_row, write_traffic
from titanic_model import __version__, model_metadata, reference_data
from titanic_store.engine import open_engine
from titanic_store.inserts import insert_outcomes, insert_rows
from titanic_store.rows import OutcomeRow

pytestmark = pytest.mark.differential

WINDOW = timedelta(days=90)
CONSISTENT_ROWS = 150
MINIMUM = load_retrain_settings().min_labelled_rows


def _training_records() -> tuple[list[dict[str, Any]], list[int]]:
    """The historical training split's passengers (never the held-out ones) and their outcomes."""
    frame = reference_data("train").astype(object)
    frame = frame.where(frame.notna(), None)
    records = [{field: row[field] for field in INPUT_FIELDS} for _, row in frame.iterrows()]
    return records, [int(label) for label in frame["survived"]]


def _through_the_api(url: str, records: list[dict[str, Any]], truth: list[int | None]) -> None:
    """The passengers through the API's predict route, then their outcomes through its outcomes
    route, as production and a labelling job fill the store."""
    ids = send_through_api(pd.DataFrame.from_records(records, columns=INPUTS), url)
    labelled = [
        (id_, label)
        for id_, label in zip(ids, truth, strict=True)
        if id_ is not None and label is not None
    ]
    send_outcomes(url, labelled)


def _sqlite(path: Path) -> str:
    return f"sqlite:///{path / 'store.sqlite3'}"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIndex]:
    with running_index(tmp_path_factory.mktemp("index")) as running:
        yield running


def _on_index(index: LocalIndex) -> set[str]:
    return {
        str(version_of(name, DIST_NAME))
        for name in SimpleIndex(index.authenticated_simple_url()).files(DIST_NAME)
    }


def _untouched() -> dict[str, bytes]:
    """What retraining must never change: the API's pin and the source tree's trained model."""
    files = [API_DIR / "requirements.txt", *sorted((PACKAGE_DIR / "trained_models").iterdir())]
    return {str(path): path.read_bytes() for path in files}


def _run(url: str, tmp: Path, index: LocalIndex, now: datetime) -> tuple[int, Path, Path]:
    build_dir, report_dir = tmp / "build", tmp / "reports"
    before = _untouched()
    code = retrain(
        url, WINDOW, index.twine_env, build_dir=build_dir, report_dir=report_dir, now=now
    )
    assert _untouched() == before
    version = candidate_version(__version__, now)
    return code, build_dir / version, report_dir / version


def test_outcomes_that_agree_with_the_data_give_a_published_candidate(
    tmp_path: Path, index: LocalIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    records, truth = _training_records()
    refused = [{"pclass": 4, "sex": "male"}] * 4  # answered with errors, stored without inputs
    _through_the_api(
        _sqlite(tmp_path),
        records[:CONSISTENT_ROWS] + refused,
        [*truth[:CONSISTENT_ROWS], *[None] * len(refused)],
    )
    now = datetime.now(UTC)

    code, work, reports = _run(_sqlite(tmp_path), tmp_path, index, now)

    printed = capsys.readouterr().out
    assert code == 0, printed
    version = candidate_version(__version__, now)
    held_out = (reports / "held_out.md").read_text(encoding="utf-8")
    traffic = (reports / "traffic.md").read_text(encoding="utf-8")
    assert held_out.startswith("# Differential report: PASS")
    assert traffic.startswith("# Differential report: PASS")
    assert f"**{__version__}**" in held_out
    assert f"**{version}**" in held_out
    assert f"all {CONSISTENT_ROWS} scored rows" in traffic
    metadata = json.loads((reports / "metadata.json").read_text(encoding="utf-8"))
    production = metadata["production_data"]
    assert metadata["version"] == version
    assert metadata["data_sha256"] == model_metadata().data_sha256
    repeats = _held_out_repeats(records[:CONSISTENT_ROWS])
    assert production["rows"] == CONSISTENT_ROWS - repeats
    assert metadata["rows"]["train"] == len(records) + CONSISTENT_ROWS - repeats
    snapshot = work / SNAPSHOT_FILE
    assert production["sha256"] == _sha256(snapshot)
    assert production["left_out"] == {
        DUPLICATE_ID: 0,
        REJECTED_BY_CONTRACT: 0,
        "held_out_passenger": repeats,
        "rejected_by_api": 4,
    }
    assert len(pd.read_csv(snapshot)) == CONSISTENT_ROWS - repeats
    assert version in _on_index(index)
    assert f"published {version}" in printed
    _pip_downloads(index, version, tmp_path / "downloaded")
    _published_answers_as_gated(index, version, work / "source", tmp_path / "published")


def _held_out_repeats(records: list[dict[str, Any]]) -> int:
    """Training passengers the store keeps exactly as it keeps a held-out one (same class, sex,
    age, family, fare, port, title and deck): the candidate may not learn those."""
    inputs = build_input_set()
    held_out = [stored_inputs(inputs.records[i]) for i in inputs.held_out_positions()]
    return sum(stored_inputs(record) in held_out for record in records)


def _published_answers_as_gated(
    index: LocalIndex, version: str, source: Path, workdir: Path
) -> None:
    """The package on the index, installed in a venv of its own (as the smoke test does for a
    promoted candidate), answers exactly as the candidate the gate compared."""
    workdir.mkdir()
    inputs_file = write_input_file(build_input_set(), workdir / "inputs.json")
    published = capture_published(version, index.authenticated_simple_url(), inputs_file, workdir)
    gated = capture_candidate(source, inputs_file, workdir)
    assert published["version"] == gated["version"] == version
    assert published["probabilities"] == gated["probabilities"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pip_downloads(index: LocalIndex, version: str, directory: Path) -> None:
    """pip itself finds exactly `version` on the index (an exact pin is the only way to get it)."""
    python = venvs.create(directory / "venv", with_pip=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--index-url",
            index.authenticated_simple_url(),
            "--dest",
            str(directory),
            f"{DIST_NAME}=={version}",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheels = [path.name for path in directory.glob("*.whl")]
    assert len(wheels) == 1
    assert version_of(wheels[0], DIST_NAME) == Version(version)


def test_outcomes_that_contradict_a_segment_are_refused_and_nothing_is_published(
    tmp_path: Path, index: LocalIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every first-class woman of the training split reported as dead: the candidate learns it,
    the verdict names the metric it lost and the change report the segment it moved."""
    records, truth = _training_records()
    women = [r for r in records if r["sex"] == "female" and r["pclass"] == 1]
    others = [(r, t) for r, t in zip(records, truth, strict=True) if r not in women][:60]
    _through_the_api(
        _sqlite(tmp_path),
        women + [r for r, _ in others],
        [*[0] * len(women), *[t for _, t in others]],
    )
    now = datetime.now(UTC) + timedelta(seconds=1)  # another version than the test above's

    code, work, reports = _run(_sqlite(tmp_path), tmp_path, index, now)

    printed = capsys.readouterr().out
    assert code == 1, printed
    held_out = (reports / "held_out.md").read_text(encoding="utf-8")
    assert held_out.startswith("# Differential report: FAIL")  # gate.yml's budgets, shown
    summary = json.loads((reports / "retrain.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "refuse"
    assert any("interval [" in reason for reason in summary["reasons"]), summary["reasons"]
    why = held_out.split("## Why it fails")[1].split("##")[0]
    assert "the largest effect by segment: sex=female, pclass=1: mean probability" in why
    segments = json.loads((reports / "held_out.json").read_text(encoding="utf-8"))["segments"]
    assert segments[0]["segment"] == "sex=female, pclass=1"
    assert segments[0]["shift"] < -0.2
    assert summary["published"] == []
    assert not (work / "dist").exists()
    assert candidate_version(__version__, now) not in _on_index(index)
    assert "non-inferiority on 262 held-out rows: REFUSED" in printed
    assert "was not built or published" in printed


def test_too_few_labelled_rows_exit_2_with_the_count_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records, truth = _training_records()
    few = MINIMUM - 1
    write_traffic(_sqlite(tmp_path), records[:few], truth[:few])
    write_traffic(_sqlite(tmp_path), records[few : few + 30], [None] * 30)  # no outcomes
    environ = {"RETRAIN_TEST_STORE": _sqlite(tmp_path)}
    before = sorted(tmp_path.rglob("*"))

    code = main(["--store-url", "env:RETRAIN_TEST_STORE", "--since", "90d"], environ)

    assert code == 2
    usable = few - _held_out_repeats(records[:few])
    assert (
        f"{usable} usable labelled rows, fewer than the minimum {MINIMUM}"
        in capsys.readouterr().err
    )
    assert sorted(tmp_path.rglob("*")) == before


def test_rows_the_contract_rejects_are_left_out_and_counted(tmp_path: Path) -> None:
    """A stored row with an input the contract refuses today (a fourth class) is not learnt."""
    records, truth = _training_records()
    url = _sqlite(tmp_path)
    write_traffic(url, records[:MINIMUM], truth[:MINIMUM])
    values = {
        "created_at": datetime.now(UTC),
        "request_id": "hand-written",
        "row_index": 0,
        "model_version": "0.0.0",
        "pclass": 4,
        "sex": "male",
        "prediction_id": "f" * 32,
    }
    engine = open_engine(url)
    with engine.begin() as connection:
        insert_rows(connection, [stored_row(values)])
        insert_outcomes(connection, [OutcomeRow("f" * 32, 1, datetime.now(UTC))])
    engine.dispose()

    labelled = read_traffic(url, WINDOW, labelled_only=True)
    rows = usable_rows(labelled.inputs)

    assert labelled.labelled_rows == MINIMUM + 1
    assert len(rows.row_ids) == MINIMUM
    assert rows.left_out == {DUPLICATE_ID: 0, REJECTED_BY_CONTRACT: 1}
    assert f"store:{'f' * 32}" not in rows.row_ids


def test_rows_that_appear_twice_are_left_out_and_counted() -> None:
    record = {"pclass": 3, "sex": "male", "age": 22.0}
    inputs = InputSet(
        row_ids=["store:a", "store:b", "store:b", "store:c"],
        subsets=["traffic"] * 4,
        records=[record] * 4,
        truth=[1, 0, 1, None],
    )
    rows = usable_rows(inputs)
    assert rows.row_ids == ["store:a"]
    assert rows.left_out == {DUPLICATE_ID: 2, REJECTED_BY_CONTRACT: 0}
