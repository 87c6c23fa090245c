"""The second baseline of bench_api.py: the echo written with the FastAPI idioms the service uses.

echo_app.py is FastAPI's floor. This app parses and answers the same way (echo_wire.py), but is
built the way api/app is: an `APIRouter` per route module included by one `api_router`, itself
included by the app; the settings and a store object through one `Depends` (as predict gets its
`Scoring`); an `async` dependency that checks the content type; and a declared `response_model`. It
does no work of ours (no model, no middleware, no metrics, no logging), so the gap between the two
echoes is what those idioms cost on the FastAPI installed, and the gap between this one and the app
is what the service's own work costs.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from echo_wire import AsciiJSONResponse, EchoRequest
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel


class EchoResponse(BaseModel):
    inputs: list[dict[str, Any]]


class Settings(BaseModel):
    MAX_BATCH_SIZE: int = 10_000


@dataclass(frozen=True, slots=True)
class Serving:
    settings: Settings
    store: list[Any]


async def get_serving(request: Request) -> Serving:
    return Serving(request.app.state.settings, request.app.state.store)


async def require_json(request: Request) -> None:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(status_code=415, detail="the body must be JSON")


echo_router = APIRouter(prefix="/api/v1")


@echo_router.post("/echo", response_model=EchoResponse, dependencies=[Depends(require_json)])
async def echo(
    body: EchoRequest, serving: Annotated[Serving, Depends(get_serving)]
) -> dict[str, Any]:
    if len(body.inputs) > serving.settings.MAX_BATCH_SIZE:
        raise HTTPException(status_code=413, detail="too many rows")
    return {"inputs": body.inputs}


health_router = APIRouter()


@health_router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


api_router = APIRouter()
api_router.include_router(echo_router)
api_router.include_router(health_router)

app = FastAPI(default_response_class=AsciiJSONResponse)
app.include_router(api_router)
app.state.settings = Settings()
app.state.store = []
