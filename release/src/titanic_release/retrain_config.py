"""make retrain's own settings, read from retrain.yml next to this module and validated.

They belong to the release machinery like the gate's tolerances (gate.yml): how many labelled
rows are enough to retrain, not how the model is trained (that stays the package's config.yml).
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from titanic_model.settings_yaml import load_yaml_settings
from titanic_paired.rules import Tolerance

RETRAIN_FILE = Path(__file__).resolve().with_name("retrain.yml")


class RetrainConfigError(RuntimeError):
    """retrain.yml is missing, unreadable or invalid; the message names the field."""


class NonInferiority(BaseModel):
    """How much worse than the current version a retrained candidate may be, on held-out rows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_held_out_rows: int = Field(ge=1)
    confidence: float = Field(gt=0.5, lt=1)
    mcnemar_alpha: float = Field(gt=0, lt=1)
    bootstrap_resamples: int = Field(ge=100)
    seed: int
    tolerance: Tolerance


class RetrainSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_labelled_rows: int = Field(ge=1)
    max_labelled_rows: int = Field(ge=1)
    non_inferiority: NonInferiority


def load_retrain_settings(path: Path = RETRAIN_FILE) -> RetrainSettings:
    """Read and validate a retrain file; raise RetrainConfigError naming every bad field."""
    return load_yaml_settings(path, RetrainSettings, "retrain", RetrainConfigError)
