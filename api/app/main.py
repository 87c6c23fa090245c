"""Builds the FastAPI app; `app.main:app` is what uvicorn serves (see api/Procfile)."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from loguru import logger

from app import __version__ as api_version
from app.api.router import api_router
from app.core import metrics
from app.core.access_log import AccessLog
from app.core.body_limit import BodySizeLimitMiddleware
from app.core.config import API_V1_PREFIX, Settings, get_settings
from app.core.drain import ShutdownCutoffMiddleware, delay_sigterm
from app.core.errors import register_error_handlers
from app.core.load_shed import LoadShedMiddleware
from app.core.logging import setup_logging
from app.core.middleware import RequestLogMiddleware
from app.core.readiness import mark_draining, mark_model_loaded
from app.core.responses import SafeJSONResponse
from app.schemas.predict import EXAMPLE_PASSENGER
from app.shadow.lifecycle import shadow_role_settings, start_shadow, stop_shadow
from app.shadow.settings import ShadowSettings, get_shadow_settings
from app.store.writer import PredictionWriter
from titanic_model import __version__ as model_version
from titanic_model import make_prediction, warm_up

# Start-up waits this long for the store's first schema check (a new SQLite store is upgraded
# then), so that a server that answers its health is ready too unless the database is slow.
STORE_CHECK_WAIT_S = 30.0


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load and warm the model and check the store's schema before accepting traffic, so the first
    request is as fast as any and its rows can be stored."""
    started = time.perf_counter()
    warm_up()
    make_prediction(input_data=EXAMPLE_PASSENGER)
    loaded_ms = (time.perf_counter() - started) * 1000
    logger.info("model {version} loaded in {ms:.0f} ms", version=model_version, ms=loaded_ms)
    metrics.MODEL_INFO.labels(version=model_version).set(1)
    warn_if_metrics_are_per_worker(app.state.settings)
    shadow_role = app.state.shadow_settings.is_shadow  # records no predict answer of its own
    store = None if shadow_role else start_prediction_store(app.state.settings)
    app.state.prediction_store = store
    if store is not None and not await asyncio.to_thread(store.wait_checked, STORE_CHECK_WAIT_S):
        logger.warning("prediction store: schema not checked yet; not ready until it is")
    start_shadow(app, model_version)
    mark_model_loaded(app, True)
    delay_sigterm(app, app.state.settings.SHUTDOWN_DELAY_S)
    yield
    mark_draining(app)
    mark_model_loaded(app, False)
    stop_shadow(app)
    if app.state.prediction_store is not None:
        app.state.prediction_store.close()  # writes every queued row before the process ends
    metrics.mark_worker_stopped()
    app.state.access_log.flush()  # the last requests' lines, before the process ends


def warn_if_metrics_are_per_worker(settings: Settings) -> None:
    """Several workers started without app.launch would each count only their own requests."""
    if settings.WEB_CONCURRENCY > 1 and metrics.MULTIPROC_DIR is None:
        logger.warning(
            "WEB_CONCURRENCY={workers} without a shared metrics directory: each scrape counts one "
            "worker only; start with `python -m app.launch uvicorn ...` (api/Procfile)",
            workers=settings.WEB_CONCURRENCY,
        )


def start_prediction_store(settings: Settings) -> PredictionWriter | None:
    """The background writer of the prediction store, or None when PREDICTION_STORE_URL=off."""
    if settings.PREDICTION_STORE_URL is None:
        logger.info("prediction store off")
        return None
    writer = PredictionWriter(
        settings.PREDICTION_STORE_URL,
        max_rows=settings.STORE_QUEUE_ROWS,
        max_bytes=settings.STORE_QUEUE_BYTES,
        flush_interval_s=settings.STORE_FLUSH_INTERVAL_MS / 1000,
        shutdown_timeout_s=settings.STORE_SHUTDOWN_TIMEOUT_S,
        connect_timeout_s=settings.STORE_CONNECT_TIMEOUT_S,
        statement_timeout_s=settings.STORE_STATEMENT_TIMEOUT_S,
        read_timeout_s=settings.STORE_READ_TIMEOUT_S,
    )
    writer.start()
    logger.info("prediction store on ({backend})", backend=writer.backend)
    return writer


def create_app(settings: Settings | None = None, shadow: ShadowSettings | None = None) -> FastAPI:
    shadow = shadow or get_shadow_settings()
    settings = shadow_role_settings(settings or get_settings(), shadow)
    setup_logging(settings)
    app = FastAPI(
        title=settings.PROJECT_NAME,
        version=api_version,
        description=f"Titanic survival predictions from titanic-survival-model {model_version}.",
        openapi_url=f"{API_V1_PREFIX}/openapi.json",
        docs_url=None,  # served from the app's own assets (app/api/routes/docs.py)
        redoc_url=None,
        default_response_class=SafeJSONResponse,
        lifespan=lifespan,
    )
    app.include_router(api_router)
    register_error_handlers(app)
    if settings.BACKEND_CORS_ORIGINS:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.BACKEND_CORS_ORIGINS,
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID"],
        )
    # Inside the body limit: an oversized body is 413 whatever the load.
    app.add_middleware(
        LoadShedMiddleware,
        max_requests=settings.MAX_REQUESTS_IN_FLIGHT,
        max_body_bytes=settings.MAX_BODY_BYTES_IN_FLIGHT,
        unknown_body_bytes=settings.MAX_BODY_BYTES,
        body_timeout_s=settings.BODY_READ_TIMEOUT_S,
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.MAX_BODY_BYTES)
    app.state.settings = settings
    app.state.prediction_store = None  # started by the lifespan; routes get it from api/deps.py
    app.state.shadow_settings = shadow  # the mirror or the candidate's writer (app/shadow/)
    app.state.shadow_mirror = app.state.shadow_answers = None
    app.state.access_log = AccessLog(settings.LOG_FLUSH_INTERVAL_MS)
    app.add_middleware(ShutdownCutoffMiddleware)
    # Added last = outermost: sees every response, the body limit's 413 included.
    app.add_middleware(RequestLogMiddleware, access_log=app.state.access_log)
    return app


app = create_app()
