"""What both echo baselines of bench_api.py parse and send: the predict body's shape (a non-empty
`inputs` list of objects, an optional strict-boolean `explain`) and the service's rendering of an
answer (app.core.responses.SafeJSONResponse: ASCII-escaped compact JSON)."""

import json
from typing import Any

from pydantic import BaseModel, Field, StrictBool
from starlette.responses import JSONResponse


class EchoRequest(BaseModel):
    inputs: list[dict[str, Any]] = Field(min_length=1)
    explain: StrictBool = False


class AsciiJSONResponse(JSONResponse):
    """Renders as app.core.responses.SafeJSONResponse does."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
        return text.encode("ascii")
