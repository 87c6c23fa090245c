"""GET /metrics: Prometheus' text format; a bearer token when METRICS_TOKEN is set.

Left out of the OpenAPI schema: it is for the scraper, not for API clients.
"""

import secrets

from fastapi import FastAPI, Request, Response

from app.core import metrics
from app.core.config import Settings


def add_metrics_route(app: FastAPI, settings: Settings) -> None:
    token = settings.METRICS_TOKEN.get_secret_value() if settings.METRICS_TOKEN else ""
    expected = f"Bearer {token}".encode()

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics(request: Request) -> Response:
        if token:
            sent = request.headers.get("authorization", "").encode()
            if not secrets.compare_digest(sent, expected):
                return Response(
                    "a valid bearer token is required\n",
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                    media_type="text/plain",
                )
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)
