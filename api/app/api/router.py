"""All routes, registered directly on the app.

Deliberately no nested APIRouters: this FastAPI matches included routers lazily, level by level,
and each level costs the hot path microseconds (measured by benchmarks/bench_api.py).
"""

from fastapi import FastAPI

from app.api.routes.docs import add_docs_routes
from app.api.routes.health import add_health_route
from app.api.routes.metrics import add_metrics_route
from app.api.routes.model import add_model_route
from app.api.routes.outcomes import add_outcomes_route
from app.api.routes.page import add_page_route
from app.api.routes.predict import add_predict_route
from app.core.config import Settings


def add_routes(app: FastAPI, settings: Settings) -> None:
    add_predict_route(app, settings)  # first: the hot path is matched first
    add_health_route(app, settings)
    add_outcomes_route(app, settings)
    add_model_route(app)
    add_metrics_route(app, settings)
    add_page_route(app)
    add_docs_routes(app, settings.PROJECT_NAME)
