"""The JSON response class of the service."""

import json
from typing import Any

from starlette.responses import JSONResponse


class SafeJSONResponse(JSONResponse):
    """JSON escaped to ASCII: text such as a lone surrogate ("\\ud800") cannot fail to encode.

    Starlette's default writes raw UTF-8, which raises on a lone surrogate and turns an echoed
    bad input into a 500.
    """

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=True, allow_nan=False, separators=(",", ":")
        ).encode("ascii")
