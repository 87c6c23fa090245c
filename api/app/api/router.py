"""`api_router`: every route of the service, one `APIRouter` per module of app/api/routes/.

Each router carries its own prefix: the metrics label a request by its route's path, and an
included route keeps the path it was declared with.
"""

from fastapi import APIRouter

from app.api.routes import docs, health, inference, metrics, model, outcomes, page, predict
from app.shadow import route as shadow

api_router = APIRouter()
for module in (predict, health, outcomes, model, metrics, page, docs, inference, shadow):
    api_router.include_router(module.router)
