"""make retrain's own settings, read from retrain.yml next to this module and validated.

They belong to the release machinery like the gate's tolerances (gate.yml): how many labelled
rows are enough to retrain, not how the model is trained (that stays the package's config.yml).
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from titanic_release.settings_files import load_settings_file

RETRAIN_FILE = Path(__file__).resolve().with_name("retrain.yml")


class RetrainConfigError(RuntimeError):
    """retrain.yml is missing, unreadable or invalid; the message names the field."""


class RetrainSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_labelled_rows: int = Field(ge=1)
    max_labelled_rows: int = Field(ge=1)


def load_retrain_settings(path: Path = RETRAIN_FILE) -> RetrainSettings:
    """Read and validate a retrain file; raise RetrainConfigError naming every bad field."""
    return load_settings_file(path, RetrainSettings, RetrainConfigError, "retrain")
