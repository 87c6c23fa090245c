"""The drift and quality thresholds, from thresholds.yml next to this module (or a file given on
the command line).

Read as the model's config.yml and the differential gate's gate.yml are
(titanic_model.settings_yaml): YAML validated by pydantic, the error naming every bad field.
"""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from titanic_model.settings_yaml import load_yaml_settings

DEFAULT_FILE = Path(__file__).with_name("thresholds.yml")
QUALITY_METRICS = ("accuracy", "roc_auc", "brier", "log_loss")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DriftTest(_Strict):
    # Distances only: higher is more drift, and "drifted" means score >= threshold for all of them.
    method: Literal["wasserstein", "jensenshannon", "psi", "hellinger"]
    threshold: float = Field(gt=0)


class Verdict(_Strict):
    max_drifted_feature_share: float = Field(ge=0, le=1)
    prediction_drift_fails: bool
    max_rejected_row_share: float = Field(ge=0, le=1)


class Tolerance(_Strict):
    """How far each metric may fall short of the model card's held-out figure (quality.py)."""

    accuracy: float = Field(ge=0)
    roc_auc: float = Field(ge=0)
    brier: float = Field(ge=0)
    log_loss: float = Field(ge=0)


class QualityThresholds(_Strict):
    tolerance: Tolerance
    min_labelled_rows: int = Field(ge=2)
    bootstrap_resamples: int = Field(ge=100)


class Thresholds(_Strict):
    numerical: DriftTest
    categorical: DriftTest
    verdict: Verdict
    quality: QualityThresholds


def load_thresholds(path: Path = DEFAULT_FILE) -> Thresholds:
    """Read and validate a thresholds file; raises SettingsError (a ValueError) when it cannot be
    read, is not YAML or is not valid, naming every bad field."""
    return load_yaml_settings(path, Thresholds, "thresholds")
