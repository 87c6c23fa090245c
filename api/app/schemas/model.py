"""The model card: which model is serving, what it was trained on, how well it did."""

from pydantic import BaseModel, Field


class ModelFeatures(BaseModel):
    categorical: list[str] = Field(description="Categorical inputs, one-hot encoded")
    numeric: list[str] = Field(description="Numeric inputs, imputed and scaled")
    engineered: list[str] = Field(
        description="Derived from text inputs: title (name), deck (cabin)"
    )


class ModelCard(BaseModel):
    version: str = Field(description="Version of the titanic-survival-model package")
    trained_at: str = Field(description="When the artifact was trained (UTC, ISO 8601)")
    git_commit: str | None = Field(description="Commit of the code that trained it")
    data_file: str = Field(description="Training data file in the package")
    data_sha256: str = Field(description="sha256 of the training data file")
    artifact_sha256: str = Field(description="sha256 of the serialized pipeline")
    features: ModelFeatures
    training_rows: int = Field(description="Rows the model was fitted on")
    held_out_rows: int = Field(description="Rows of the held-out split the metrics come from")
    held_out_metrics: dict[str, float] = Field(
        description="Metrics on the held-out split: accuracy, roc_auc, brier, f1, log_loss"
    )
