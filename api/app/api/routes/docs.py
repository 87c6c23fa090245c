"""GET /docs and /favicon.ico, served by the app itself: no CDN, so the docs work offline.

FastAPI's default /docs page loads Swagger UI's JS and CSS from a CDN, which leaves it blank on a
private network or under a strict Content-Security-Policy. The same page is built here with the
assets of the `fastapi-offline` package (Swagger UI 5), mounted under /static/docs.
"""

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.api.deps import SettingsDep
from app.core.config import API_V1_PREFIX

SWAGGER_ASSETS = Path(str(files("fastapi_offline") / "static"))
SWAGGER_ASSETS_URL = "/static/docs"
FAVICON = Path(__file__).resolve().parents[2] / "static" / "favicon.ico"

router = APIRouter()
router.mount(SWAGGER_ASSETS_URL, StaticFiles(directory=SWAGGER_ASSETS), name="swagger-assets")


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
async def docs(settings: SettingsDep) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=f"{API_V1_PREFIX}/openapi.json",
        title=f"{settings.PROJECT_NAME} - docs",
        swagger_js_url=f"{SWAGGER_ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url="/favicon.ico",
        # No call to the public validator service: nothing leaves the network.
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> FileResponse:
    return FileResponse(FAVICON, media_type="image/x-icon")
