"""What the lifespan starts and stops for the shadow release, kept out of main.py.

Live with SHADOW_URL: the mirror. SERVING_ROLE=shadow: the shadow table's writer; the candidate
records none of its own predict answers and takes no outcomes (main.create_app), so the live
model's report and retraining never see a shadow row.
"""

from fastapi import FastAPI
from loguru import logger

from app.core.config import Settings
from app.shadow.answers import ShadowAnswers
from app.shadow.mirror import ShadowMirror
from app.shadow.settings import ShadowSettings


def shadow_role_settings(settings: Settings, shadow: ShadowSettings) -> Settings:
    """A candidate answers no outcomes: its OUTCOMES_TOKEN is ignored (the route answers 404)."""
    return settings.model_copy(update={"OUTCOMES_TOKEN": None}) if shadow.is_shadow else settings


def start_shadow(app: FastAPI, live_version: str) -> None:
    shadow: ShadowSettings = app.state.shadow_settings
    settings: Settings = app.state.settings
    if shadow.is_shadow and settings.PREDICTION_STORE_URL:
        app.state.shadow_answers = ShadowAnswers(
            settings.PREDICTION_STORE_URL,
            settings.STORE_CONNECT_TIMEOUT_S,
            settings.STORE_STATEMENT_TIMEOUT_S,
        )
        logger.info("serving as a shadow candidate: mirrored answers go to the shadow table")
    elif shadow.SHADOW_URL:
        mirror = ShadowMirror(shadow, live_version)
        mirror.start()
        app.state.shadow_mirror = mirror
        logger.info(
            "mirroring {share:g} % of predict requests to a shadow", share=shadow.SHADOW_SHARE
        )


def stop_shadow(app: FastAPI) -> None:
    if app.state.shadow_mirror is not None:
        app.state.shadow_mirror.close()
    if app.state.shadow_answers is not None:
        app.state.shadow_answers.close()
