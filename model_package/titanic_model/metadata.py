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


class ProductionData(_Record):
    """Labelled rows of the prediction store that a retrained candidate trained on beside the
    historical training split (`make retrain` writes the snapshot)."""

    file: str = Field(description="the snapshot: prediction ids, inputs and outcomes, as CSV")
    sha256: str
    rows: int = Field(ge=0, description="rows of the snapshot, all of them trained on")
    store: str = Field(description="the store's URL without its password")
    since: str = Field(description="start of the window read, UTC, ISO 8601")
    until: str = Field(description="when the window was read, UTC, ISO 8601")
    left_out: dict[str, int] = Field(description="labelled rows not trained on, by reason")


class ModelMetadata(_Record):
    version: str
    trained_at: str = Field(description="UTC, ISO 8601")
    git_commit: str | None = Field(description="the commit trained from, if in a git checkout")
    data_file: str
    data_sha256: str
    training_fingerprint: str = Field(description="sha256 of the data and the model's code")
    rows: Rows = Field(description="train counts production rows too (production_data.rows)")
    held_out_metrics: HeldOutMetrics
    config: AppConfig
    library_versions: dict[str, str]
    artifact_file: str = Field(description="the pickled scikit-learn pipeline")
    artifact_sha256: str
    scorer_file: str = Field(description="the compiled scorer that serves")
    scorer_sha256: str
    production_data: ProductionData | None = Field(
        default=None, description="None unless retrained on the prediction store's outcomes"
    )
