"""What a trained version records about itself, typed: training writes it, serving reads it.

One file per version (titanic_model_v{version}.json). `model_metadata()` returns it, and the
API's model card, the page and `titanic-model info` show it: a field renamed here breaks them at
type-checking time, not in production.
"""

from pydantic import BaseModel, ConfigDict, Field

from titanic_model.config import AppConfig


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rows(_Record):
    total: int = Field(ge=0)
    train: int = Field(ge=0)
    held_out: int = Field(ge=0)


class HeldOutMetrics(_Record):
    """Scored on the held-out split; a label is 1 when its probability is above 0.5."""

    roc_auc: float
    accuracy: float
    f1: float
    log_loss: float
    brier: float


class ModelMetadata(_Record):
    version: str
    trained_at: str = Field(description="UTC, ISO 8601")
    git_commit: str | None = Field(description="the commit trained from, if in a git checkout")
    data_file: str
    data_sha256: str
    training_fingerprint: str = Field(description="sha256 of the data and the model's code")
    rows: Rows
    held_out_metrics: HeldOutMetrics
    config: AppConfig
    library_versions: dict[str, str]
    artifact_file: str = Field(description="the pickled scikit-learn pipeline")
    artifact_sha256: str
    scorer_file: str = Field(description="the compiled scorer that serves")
    scorer_sha256: str
