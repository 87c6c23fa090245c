"""GET /metrics: Prometheus' text format; a bearer token when METRICS_TOKEN is set.

Left out of the OpenAPI schema: it is for the scraper, not for API clients. The token check is
app.api.bearer's, shared with the outcomes route.
"""

from fastapi import APIRouter, Depends, Response

from app.api.bearer import BearerToken
from app.api.deps import StoreDep
from app.core import metrics

router = APIRouter()


@router.get(
    "/metrics", include_in_schema=False, dependencies=[Depends(BearerToken("METRICS_TOKEN"))]
)
async def prometheus_metrics(store: StoreDep) -> Response:
    if store is not None:
        store.publish_metrics()  # fresh even mid-outage
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
