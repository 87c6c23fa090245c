"""The drift thresholds file: the shipped one loads, a bad one is refused naming the field."""

from pathlib import Path

import pytest

from titanic_model.settings_yaml import SettingsError
from titanic_monitoring.thresholds import load_thresholds


def test_the_shipped_thresholds_load() -> None:
    thresholds = load_thresholds()
    assert thresholds.numerical.method == "wasserstein"
    assert thresholds.categorical.method == "jensenshannon"
    assert 0 <= thresholds.verdict.max_rejected_row_share <= 1


def test_a_p_value_method_and_a_missing_rule_are_named(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.yml"
    path.write_text(
        "numerical: {method: ks, threshold: 0.05}\n"
        "categorical: {method: jensenshannon, threshold: 0.15}\n"
        "verdict: {max_drifted_feature_share: 0, prediction_drift_fails: true}\n"
    )
    with pytest.raises(SettingsError) as raised:
        load_thresholds(path)
    assert isinstance(raised.value, ValueError)  # what the CLI reports as "no report"
    assert str(raised.value).startswith(f"invalid thresholds file {path}:\n")
    assert "\n  numerical.method: " in str(raised.value)
    assert "\n  verdict.max_rejected_row_share: Field required" in str(raised.value)


def test_a_file_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.yml"
    path.write_text("numerical: [unclosed\n")
    with pytest.raises(ValueError, match=r"thresholds file .* is not YAML"):
        load_thresholds(path)
