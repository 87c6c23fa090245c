"""The shadow report's decision rules, from shadow.yml next to this module (or --rules FILE).

One settings file, as thresholds.yml is for the drift report: the tolerances and the minimum of
labelled paired rows are reviewed changes, and docs/shadow.md justifies their values.
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from titanic_model.settings_yaml import load_yaml_settings

DEFAULT_FILE = Path(__file__).with_name("shadow.yml")
METRICS = ("accuracy", "roc_auc", "brier", "log_loss")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tolerance(_Strict):
    accuracy: float = Field(ge=0)
    roc_auc: float = Field(ge=0)
    brier: float = Field(ge=0)
    log_loss: float = Field(ge=0)


class Rules(_Strict):
    min_labelled_pairs: int = Field(ge=1)
    confidence: float = Field(gt=0.5, lt=1)
    mcnemar_alpha: float = Field(gt=0, lt=1)
    bootstrap_resamples: int = Field(ge=100)
    seed: int
    tolerance: Tolerance
    max_report_age_hours: float = Field(gt=0)
    age_bands: list[float] = Field(min_length=1)


def load_rules(path: Path = DEFAULT_FILE) -> Rules:
    """Read and validate a rules file; raises SettingsError naming every bad field."""
    return load_yaml_settings(path, Rules, "shadow rules")
