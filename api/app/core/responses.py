"""The JSON response class of the service."""

import json
from typing import Any

from starlette.responses import JSONResponse

from app.core.config import API_V2_PREFIX


def error_body(path: str, message: str) -> dict[str, str]:
    """An error as its API writes it: the Open Inference Protocol's `{"error": ...}` under /v2,
    `{"detail": ...}` everywhere else."""
    if path == API_V2_PREFIX or path.startswith(API_V2_PREFIX + "/"):
        return {"error": message}
    return {"detail": message}


class SafeJSONResponse(JSONResponse):
    """JSON escaped to ASCII: text such as a lone surrogate ("\\ud800") cannot fail to encode.

    Starlette's default writes raw UTF-8, which raises on a lone surrogate and turns an echoed
    bad input into a 500.
    """

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=True, allow_nan=False, separators=(",", ":")
        ).encode("ascii")
