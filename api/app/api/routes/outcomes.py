"""POST /api/v1/outcomes: what really happened to scored passengers, for live model quality.

Who calls it: whoever learns the truth later (a labelling job, a CRM export), with
`Authorization: Bearer $OUTCOMES_TOKEN`. Each item names a predict answer's id; the route checks
that id against the store (and the rows still queued for it), so an unknown id is that item's
error; the same outcome sent twice is stored once, and a different label for an id that already
has one is a conflict: the first label is kept. Accepted outcomes are queued to the prediction
store's writer, like predictions: nothing answered is lost on SIGTERM.
"""

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException
from pydantic import ValidationError

from app.api.bearer import BearerToken
from app.api.deps import SettingsDep, StoreDep, require_json
from app.core.config import API_V1_PREFIX
from app.schemas.errors import MessageResponse
from app.schemas.outcomes import Outcome, OutcomeError, OutcomeItem, OutcomesResponse
from app.store.writer import PredictionWriter
from titanic_store.rows import OutcomeRow

UNAVAILABLE = "the prediction store cannot be read now: retry shortly"
OFF = "outcomes are off: set OUTCOMES_TOKEN and keep the store on"


def _parsed(items: list[dict[str, Any]]) -> tuple[list[tuple[int, Outcome]], list[OutcomeError]]:
    """Valid items with their index, and one error per field of each invalid one."""
    valid, errors = [], []
    for index, item in enumerate(items):
        try:
            valid.append((index, Outcome.model_validate(item)))
        except ValidationError as error:
            for detail in error.errors(include_input=False, include_url=False):
                field = ".".join(str(part) for part in detail["loc"]) or "item"
                errors.append(OutcomeError(row=index, field=field, message=detail["msg"]))
    return valid, errors


def _known(store: PredictionWriter, ids: set[str]) -> tuple[set[str], dict[str, int]]:
    """The ids a stored or queued prediction has, and the labels already recorded for them.

    The queue is read before the database: the writer drops rows from the queue only after their
    transaction has committed, so a row is in one or the other. Read the other way round, a row
    committed between the two reads would be in neither."""
    queued_ids, queued_labels = store.queued_predictions(ids), store.queued_outcomes(ids)
    stored, recorded = store.look_up(ids)
    return stored | queued_ids, {**queued_labels, **recorded}


router = APIRouter(prefix=API_V1_PREFIX, tags=["outcomes"])


@router.post(
    "/outcomes",
    response_model=OutcomesResponse,
    dependencies=[Depends(require_json), Depends(BearerToken("OUTCOMES_TOKEN", off=OFF))],
    responses={
        401: {"model": MessageResponse, "description": "Missing or wrong bearer token"},
        404: {"model": MessageResponse, "description": "OUTCOMES_TOKEN or the store is off"},
        413: {"model": MessageResponse, "description": "More than MAX_BATCH_SIZE items"},
        415: {
            "model": MessageResponse,
            "description": "A Content-Type other than JSON, or a compressed body",
        },
        503: {"model": MessageResponse, "description": "Store unreadable or queue full"},
    },
)
async def record_outcomes(
    items: Annotated[list[OutcomeItem], Body(min_length=1)],
    settings: SettingsDep,
    store: StoreDep,
) -> OutcomesResponse:
    """Outcomes by prediction id; each item is stored, a duplicate, a conflict or an error."""
    if store is None:
        raise HTTPException(404, OFF)
    if len(items) > settings.MAX_BATCH_SIZE:
        raise HTTPException(413, f"at most {settings.MAX_BATCH_SIZE} items per request")
    valid, errors = _parsed(items)
    ids = {o.id for _, o in valid}
    try:  # on the reads' own threads, within their deadline (app/store/reader.py)
        read = asyncio.wrap_future(store.submit_read(lambda: _known(store, ids)))
        known, recorded = await asyncio.wait_for(read, store.read_timeout_s)
    except Exception as error:  # the database is unreachable or hung: nothing is decided
        raise HTTPException(503, UNAVAILABLE, {"Retry-After": "1"}) from error
    now = datetime.now(UTC)
    accepted: list[OutcomeRow] = []
    duplicates = conflicts = 0
    for index, outcome in valid:
        if outcome.id not in known:
            errors.append(OutcomeError(row=index, field="id", message="no prediction has this id"))
        elif outcome.id not in recorded:
            recorded[outcome.id] = outcome.survived
            accepted.append(OutcomeRow(outcome.id, outcome.survived, now))
        elif recorded[outcome.id] == outcome.survived:
            duplicates += 1
        else:
            conflicts += 1
            message = f"conflict: the outcome recorded first ({recorded[outcome.id]}) is kept"
            errors.append(OutcomeError(row=index, field="survived", message=message))
    if accepted:
        reserved = store.reserve(len(accepted))
        if reserved is None:
            raise HTTPException(503, UNAVAILABLE, {"Retry-After": "1"})
        store.add_outcomes(accepted, reserved)
    return OutcomesResponse(
        stored=len(accepted),
        duplicates=duplicates,
        conflicts=conflicts,
        errors=sorted(errors, key=lambda error: error.row) or None,
    )
