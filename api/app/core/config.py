"""Service settings, read from the environment once at start-up (pydantic-settings)."""

import json
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from titanic_store.connection import backend

API_V1_PREFIX = "/api/v1"  # a public contract (docs/api.md), not a setting
API_V2_PREFIX = "/v2"  # the Open Inference Protocol's, for the one model MODEL_NAME
MODEL_NAME = "titanic"

# Relative to the working directory (api/ under the Procfile); `make run` points it at data/.
DEFAULT_STORE_URL = "sqlite:///./data/predictions.sqlite3"

LogLevel = Literal["TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL"]


def _comma_separated(value: object) -> object:
    """BACKEND_CORS_ORIGINS="https://a.example,https://b.example" as well as a JSON list."""
    if not isinstance(value, str):
        return value
    if value.lstrip().startswith("["):
        return json.loads(value)
    return [origin.strip() for origin in value.split(",") if origin.strip()]


def _store_url(value: object) -> object:
    """PREDICTION_STORE_URL=off (or none, or empty) turns the prediction store off; any other
    value must be a SQLite or PostgreSQL URL."""
    if isinstance(value, str) and value.strip().lower() in {"", "off", "none"}:
        return None
    if isinstance(value, str):
        try:
            backend(value)
        except ValueError:
            raise ValueError(
                "neither sqlite:///path nor postgresql://... (set it to off for no store)"
            ) from None
    return value


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


class Settings(BaseSettings):
    """Every knob of the service; a bad value stops start-up with the variable named."""

    # Errors name the variable, never its value: a URL or a token may hold a secret.
    model_config = SettingsConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    PROJECT_NAME: str = "Titanic survival API"
    RELEASE_ID: str = Field(
        default="local",
        min_length=1,
        max_length=100,
        description="Which deploy this is (CI sets the commit); health reports it",
    )
    PORT: int = Field(default=8001, ge=1, le=65535, description="Port the server listens on")
    WEB_CONCURRENCY: int = Field(
        default=1, ge=1, description="uvicorn worker processes (uvicorn reads it too)"
    )
    LOG_LEVEL: Annotated[LogLevel, BeforeValidator(_upper)] = "INFO"
    LOG_JSON: bool = Field(default=False, description="One JSON object per log line")
    LOG_FLUSH_INTERVAL_MS: int = Field(
        default=100, ge=0, le=10_000, description="Longest delay of a request's log line"
    )
    BACKEND_CORS_ORIGINS: Annotated[list[str], NoDecode, BeforeValidator(_comma_separated)] = []
    MAX_BATCH_SIZE: int = Field(default=10_000, ge=1, description="Most rows in one request")
    MAX_BODY_BYTES: int = Field(
        default=4 * 1024 * 1024, ge=1024, description="Largest request body accepted"
    )
    THREAD_OFFLOAD_ROWS: int = Field(
        default=64, ge=1, description="Batches larger than this are scored in a worker thread"
    )
    # Overload bounds (app/core/load_shed.py; figures in docs/operations.md): beyond either, 503.
    MAX_REQUESTS_IN_FLIGHT: int = Field(
        default=256, ge=1, description="Most requests being served at once"
    )
    BODY_READ_TIMEOUT_S: float = Field(
        default=10.0, gt=0, le=300, description="Longest time to receive a request body (408)"
    )
    MAX_BODY_BYTES_IN_FLIGHT: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="Most body bytes of large (> 64 KiB) requests being served at once",
    )

    @model_validator(mode="after")
    def _one_largest_body_fits_in_flight(self) -> "Settings":
        """Otherwise a body of the largest accepted size could never be admitted."""
        if self.MAX_BODY_BYTES_IN_FLIGHT < self.MAX_BODY_BYTES:
            raise ValueError("MAX_BODY_BYTES_IN_FLIGHT must be at least MAX_BODY_BYTES")
        return self

    PREDICTION_STORE_URL: Annotated[str | None, BeforeValidator(_store_url)] = Field(
        default=DEFAULT_STORE_URL,
        description="SQLAlchemy URL of the prediction store; off or none turns it off",
    )
    STORE_QUEUE_ROWS: int = Field(
        default=100_000,
        ge=1,
        description="Most rows waiting for the store (beyond: 503, or dropped while it is down)",
    )
    STORE_QUEUE_BYTES: int = Field(
        default=64 * 1024 * 1024,
        ge=64 * 1024,
        description="Most memory the rows waiting for the store may hold (an upper-bound estimate)",
    )
    # Short by default: an answer reaches the database within one interval, and longer intervals
    # measured no faster (docs/performance.md).
    STORE_FLUSH_INTERVAL_MS: int = Field(
        default=25, ge=10, le=200, description="Longest wait before queued rows are written"
    )
    STORE_SHUTDOWN_TIMEOUT_S: float = Field(
        default=20.0, gt=0, description="How long shutdown waits to write the queued rows"
    )
    STORE_CONNECT_TIMEOUT_S: float = Field(
        default=5.0, gt=0, le=60, description="Longest wait to connect to the store's database"
    )
    STORE_STATEMENT_TIMEOUT_S: float = Field(
        default=10.0, gt=0, le=300, description="Longest wait for one write to the store"
    )
    STORE_READ_TIMEOUT_S: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="Longest wait for a read on the request path (outcome look-ups): then 503",
    )
    # Shutdown (docs/operations.md): SIGTERM -> ready says 503 at once; answers go on for
    # SHUTDOWN_DELAY_S (the balancer notices); then no new connection, in-flight requests get
    # SHUTDOWN_GRACE_S; then the store writes its queue within STORE_SHUTDOWN_TIMEOUT_S.
    SHUTDOWN_DELAY_S: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="After SIGTERM, how long the server keeps answering while ready says 503",
    )
    SHUTDOWN_GRACE_S: float = Field(
        default=10.0,
        gt=0,
        le=120,
        description="After the delay, how long requests in flight get before they are cancelled",
    )
    METRICS_TOKEN: SecretStr | None = Field(
        default=None, description="Bearer token GET /metrics requires, when set"
    )
    OUTCOMES_TOKEN: SecretStr | None = Field(
        default=None,
        description="Bearer token POST /api/v1/outcomes requires; unset, the route answers 404",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (environment read once)."""
    return Settings()
