"""POST /api/v1/predict: rows in, the package's result out, one row's bad value that row's error.

The work (batch bound, store room, scoring, metrics, ids, store rows) is app/api/scoring.py's,
shared with the Open Inference Protocol's infer.
"""

from typing import Any

from fastapi import APIRouter, Depends

from app.api.deps import ScoringDep, require_json
from app.api.scoring import predict_rows
from app.core.config import API_V1_PREFIX
from app.schemas.errors import MessageResponse, RequestErrorResponse
from app.schemas.predict import PredictionRequest, PredictionResponse

router = APIRouter(prefix=API_V1_PREFIX, tags=["predict"])


@router.post(
    "/predict",
    response_model=PredictionResponse,
    # `explanations` only when asked for: the answer is the package's result, key for key.
    response_model_exclude_unset=True,
    dependencies=[Depends(require_json)],
    responses={
        413: {"model": MessageResponse, "description": "More than MAX_BATCH_SIZE rows"},
        415: {
            "model": MessageResponse,
            "description": "A Content-Type other than JSON, or a compressed body",
        },
        422: {"model": RequestErrorResponse, "description": "Malformed body"},
        503: {
            "model": MessageResponse,
            "description": "Overloaded or not ready: retry after Retry-After s",
        },
    },
)
async def predict(body: PredictionRequest, scoring: ScoringDep) -> dict[str, Any]:
    """Survival prediction per row; a row with a bad value gets null and an error."""
    return await predict_rows(body.inputs, body.explain, scoring)
