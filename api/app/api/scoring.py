"""The one path every prediction route takes: /api/v1/predict and the Open Inference Protocol's
infer (app/api/routes/inference.py) both call `predict_rows`, so the batch bound, the store's
room, the metrics, the ids, the explanations and the store's rows cannot differ between them.

Scoring one row takes microseconds, so small batches are scored right on the event loop (a hop to
a thread would cost more than the work). Larger batches go to a worker thread so that they cannot
stall the single-record requests served meanwhile. Each answer is counted in the metrics and
handed to the prediction store's queue (app/store/writer.py), which writes it in its own thread.
Room in that queue is reserved before scoring: a request the store could not take is shed with
503 rather than answered and then lost. With a shadow mirror (app/shadow/), the answered rows
and their ids are queued for the candidate, never waited on.
"""

import time
from typing import Any

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool

from app.api.deps import Scoring
from app.core import metrics
from app.core.logging import REQUEST_ID
from app.store.records import prediction_ids, stored_rows
from titanic_model import PredictionResult, RowError, make_prediction
from titanic_store.rows import PredictionRow

STORE_FULL = "server busy: the prediction store's queue is full, retry shortly"


class RowsRejectedError(Exception):
    """A request that takes all its rows or none had rows the package refused (their errors)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} invalid fields")
        self.errors = errors


def score(rows: list[dict[str, Any]], explain: bool, record: bool) -> PredictionResult:
    """One row goes to the package's single-record path, which skips the batch bookkeeping.
    With `record`, the result also has each row's recorded form, for the store."""
    data = rows[0] if len(rows) == 1 else rows
    return make_prediction(input_data=data, explain=explain, record=record)


def answer(
    rows: list[dict[str, Any]], explain: bool, request_id: str, record: bool, all_or_none: bool
) -> tuple[dict[str, Any], list[PredictionRow]]:
    """Score, give each scored row its id, count the answer in the metrics and, when recording,
    make the store's rows from what the package validated (in the worker thread for large
    batches). With `all_or_none` a bad row refuses the request: its rows are counted as
    rejected, none as scored, and none is stored."""
    result = score(rows, explain, record)
    if all_or_none and result["errors"]:
        metrics.observe_rejected(result["errors"])
        raise RowsRejectedError(result["errors"])
    metrics.observe_result(result)
    answered_at = time.time()
    ids = prediction_ids(result, answered_at)
    recorded = stored_rows(answered_at, request_id, result, ids) if record else []
    body: dict[str, Any] = {**result, "ids": ids}
    body.pop("recorded", None)  # the store's, not the client's
    return body, recorded


async def predict_rows(
    rows: list[dict[str, Any]], explain: bool, scoring: Scoring, all_or_none: bool = False
) -> dict[str, Any]:
    """The package's result plus `ids`; 413 beyond MAX_BATCH_SIZE, 503 when the store is full."""
    settings, store, mirror = scoring.settings, scoring.store, scoring.mirror
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
    work = (rows, explain, REQUEST_ID.get(), store is not None, all_or_none)
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
    if mirror is not None:  # a queue append: the shadow's copy is sent by the mirror's thread
        mirror.offer(rows, result["ids"])
    return result
