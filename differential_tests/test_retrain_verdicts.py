"""make retrain tells better from different: the four kinds of outcomes a labelling job could send.

Every titanic3 passenger goes through the real API once (a template store); each case copies that
store and posts its outcomes through the API's outcomes route, then runs the retrain. Honest
labels publish a candidate; flipped, one-group-zeroed and 30 %-flipped labels are refused, each
naming the metric and its interval. The figures are checked against scikit-learn's metrics of the
two models' own held-out answers, and the margins against retrain.yml as written, so neither
comes from the code under test.
"""

import json
import random
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from api_traffic import INPUTS, send_outcomes, send_through_api
from sklearn.metrics import accuracy_score, brier_score_loss, log_loss, roc_auc_score
from titanic_release.capture import capture
from titanic_release.inputs import INPUT_FIELDS, build_input_set, write_input_file
from titanic_release.local_index import LocalIndex, running_index
from titanic_release.retrain import capture_candidate, retrain
from titanic_release.retrain_config import RETRAIN_FILE

from differential_tests.store_rows import stored_inputs
from titanic_model import reference_data

pytestmark = pytest.mark.differential

WINDOW = timedelta(days=90)
MARGINS = yaml.safe_load(RETRAIN_FILE.read_text(encoding="utf-8"))["non_inferiority"]["tolerance"]
REASON = re.compile(
    r"^(\w+): candidate worse by ([+-][\d.]+), 95% interval \[([+-][\d.]+), ([+-][\d.]+)\] "
    r"reaches beyond the tolerance ([\d.]+)$"
)
Passengers = tuple[list[dict[str, Any]], list[int]]


def _passengers(split: str) -> Passengers:
    frame = reference_data(split).astype(object)
    frame = frame.where(frame.notna(), None)
    records = [{field: row[field] for field in INPUT_FIELDS} for _, row in frame.iterrows()]
    return records, [int(label) for label in frame["survived"]]


@pytest.fixture(scope="module")
def titanic3() -> Passengers:
    """Every passenger of the dataset: the training split, then the held-out one."""
    train, held_out = _passengers("train"), _passengers("held_out")
    return train[0] + held_out[0], train[1] + held_out[1]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, titanic3: Passengers) -> tuple[Path, list]:
    """A store holding every passenger as answered by the API, no outcome yet; and the ids."""
    path = tmp_path_factory.mktemp("template") / "store.sqlite3"
    frame = pd.DataFrame.from_records(titanic3[0], columns=INPUTS)
    return path, send_through_api(frame, f"sqlite:///{path}")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with running_index(tmp_path_factory.mktemp("index")) as running:
        yield running


def _held_out_repeats(records: list[dict[str, Any]]) -> int:
    """How many of `records` the store keeps exactly as it keeps some held-out passenger."""
    held_out = [stored_inputs(record) for record in _passengers("held_out")[0]]
    return sum(stored_inputs(record) in held_out for record in records)


def _sklearn_figures(probabilities: list[float], truth: list[int]) -> dict[str, float]:
    return {
        "accuracy": float(accuracy_score(truth, [p >= 0.5 for p in probabilities])),
        "roc_auc": float(roc_auc_score(truth, probabilities)),
        "brier": float(brier_score_loss(truth, probabilities)),
        "log_loss": float(log_loss(truth, probabilities)),
    }


def _run_case(
    tmp_path: Path,
    template: tuple[Path, list],
    index: LocalIndex,
    labels: list[int | None],
    seconds: int,
) -> tuple[int, dict[str, Any], str]:
    """Outcomes `labels` (None: not labelled) posted for the template's rows, then retrain."""
    store = tmp_path / "store.sqlite3"
    shutil.copy(template[0], store)
    url = f"sqlite:///{store}"
    pairs = [(id_, y) for id_, y in zip(template[1], labels, strict=True) if y is not None]
    send_outcomes(url, pairs)
    now = datetime.now(UTC) + timedelta(seconds=seconds)  # a version of its own per case
    code = retrain(
        url, WINDOW, index.twine_env, build_dir=tmp_path / "b", report_dir=tmp_path / "r", now=now
    )
    (reports,) = (tmp_path / "r").iterdir()
    summary = json.loads((reports / "retrain.json").read_text(encoding="utf-8"))
    (source,) = (tmp_path / "b").glob("*/source")
    return code, summary, str(source)


def _check_figures(summary: dict[str, Any], source: str, tmp_path: Path) -> dict[str, Any]:
    """The reported figures are scikit-learn's on both models' own held-out answers."""
    inputs = build_input_set()
    positions = inputs.held_out_positions()
    truth = [int(inputs.truth[i] or 0) for i in positions]
    inputs_file = write_input_file(inputs, tmp_path / "inputs.json")
    current = capture(inputs_file)["probabilities"]
    candidate = capture_candidate(Path(source), inputs_file, tmp_path)["probabilities"]
    live = _sklearn_figures([current[i] for i in positions], truth)
    new = _sklearn_figures([candidate[i] for i in positions], truth)
    differences = {d["metric"]: d for d in summary["non_inferiority"]["differences"]}
    assert summary["non_inferiority"]["held_out_rows"] == len(positions) == 262
    for metric in MARGINS:
        assert differences[metric]["live"] == pytest.approx(live[metric], abs=1e-9)
        assert differences[metric]["candidate"] == pytest.approx(new[metric], abs=1e-9)
    return differences


def _refusals(summary: dict[str, Any]) -> dict[str, tuple[float, float, float]]:
    """Each named metric's (low, high, margin); every reason must name one with its interval."""
    named = {}
    for reason in summary["reasons"]:
        match = REASON.match(reason)
        assert match, reason
        metric, _, low, high, margin = match.groups()
        assert float(margin) == MARGINS[metric]
        assert float(high) > MARGINS[metric]
        named[metric] = (float(low), float(high), float(margin))
    return named


def test_honest_labels_of_every_passenger_publish_a_candidate(
    tmp_path: Path, template: tuple[Path, list], index: LocalIndex, titanic3: Passengers
) -> None:
    records, truth = titanic3
    code, summary, source = _run_case(tmp_path, template, index, list(truth), 10)
    assert code == 0, summary
    assert summary["verdict"] == "publish"
    assert summary["published"]
    repeats = _held_out_repeats(records)
    assert repeats >= 262  # each held-out passenger comes back as a production outcome
    assert summary["left_out"]["held_out_passenger"] == repeats
    assert summary["production_rows"] == len(records) - repeats
    differences = _check_figures(summary, source, tmp_path)
    for metric, margin in MARGINS.items():
        assert differences[metric]["high"] <= margin


def test_300_honest_training_passengers_improve_every_metric_beyond_the_change_budget_and_pass(
    tmp_path: Path, template: tuple[Path, list], index: LocalIndex, titanic3: Passengers
) -> None:
    """What the code-change budgets refused: every held-out metric better, the model moved."""
    truth = titanic3[1]
    labels: list[int | None] = [*truth[:300], *[None] * (len(truth) - 300)]
    code, summary, source = _run_case(tmp_path, template, index, labels, 11)
    assert code == 0, summary
    assert summary["published"]
    assert summary["change_budgets"]["held_out"] != "within"  # the old gate's refusal
    differences = _check_figures(summary, source, tmp_path)
    for metric in MARGINS:
        assert differences[metric]["worse_by"] <= 0, differences[metric]
    assert sum(d["worse_by"] < 0 for d in differences.values()) >= 3


def _flipped(records: list[dict[str, Any]], truth: list[int]) -> list[int | None]:
    return [1 - label for label in truth]


def _first_class_women_zeroed(records: list[dict[str, Any]], truth: list[int]) -> list[int | None]:
    return [
        0 if record["sex"] == "female" and record["pclass"] == 1 else label
        for record, label in zip(records, truth, strict=True)
    ]


def _thirty_percent_flipped(records: list[dict[str, Any]], truth: list[int]) -> list[int | None]:
    flipped = set(random.Random(30).sample(range(len(truth)), k=len(truth) * 3 // 10))
    return [1 - y if i in flipped else y for i, y in enumerate(truth)]


@pytest.mark.parametrize(
    ("labelling", "seconds"),
    [(_flipped, 12), (_first_class_women_zeroed, 13), (_thirty_percent_flipped, 14)],
    ids=["flipped", "one_group_zeroed", "thirty_percent_flipped"],
)
def test_dishonest_labels_are_refused_naming_the_metric_and_its_interval(
    tmp_path: Path,
    template: tuple[Path, list],
    index: LocalIndex,
    titanic3: Passengers,
    labelling: Callable[[list[dict[str, Any]], list[int]], list[int | None]],
    seconds: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, summary, source = _run_case(tmp_path, template, index, labelling(*titanic3), seconds)
    printed = capsys.readouterr().out
    assert code == 1, printed
    assert summary["verdict"] == "refuse"
    assert summary["published"] == []
    named = _refusals(summary)
    assert "brier" in named  # calibration suffers first from wrong labels
    differences = _check_figures(summary, source, tmp_path)
    for metric, (low, high, _) in named.items():
        assert differences[metric]["low"] == pytest.approx(low, abs=5e-5)
        assert differences[metric]["high"] == pytest.approx(high, abs=5e-5)
        assert f"refused: {metric}: candidate worse by" in printed
    with capsys.disabled():
        print(f"\n{labelling.__name__}: " + "; ".join(summary["reasons"]))
