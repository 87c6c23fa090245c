"""POST /api/v1/predict: rows in, the package's result out.

Scoring one row takes microseconds, so small batches are scored right on the event loop (a hop to
a thread would cost more than the work). Larger batches go to a worker thread so that they cannot
stall the single-record requests served meanwhile. Each answer is counted in the metrics and
handed to the prediction store's queue (app/store/writer.py), which writes it in its own thread.
Room in that queue is reserved before scoring: a request the store could not take is shed with
503 rather than answered and then lost.
"""

import time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from starlette.concurrency import run_in_threadpool

from app.api.deps import SettingsDep, StoreDep, require_json
from app.core import metrics
from app.core.config import API_V1_PREFIX
from app.core.logging import REQUEST_ID
from app.schemas.errors import MessageResponse, RequestErrorResponse
from app.schemas.predict import PredictionRequest, PredictionResponse
from app.store.records import prediction_ids, stored_rows
from titanic_model import PredictionResult, make_prediction
from titanic_store.rows import PredictionRow

STORE_FULL = "server busy: the prediction store's queue is full, retry shortly"


def score(rows: list[dict[str, Any]], explain: bool, record: bool) -> PredictionResult:
    """One row goes to the package's single-record path, which skips the batch bookkeeping.
    With `record`, the result also has each row's recorded form, for the store."""
    data = rows[0] if len(rows) == 1 else rows
    return make_prediction(input_data=data, explain=explain, record=record)


def answer(
    rows: list[dict[str, Any]], explain: bool, request_id: str, record: bool
) -> tuple[dict[str, Any], list[PredictionRow]]:
    """Score, give each scored row its id, count the answer in the metrics and, when recording,
    make the store's rows from what the package validated (in the worker thread for large
    batches)."""
    result = score(rows, explain, record)
    metrics.observe_result(result)
    ids = prediction_ids(result)
    recorded = stored_rows(time.time(), request_id, result, ids) if record else []
    body: dict[str, Any] = {**result, "ids": ids}
    body.pop("recorded", None)  # the store's, not the client's
    return body, recorded


router = APIRouter(prefix=API_V1_PREFIX, tags=["predict"])


@router.post(
    "/predict",
    response_model=PredictionResponse,
    # `explanations` only when asked for: the answer is the package's result, key for key.
    response_model_exclude_unset=True,
    dependencies=[Depends(require_json)],
    responses={
        413: {"model": MessageResponse, "description": "More than MAX_BATCH_SIZE rows"},
        415: {"model": MessageResponse, "description": "A Content-Type other than JSON"},
        422: {"model": RequestErrorResponse, "description": "Malformed body"},
        503: {"model": MessageResponse, "description": "Overloaded: retry after Retry-After s"},
    },
)
async def predict(
    body: PredictionRequest, settings: SettingsDep, store: StoreDep
) -> dict[str, Any]:
    """Survival prediction per row; a row with a bad value gets null and an error."""
    rows = body.inputs
    if len(rows) > settings.MAX_BATCH_SIZE:
        raise HTTPException(
            status_code=413,
            detail=f"at most {settings.MAX_BATCH_SIZE} rows per request, got {len(rows)}",
        )
    reserved = 0
    if store is not None:
        room = store.reserve(len(rows))
        if room is None:
            raise HTTPException(503, STORE_FULL, headers={"Retry-After": "1"})
        reserved = room
    work = (rows, body.explain, REQUEST_ID.get(), store is not None)
    try:
        if len(rows) > settings.THREAD_OFFLOAD_ROWS:
            result, recorded = await run_in_threadpool(answer, *work)
        else:
            result, recorded = answer(*work)
    except BaseException:
        if store is not None:
            store.release(reserved)
        raise
    if store is not None:  # a list append: the rows are written by the store's own thread
        store.add(recorded, reserved)
    return result
