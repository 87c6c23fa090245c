"""GET /api/v1/health: liveness plus the versions and the deploy that are serving.
GET /api/v1/ready: readiness, the question a load balancer asks (app/core/readiness.py)."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app import __version__ as api_version
from app.api.deps import SettingsDep
from app.core.config import API_V1_PREFIX
from app.core.readiness import not_ready
from app.schemas.health import HealthResponse, ReadyResponse
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


@router.get(
    "/ready",
    response_model=ReadyResponse,
    responses={503: {"model": ReadyResponse, "description": "Not ready, with the reason"}},
)
async def ready(request: Request) -> ReadyResponse | JSONResponse:
    """200 when this process should get traffic; 503 with the reason while the model loads, the
    store's schema is not current, or the process drains after SIGTERM."""
    reason = not_ready(request.app)
    if reason is None:
        return ReadyResponse(status="ready")
    body = ReadyResponse(status="not ready", reason=reason).model_dump()
    return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})
