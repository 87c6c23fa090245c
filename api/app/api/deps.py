"""What routes get through `Depends`: the app's settings and its prediction store."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.config import Settings
from app.store.writer import PredictionWriter


async def get_settings(request: Request) -> Settings:
    """The settings the app was built with (main.create_app)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_prediction_store(request: Request) -> PredictionWriter | None:
    """The prediction store's writer, started by the lifespan; None when recording is off."""
    store: PredictionWriter | None = request.app.state.prediction_store
    return store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[PredictionWriter | None, Depends(get_prediction_store)]
