"""The Open Inference Protocol ("KServe v2") over REST, for the one model `titanic`.

Stock clients (tritonclient, the kserve SDK) and Kubernetes probes speak it. Infer takes the same
path as /api/v1/predict (app/api/scoring.py) with one difference the protocol imposes: its
outputs are plain tensors with no room for a per-row error, so a request with a bad row is refused
whole, `{"error": ...}` naming each bad row and field, and nothing of it is scored or stored.
A body without a Content-Type is read as JSON (`strict_content_type=False`): the protocol's body
is JSON, and tritonclient sends none.
"""

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from app import __version__ as api_version
from app.api.deps import ScoringDep, SettingsDep
from app.api.scoring import RowsRejectedError, predict_rows
from app.api.tensors import (
    TensorError,
    decode_rows,
    encode_outputs,
    metadata_inputs,
    metadata_outputs,
    requested_outputs,
)
from app.core.config import API_V2_PREFIX, MODEL_NAME
from app.core.errors import describe_rows_rejected
from app.core.logging import REQUEST_ID
from app.core.readiness import is_ready
from app.schemas.inference import (
    InferenceError,
    InferenceRequest,
    InferenceResponse,
    ModelMetadata,
    ModelReady,
    ServerLive,
    ServerMetadata,
    ServerReady,
)
from titanic_model import __version__ as served_version

router = APIRouter(
    prefix=API_V2_PREFIX, tags=["open inference protocol"], strict_content_type=False
)
MODEL = "/models/{model_name}"
VERSION = MODEL + "/versions/{model_version}"
Responses = dict[int | str, dict[str, Any]]
NOT_SERVED: Responses = {404: {"model": InferenceError, "description": "Another model or version"}}
NOT_READY: Responses = {
    400: {"model": InferenceError, "description": "Not ready (the protocol's 4xx)"}
}
INFER_ERRORS: Responses = {
    **NOT_SERVED,
    400: {"model": InferenceError, "description": "Not passenger tensors, or a bad row"},
    413: {"model": InferenceError, "description": "More than MAX_BATCH_SIZE rows"},
    415: {"model": InferenceError, "description": "A compressed body (Content-Encoding)"},
    503: {
        "model": InferenceError,
        "description": "Overloaded or not ready: retry after Retry-After s",
    },
}


def served(model_name: str, model_version: str | None) -> None:
    """404 naming what is served, for any other model or version."""
    if model_name != MODEL_NAME:
        raise HTTPException(404, f"unknown model {model_name!r}: this server serves {MODEL_NAME!r}")
    if model_version is not None and model_version != served_version:
        raise HTTPException(
            404, f"unknown version {model_version!r}: this server serves {served_version}"
        )


@router.get("/health/live", response_model=ServerLive)
async def live() -> ServerLive:
    """The process answers: the liveness probe's path."""
    return ServerLive(live=True)


@router.get("/health/ready", response_model=ServerReady, responses=NOT_READY)
async def ready(request: Request) -> ServerReady:
    """The readiness probe's path (app/core/readiness.py decides)."""
    if not is_ready(request.app):
        raise HTTPException(400, "not ready")
    return ServerReady(ready=True)


@router.get("", response_model=ServerMetadata)
async def server_metadata(settings: SettingsDep) -> ServerMetadata:
    return ServerMetadata(name=settings.PROJECT_NAME, version=api_version, extensions=[])


@router.get(MODEL, response_model=ModelMetadata, responses=NOT_SERVED)
@router.get(VERSION, response_model=ModelMetadata, responses=NOT_SERVED)
async def model_metadata(model_name: str, model_version: str | None = None) -> ModelMetadata:
    """One input tensor per passenger field (pclass and sex required), outputs per row."""
    served(model_name, model_version)
    return ModelMetadata(
        name=MODEL_NAME,
        versions=[served_version],
        platform="titanic_model",
        inputs=metadata_inputs(),
        outputs=metadata_outputs(),
    )


@router.get(MODEL + "/ready", response_model=ModelReady, responses={**NOT_SERVED, **NOT_READY})
@router.get(VERSION + "/ready", response_model=ModelReady, responses={**NOT_SERVED, **NOT_READY})
async def model_ready(
    request: Request, model_name: str, model_version: str | None = None
) -> ModelReady:
    served(model_name, model_version)
    if not is_ready(request.app):
        raise HTTPException(400, f"{MODEL_NAME} is not ready")
    return ModelReady(name=MODEL_NAME, ready=True)


@router.post(
    MODEL + "/infer",
    response_model=InferenceResponse,
    response_model_exclude_none=True,
    responses=INFER_ERRORS,
)
@router.post(
    VERSION + "/infer",
    response_model=InferenceResponse,
    response_model_exclude_none=True,
    responses=INFER_ERRORS,
)
async def infer(
    body: InferenceRequest,
    scoring: ScoringDep,
    model_name: str,
    model_version: str | None = None,
) -> InferenceResponse:
    """Survival per passenger row: `predictions` (1 survived) and `probabilities`; the rows'
    prediction ids in the parameter `ids`."""
    served(model_name, model_version)
    try:
        rows = decode_rows(body)
        outputs, explain = requested_outputs(body)
        result = await predict_rows(rows, explain, scoring, all_or_none=True)
    except TensorError as error:
        raise HTTPException(400, str(error)) from None
    except RowsRejectedError as rejected:
        raise HTTPException(400, describe_rows_rejected(rejected.errors)) from None
    return InferenceResponse(
        model_name=MODEL_NAME,
        model_version=served_version,
        id=body.id or REQUEST_ID.get(),
        parameters={"ids": ",".join(result["ids"])},
        outputs=encode_outputs(result, outputs),
    )
