"""The shadow release's knobs, read from the environment like app.core.config.Settings.

Kept apart from Settings so that the mirror and the candidate's route own their settings, and a
bad value still stops start-up with the variable named.
"""

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIRROR_PATH = "/api/v1/shadow/predictions"  # the candidate's route the live API posts to


class ShadowSettings(BaseSettings):
    """Live with SHADOW_URL mirrors; SERVING_ROLE=shadow serves the mirror's route instead."""

    # Errors name the variable, never its value: SHADOW_URL may carry credentials.
    model_config = SettingsConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    SERVING_ROLE: Literal["live", "shadow"] = Field(
        default="live", description="shadow: a candidate that stores answers to mirrored rows"
    )
    SHADOW_URL: str | None = Field(
        default=None, description="Base URL of the candidate the live API mirrors rows to"
    )
    SHADOW_SHARE: float = Field(
        default=100.0, ge=0, le=100, description="Percent of predict requests mirrored"
    )
    SHADOW_TOKEN: SecretStr | None = Field(
        default=None, description="Bearer token of mirrored calls (both services hold it)"
    )
    SHADOW_QUEUE_ROWS: int = Field(default=10_000, ge=1, description="Most rows waiting")
    SHADOW_QUEUE_BYTES: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="Most JSON bytes waiting to be mirrored"
    )
    SHADOW_CONNECT_TIMEOUT_S: float = Field(default=0.5, gt=0, le=30)
    SHADOW_READ_TIMEOUT_S: float = Field(default=2.0, gt=0, le=60)
    SHADOW_BREAKER_FAILURES: int = Field(
        default=3, ge=1, description="Consecutive failed mirror calls that open the breaker"
    )
    SHADOW_BREAKER_COOLDOWN_S: float = Field(
        default=30.0, gt=0, le=3600, description="How long an open breaker drops mirrored rows"
    )

    @model_validator(mode="after")
    def _token_where_needed(self) -> "ShadowSettings":
        """A mirror or a candidate without a token would send or take rows unauthenticated."""
        token = self.SHADOW_TOKEN.get_secret_value() if self.SHADOW_TOKEN else ""
        if (self.SHADOW_URL or self.SERVING_ROLE == "shadow") and not token:
            raise ValueError("SHADOW_TOKEN is required with SHADOW_URL or SERVING_ROLE=shadow")
        if self.SHADOW_URL and self.SERVING_ROLE == "shadow":
            raise ValueError("a shadow service does not mirror: unset SHADOW_URL")
        if self.SHADOW_URL and not self.SHADOW_URL.startswith(("http://", "https://")):
            raise ValueError("SHADOW_URL must start with http:// or https://")
        return self

    @property
    def is_shadow(self) -> bool:
        return self.SERVING_ROLE == "shadow"


@lru_cache(maxsize=1)
def get_shadow_settings() -> ShadowSettings:
    """The shadow settings of this process (environment read once)."""
    return ShadowSettings()
