"""GET /api/v1/health: liveness plus the versions and the deploy that are serving."""

from fastapi import APIRouter

from app import __version__ as api_version
from app.api.deps import SettingsDep
from app.core.config import API_V1_PREFIX
from app.schemas.health import HealthResponse
from titanic_model import __version__ as model_version

router = APIRouter(prefix=API_V1_PREFIX, tags=["health"])


@router.get("/health", response_model=HealthResponse)
async def health(settings: SettingsDep) -> HealthResponse:
    """The service is up and its model is loaded (the model loads before serving starts)."""
    return HealthResponse(
        name=settings.PROJECT_NAME,
        api_version=api_version,
        model_version=model_version,
        release_id=settings.RELEASE_ID,
        status="ok",
    )
