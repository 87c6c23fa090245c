"""GET /api/v1/health: liveness plus the versions and the deploy that are serving."""

from fastapi import FastAPI

from app import __version__ as api_version
from app.core.config import API_V1_PREFIX, Settings
from app.schemas.health import HealthResponse
from titanic_model import __version__ as model_version


def add_health_route(app: FastAPI, settings: Settings) -> None:
    answer = HealthResponse(
        name=settings.PROJECT_NAME,
        api_version=api_version,
        model_version=model_version,
        release_id=settings.RELEASE_ID,
        status="ok",
    )

    @app.get(f"{API_V1_PREFIX}/health", response_model=HealthResponse, tags=["health"])
    async def health() -> HealthResponse:
        """The service is up and its model is loaded (the model loads before serving starts)."""
        return answer
