"""GET /api/v1/model: the model card, from the package's own metadata (read once at start)."""

from fastapi import FastAPI

from app.core.config import API_V1_PREFIX
from app.schemas.model import ModelCard, ModelFeatures
from titanic_model import ModelMetadata, model_metadata


def model_card(metadata: ModelMetadata) -> ModelCard:
    return ModelCard(
        version=metadata.version,
        trained_at=metadata.trained_at,
        git_commit=metadata.git_commit,
        data_file=metadata.data_file,
        data_sha256=metadata.data_sha256,
        artifact_sha256=metadata.artifact_sha256,
        features=ModelFeatures.model_validate(metadata.config.features.model_dump()),
        training_rows=metadata.rows.train,
        held_out_rows=metadata.rows.held_out,
        held_out_metrics=metadata.held_out_metrics.model_dump(),
    )


def add_model_route(app: FastAPI) -> None:
    card: list[ModelCard] = []  # filled on first call: the model is loaded by then

    @app.get(f"{API_V1_PREFIX}/model", response_model=ModelCard, tags=["model"])
    async def model() -> ModelCard:
        """Version, training time and commit, data and artifact checksums, features, metrics."""
        if not card:
            card.append(model_card(model_metadata()))
        return card[0]
