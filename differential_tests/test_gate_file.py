"""The gate's tolerances come from the gate's own file, are validated, and the report names them."""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from titanic_release.compare import compare
from titanic_release.gate import GATE_FILE, GateConfigError, load_gate
from titanic_release.inputs import InputSet
from titanic_release.project import REPO_ROOT
from titanic_release.report import write_report

import titanic_model

pytestmark = pytest.mark.differential

LOOSENED = {
    "max_abs_probability_diff": 0.5,
    "max_mean_abs_probability_diff": 0.2,
    "max_flipped_label_share": 0.3,
    "max_accuracy_drop": 0.1,
    "max_roc_auc_drop": 0.1,
    "max_brier_increase": 0.1,
}


def test_the_tolerances_do_not_ship_in_the_candidate() -> None:
    package_dir = Path(titanic_model.__file__).resolve().parent
    shipped_config = yaml.safe_load((package_dir / "config.yml").read_text(encoding="utf-8"))
    assert "differential" not in shipped_config
    assert package_dir not in GATE_FILE.parents
    assert GATE_FILE.is_relative_to(REPO_ROOT / "release")


def test_the_gate_file_is_read_as_written() -> None:
    written = yaml.safe_load(GATE_FILE.read_text(encoding="utf-8"))
    gate = load_gate()
    assert gate.source == GATE_FILE
    assert gate.tolerances.model_dump() == written


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"max_roc_auc_drop": -0.01}, "max_roc_auc_drop"),
        ({"max_flipped_label_share": 1.5}, "max_flipped_label_share"),
        ({"max_brier_increse": 0.01}, "max_brier_increse"),
    ],
)
def test_an_invalid_gate_file_names_the_field(
    tmp_path: Path, change: dict[str, float], field: str
) -> None:
    path = tmp_path / "gate.yml"
    path.write_text(yaml.safe_dump({**LOOSENED, **change}), encoding="utf-8")
    with pytest.raises(GateConfigError, match=rf"^invalid gate file .*:\n  {field}: "):
        load_gate(path)


def test_the_report_names_the_gate_file_and_its_values(
    tmp_path: Path, candidate_capture: dict[str, Any], inputs: InputSet
) -> None:
    loosened = tmp_path / "loosened-gate.yml"
    loosened.write_text(yaml.safe_dump(LOOSENED), encoding="utf-8")
    comparison = compare(
        candidate_capture,
        candidate_capture,
        inputs,
        load_gate(loosened),
        baseline_origin="test",
        candidate_origin="test",
    )
    markdown = write_report(comparison, "loosened", tmp_path).read_text(encoding="utf-8")
    report = json.loads((tmp_path / "loosened.json").read_text(encoding="utf-8"))

    assert report["tolerances"] == {"file": str(loosened), "values": LOOSENED}
    assert f"tolerances from `{loosened}`" in markdown
    assert "| max_abs_probability_diff | 0.0000 | 0.5000 | ok |" in markdown
