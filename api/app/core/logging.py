"""Logging: loguru is the only sink; uvicorn's and the standard library's records go into it.

Every line passes through the credential masker (titanic_masking) before it is written,
so index credentials that happen to be in the environment (PIP_EXTRA_INDEX_URL, TWINE_*) cannot
reach the logs even when a library or a traceback mentions them.
"""

import json
import logging
import os
import sys
import traceback
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from loguru import logger

from app.core.access_log import ACCESS_ENTRIES, AccessEntry
from app.core.config import Settings
from titanic_masking import Masker, url_secrets

if TYPE_CHECKING:
    from loguru import Message, Record

# Index URLs carry credentials in their userinfo part (https://user:token@host/simple).
CREDENTIAL_URL_VARIABLES = (
    "PIP_EXTRA_INDEX_URL",
    "PIP_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_INDEX_URL",
    "TWINE_REPOSITORY_URL",
)
CREDENTIAL_VARIABLES = ("TWINE_USERNAME", "TWINE_PASSWORD")
MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words
# The id of the request being served; RequestLogMiddleware sets it, every log line carries it.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi")


def credential_masker(environ: Mapping[str, str]) -> Masker:
    """The masker of every credential the environment holds (titanic_masking)."""
    secrets: set[str] = set()
    for name in CREDENTIAL_URL_VARIABLES:
        secrets |= url_secrets(environ.get(name, ""))
    secrets |= {environ[name] for name in CREDENTIAL_VARIABLES if environ.get(name)}
    return Masker(secrets, min_length=MIN_SECRET_LENGTH)


def _exception_text(record: "Record") -> str:
    if record["exception"] is None:
        return ""
    kind, value, tb = record["exception"]
    return "".join(traceback.format_exception(kind, value, tb))


def _json_line(record: "Record") -> str:
    """The record as one compact JSON object: the fields a log search wants, nothing else."""
    line: dict[str, object] = {
        "time": record["time"].isoformat(timespec="milliseconds"),
        "level": record["level"].name,
        "logger": record["name"],
        "message": record["message"],
        **record["extra"],
    }
    if record["exception"] is not None:
        line["exception"] = _exception_text(record)
    return json.dumps(line, ensure_ascii=True, default=str) + "\n"


def _text_line(record: "Record") -> str:
    time = record["time"].isoformat(timespec="milliseconds")
    request_id = record["extra"].get("request_id", "-")
    line = f"{time} | {record['level'].name:<8} | {request_id} | {record['name']} | "
    return f"{line}{record['message']}\n{_exception_text(record)}"


def _access_json(record: "Record", entry: AccessEntry) -> str:
    line = {
        "time": datetime.fromtimestamp(entry.time, UTC).isoformat(timespec="milliseconds"),
        "level": record["level"].name,
        "logger": record["name"],
        "message": entry.message,
        "request_id": entry.request_id,
        "method": entry.method,
        "path": entry.path,
        "status": entry.status,
        "duration_ms": entry.duration_ms,
    }
    return json.dumps(line, ensure_ascii=True) + "\n"


def _access_text(record: "Record", entry: AccessEntry) -> str:
    time = datetime.fromtimestamp(entry.time, UTC).isoformat(timespec="milliseconds")
    level, name = record["level"].name, record["name"]
    return f"{time} | {level:<8} | {entry.request_id} | {name} | {entry.message}\n"


def _tag_with_request_id(record: "Record") -> None:
    record["extra"].setdefault("request_id", REQUEST_ID.get())


class _Sink:
    """Formats each record itself (one line, or one line per request of an access batch), masks
    credentials, and writes to stdout, looked up per write so that test capture works."""

    def __init__(self, redact: Masker, as_json: bool) -> None:
        self.redact = redact
        self.format = _json_line if as_json else _text_line
        self.format_access = _access_json if as_json else _access_text

    def write(self, message: "Message") -> None:
        record = message.record
        entries = record["extra"].get(ACCESS_ENTRIES)
        if entries is None:
            text = self.format(record)
        else:
            text = "".join(self.format_access(record, entry) for entry in entries)
        stream = sys.stdout
        stream.write(self.redact(text))
        stream.flush()


class InterceptHandler(logging.Handler):
    """Hands standard-library records (uvicorn's included) to loguru, keeping level and logger."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno

        def name_the_logger(loguru_record: "Record") -> None:
            loguru_record["name"] = record.name

        logger.patch(name_the_logger).opt(exception=record.exc_info).log(level, record.getMessage())


def setup_logging(settings: Settings, environ: Mapping[str, str] = os.environ) -> None:
    """Route all logging into one redacting loguru sink at the configured level."""
    logger.remove()
    logger.configure(patcher=_tag_with_request_id)
    sink = _Sink(credential_masker(environ), as_json=settings.LOG_JSON)
    logger.add(
        sink.write,
        level=settings.LOG_LEVEL,
        format="{message}",
        backtrace=False,
        diagnose=False,  # diagnose would print local variables, credentials included
        colorize=False,
    )
    logging.basicConfig(handlers=[InterceptHandler()], level=0, force=True)
    for name in UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers = []
        uvicorn_logger.propagate = True
    # One line per request comes from RequestLogMiddleware; uvicorn's access line would repeat it.
    # With no handler anywhere up its chain, uvicorn skips building the access record at all.
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
