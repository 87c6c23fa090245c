"""GET /metrics: Prometheus' text format; a bearer token when METRICS_TOKEN is set.

Left out of the OpenAPI schema: it is for the scraper, not for API clients. The scheme's name is
case-insensitive (RFC 7235: "bearer" is "Bearer"); the token is compared in constant time.
"""

import secrets
from typing import Annotated

from fastapi import APIRouter, Header, Response

from app.api.deps import SettingsDep, StoreDep
from app.core import metrics

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(
    settings: SettingsDep,
    store: StoreDep,
    authorization: Annotated[str, Header()] = "",
) -> Response:
    token = settings.METRICS_TOKEN.get_secret_value() if settings.METRICS_TOKEN else ""
    if token:
        scheme, _, sent = authorization.strip().partition(" ")
        valid = scheme.lower() == "bearer" and secrets.compare_digest(
            sent.strip().encode(), token.encode()
        )
        if not valid:
            return Response(
                "a valid bearer token is required\n",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
                media_type="text/plain",
            )
    if store is not None:
        store.publish_metrics()  # fresh even mid-outage
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
