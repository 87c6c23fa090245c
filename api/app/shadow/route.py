"""POST /api/v1/shadow/predictions: the candidate's side of the mirror (SERVING_ROLE=shadow).

Only a shadow service serves it (404 elsewhere) and only with its SHADOW_TOKEN (401). The rows are
the live service's valid rows and the ids it answered them under; the candidate scores them with
its own model and stores each answer under the live id and its own version (answers.py).
"""

import re
import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from loguru import logger
from pydantic import BaseModel, Field, model_validator
from starlette.concurrency import run_in_threadpool

from app.api.bearer import bearer_matches
from app.api.deps import SettingsDep, require_json
from app.shadow.answers import ShadowAnswer, ShadowAnswers
from app.shadow.settings import MIRROR_PATH, ShadowSettings
from titanic_model import make_prediction

_ID = re.compile(r"^[0-9a-f]{32}$")
UNAVAILABLE = "the candidate could not store its answers: retry later"


class MirroredRows(BaseModel):
    inputs: list[dict[str, Any]] = Field(min_length=1)
    ids: list[str]
    live_version: str = Field(max_length=64)

    @model_validator(mode="after")
    def _one_id_per_row(self) -> "MirroredRows":
        if len(self.ids) != len(self.inputs) or not all(_ID.match(i) for i in self.ids):
            raise ValueError("ids: one 32-hex-digit live prediction id per row")
        return self


class ShadowStored(BaseModel):
    stored: int
    model_version: str


async def shadow_only(request: Request) -> ShadowSettings:
    """404 on a live service; 401 without the candidate's token (compared in constant time)."""
    shadow: ShadowSettings = request.app.state.shadow_settings
    if not shadow.is_shadow or shadow.SHADOW_TOKEN is None:
        raise HTTPException(404, "not a shadow service (SERVING_ROLE=shadow)")
    if not bearer_matches(request, shadow.SHADOW_TOKEN.get_secret_value()):
        raise HTTPException(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})
    return shadow


router = APIRouter(tags=["shadow"], include_in_schema=False)


@router.post(
    MIRROR_PATH,
    response_model=ShadowStored,
    dependencies=[Depends(require_json)],
)
async def mirrored(
    body: MirroredRows,
    request: Request,
    settings: SettingsDep,
    _shadow: Annotated[ShadowSettings, Depends(shadow_only)],
) -> ShadowStored:
    """Score the live rows with this candidate and store the answers under the live ids."""
    if len(body.inputs) > settings.MAX_BATCH_SIZE:
        raise HTTPException(413, f"at most {settings.MAX_BATCH_SIZE} rows per request")
    answers_store: ShadowAnswers | None = request.app.state.shadow_answers
    if answers_store is None:
        raise HTTPException(503, "this candidate has no prediction store (PREDICTION_STORE_URL)")
    if (reason := answers_store.not_ready()) is not None:
        raise HTTPException(503, f"not ready: {reason}", headers={"Retry-After": "5"})
    started = time.perf_counter()
    result = await run_in_threadpool(make_prediction, input_data=body.inputs)
    latency_ms = (time.perf_counter() - started) * 1000
    now = datetime.now(UTC)
    answers = [
        ShadowAnswer(now, live_id, result["version"], probability, label, latency_ms)
        for live_id, probability, label in zip(
            body.ids, result["probabilities"], result["predictions"], strict=True
        )
        if probability is not None and label is not None
    ]
    try:
        await run_in_threadpool(answers_store.write, answers)
    except Exception as error:
        logger.warning("shadow answers not stored: {kind}", kind=type(error).__name__)
        raise HTTPException(503, UNAVAILABLE, headers={"Retry-After": "5"}) from None
    return ShadowStored(stored=len(answers), model_version=result["version"])
