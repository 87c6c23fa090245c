"""GET /api/v1/model: the model card, from the package's own metadata (read once)."""

from functools import cache

from fastapi import APIRouter

from app.core.config import API_V1_PREFIX
from app.schemas.model import ModelCard, ModelFeatures
from titanic_model import model_metadata

router = APIRouter(prefix=API_V1_PREFIX, tags=["model"])


@cache
def model_card() -> ModelCard:
    """Built on first call, when the lifespan has loaded the model."""
    metadata = model_metadata()
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


@router.get("/model", response_model=ModelCard)
async def model() -> ModelCard:
    """Version, training time and commit, data and artifact checksums, features, metrics."""
    return model_card()
