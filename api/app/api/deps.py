"""What routes get through `Depends`: the app's settings, its prediction store, a JSON body, and
for the scoring routes all they need in one dependency (`ScoringDep`)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.core.config import Settings
from app.core.readiness import unavailable
from app.shadow.mirror import ShadowMirror
from app.store.writer import PredictionWriter


async def get_settings(request: Request) -> Settings:
    """The settings the app was built with (main.create_app)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_prediction_store(request: Request) -> PredictionWriter | None:
    """The prediction store's writer, started by the lifespan; None when recording is off."""
    store: PredictionWriter | None = request.app.state.prediction_store
    return store


async def require_json(request: Request) -> None:
    """A body sent as another media type (text/plain, a form) is refused for its type, before
    its content is read: otherwise it would be refused as "not a valid dictionary"."""
    content_type = request.headers.get("content-type", "no Content-Type")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(
            status_code=415,
            detail=f"the body must be JSON sent as Content-Type: application/json, "
            f"not {content_type[:100]}",
        )


@dataclass(frozen=True, slots=True)
class Scoring:
    """What predict and infer need: the settings, the store (None when off) and the shadow mirror
    (None without SHADOW_URL, app/shadow/)."""

    settings: Settings
    store: PredictionWriter | None
    mirror: ShadowMirror | None


async def get_scoring(request: Request) -> Scoring:
    """Predict and infer answer 503 with Retry-After while the model or the store is not ready (an
    answer whose rows the store could not take would be an answer dropped); otherwise they get
    what they score with. One dependency, not one per piece: FastAPI resolves each dependency on
    every request (the same-run before/after is in docs/performance.md)."""
    reason = unavailable(request.app)
    if reason is not None:
        raise HTTPException(503, f"not ready: {reason}", headers={"Retry-After": "1"})
    state = request.app.state
    return Scoring(state.settings, state.prediction_store, state.shadow_mirror)


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[PredictionWriter | None, Depends(get_prediction_store)]
ScoringDep = Annotated[Scoring, Depends(get_scoring)]
