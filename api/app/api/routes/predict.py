"""POST /api/v1/predict: rows in, the package's result out.

Scoring one row takes microseconds, so small batches are scored right on the event loop (a hop to
a thread would cost more than the work). Larger batches go to a worker thread so that they cannot
stall the single-record requests served meanwhile.
"""

from typing import Any

from fastapi import FastAPI, HTTPException
from starlette.concurrency import run_in_threadpool

from app.core.config import API_V1_PREFIX, Settings
from app.core.responses import SafeJSONResponse
from app.schemas.errors import MessageResponse, RequestErrorResponse
from app.schemas.predict import PredictionRequest, PredictionResponse
from titanic_model import PredictionResult, make_prediction


def score(rows: list[dict[str, Any]]) -> PredictionResult:
    """One row goes to the package's single-record path, which skips the batch bookkeeping."""
    return make_prediction(input_data=rows[0] if len(rows) == 1 else rows)


def add_predict_route(app: FastAPI, settings: Settings) -> None:
    @app.post(
        f"{API_V1_PREFIX}/predict",
        response_model=PredictionResponse,
        tags=["predict"],
        responses={
            413: {"model": MessageResponse, "description": "More than MAX_BATCH_SIZE rows"},
            422: {"model": RequestErrorResponse, "description": "Malformed body"},
            503: {"model": MessageResponse, "description": "Overloaded: retry after Retry-After s"},
        },
    )
    async def predict(body: PredictionRequest) -> SafeJSONResponse:
        """Survival prediction per row; a row with a bad value gets null and an error."""
        rows = body.inputs
        if len(rows) > settings.MAX_BATCH_SIZE:
            raise HTTPException(
                status_code=413,
                detail=f"at most {settings.MAX_BATCH_SIZE} rows per request, got {len(rows)}",
            )
        if len(rows) > settings.THREAD_OFFLOAD_ROWS:
            result = await run_in_threadpool(score, rows)
        else:
            result = score(rows)
        # Returned as is: the package's result already has the response's shape, and skipping
        # FastAPI's response-model round-trip keeps the hot path cheap.
        return SafeJSONResponse(result)
